"""The daily digest: a recipient's collected rows become one email a day."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.services import outbox_add
from tests.devices.factories import UserFactory

pytestmark = pytest.mark.django_db


def collect(person, n: int, *, language: str = "fr") -> None:
    with transaction.atomic():
        for i in range(n):
            outbox_add(
                recipient=person,
                channel="digest",
                event="ticket.declared",
                subject=f"R-2026-00000{i} déclaré <écran>",
                body="",
                idempotency_key=f"{person.pk}:{i}:digest",
                link=f"https://sav.example.org/tickets/R-2026-00000{i}/",
                language=language,
            )


def test_a_recipients_rows_become_one_email_listing_them(mailoutbox, django_capture_on_commit_callbacks):
    person = UserFactory(email="referent@example.org", first_name="Dominique")
    collect(person, 3)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send() == 1
    [email] = mailoutbox
    assert email.to == ["referent@example.org"]
    assert email.subject.startswith("Résumé du jour")
    assert "3 événements" in email.subject
    assert email.body.count("https://sav.example.org/tickets/") == 3
    assert "R-2026-000002 déclaré <écran>" in email.body  # text is not HTML-escaped
    html = email.alternatives[0][0]
    assert "R-2026-000002 déclaré &lt;écran&gt;" in html  # HTML is
    digest = Notification.objects.get(event="digest")
    assert digest.status == "sent"
    assert set(Notification.objects.filter(channel="digest").values_list("status", "digest")) == {
        ("bundled", digest.pk)
    }


def test_the_digest_goes_out_once_a_day(mailoutbox, django_capture_on_commit_callbacks):
    person = UserFactory(email="referent@example.org")
    collect(person, 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.digests_send()
        assert services.digests_send() == 0
    with transaction.atomic():
        outbox_add(recipient=person, channel="digest", event="e", subject="late", body="", idempotency_key="late-row")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send() == 0  # today's went out: the late row waits for tomorrow's
        assert services.digests_send(now=timezone.now() + dt.timedelta(days=1)) == 1
    assert len(mailoutbox) == 2


def test_the_digest_speaks_the_recipients_language(mailoutbox, django_capture_on_commit_callbacks):
    person = UserFactory(email="referent@example.org")
    collect(person, 1, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.digests_send()
    assert mailoutbox[0].subject.startswith("Daily summary")


def test_nobody_without_rows_gets_a_digest(mailoutbox):
    UserFactory(email="referent@example.org")
    assert services.digests_send() == 0
    assert mailoutbox == []
