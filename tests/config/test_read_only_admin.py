"""Rows that only the services write are shown by the admin and never added, edited or deleted
there, even by a superuser: a ticket moves by its transitions, a laptop changes hands by the
hand-over service, a notification and an access-log line are records."""

import pytest

from devices.models import Role
from tests.devices.factories import make_person
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db
READ_ONLY = [
    "repairs/ticket",
    "devices/assignment",
    "distribution/handoverevent",
    "notifications/notification",
    "privacy/accesslog",
]


@pytest.fixture
def superuser_client(client):
    client.force_login(make_person(Role.MANAGER, username="root", is_superuser=True))
    return client


@pytest.mark.parametrize("model", READ_ONLY)
def test_the_admin_lists_but_never_adds(superuser_client, model):
    assert superuser_client.get(f"/admin/{model}/").status_code == 200
    assert superuser_client.get(f"/admin/{model}/add/").status_code == 403


def test_a_ticket_and_its_timeline_are_shown_without_a_field_to_edit_or_a_row_to_delete(superuser_client):
    ticket = build_world().declare()
    page = superuser_client.get(f"/admin/repairs/ticket/{ticket.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert ticket.reference in html
    assert 'name="state"' not in html and "-DELETE" not in html and 'name="_save"' not in html
    assert superuser_client.post(f"/admin/repairs/ticket/{ticket.pk}/delete/", {"post": "yes"}).status_code == 403
    ticket.refresh_from_db()  # still there
