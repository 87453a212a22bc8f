"""Without a broker there is no beat: the periodic work runs as commands (cron)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.services import outbox_add
from tests.devices.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sweep_outbox_delivers_what_is_overdue(mailoutbox, capsys, settings):
    person = UserFactory(email="camille@example.org")
    with transaction.atomic():
        row = outbox_add(recipient=person, channel="email", event="e", subject="S", body="B", idempotency_key="k")
    overdue = timezone.now() - dt.timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER + 60)
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=overdue)
    call_command("sweep_outbox")
    assert "1 notification(s) re-enqueued." in capsys.readouterr().out
    assert len(mailoutbox) == 1


def test_send_digests_sends_todays_digests(mailoutbox, capsys, django_capture_on_commit_callbacks):
    person = UserFactory(email="referent@example.org")
    with transaction.atomic():
        outbox_add(recipient=person, channel="digest", event="e", subject="S", body="", idempotency_key="k")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests")
    assert "1 digest(s) written." in capsys.readouterr().out
    assert len(mailoutbox) == 1
