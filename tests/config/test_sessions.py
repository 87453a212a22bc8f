"""Sessions read by config/sessions.py answer as Django's database sessions did: a live session
signs the person in, an expired, deleted or unknown one does not."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from config.sessions import SessionStore
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


def test_a_live_session_signs_the_person_in_and_keeps_what_it_holds(client):
    world = build_world()
    client.force_login(world.tech)
    assert client.get(reverse("repairs:ticket_list")).status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = SessionStore(key)
    assert store["_auth_user_id"] == str(world.tech.pk)
    assert store.session_key == key


@pytest.mark.parametrize("end", ["expired", "deleted"])
def test_an_expired_or_deleted_session_signs_nobody_in(client, end):
    world = build_world()
    client.force_login(world.tech)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    if end == "expired":
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    else:
        Session.objects.filter(session_key=key).delete()
    response = client.get(reverse("repairs:ticket_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None  # a new key on the next save, never the old one


def test_an_unknown_key_reads_as_an_empty_session():
    store = SessionStore("x" * 32)
    assert dict(store.items()) == {}
    assert store.session_key is None
