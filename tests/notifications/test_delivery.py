"""Delivery: once, after commit; retried on a channel error; failed after the last attempt."""

import datetime as dt

import pytest
from celery.exceptions import Retry
from django.db import transaction
from django.utils import timezone

from notifications import services, tasks
from notifications.channels import ChannelError
from notifications.models import Notification
from notifications.services import outbox_add
from tests.devices.factories import UserFactory
from tests.notifications import celery_helpers
from tests.notifications.backends import FlakyEmailBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky_mail(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyEmailBackend"
    FlakyEmailBackend.failures = 0
    yield FlakyEmailBackend
    FlakyEmailBackend.failures = 0


def pending(*, channel="email", address="", key="k-1") -> Notification:
    person = UserFactory(email="camille@example.org", first_name="Camille")
    with transaction.atomic():
        return outbox_add(
            recipient=person,
            channel=channel,
            event="test.event",
            subject="Votre ticket R-2026-000001",
            body="Bonjour Camille,\n\nTexte.\n",
            html_body="<p>Bonjour Camille,</p><p>Texte.</p>",
            idempotency_key=key,
            link="https://sav.example.org/tickets/R-2026-000001/",
            address=address,
        )


def reread(row: Notification) -> Notification:
    return Notification.objects.get(pk=row.pk)


def test_delivery_after_commit_sends_one_email_with_text_and_html(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        row = pending()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert (email.to, email.subject, email.body) == (["camille@example.org"], row.subject, row.body)
    assert email.alternatives[0][1] == "text/html"
    assert "<p>Texte.</p>" in email.alternatives[0][0]
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    assert email.extra_headers["Message-ID"].startswith(f"<notification.{row.pk}.")
    row = reread(row)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None


def test_running_the_task_twice_sends_once(mailoutbox):
    row = pending()
    tasks.deliver_notification.apply(args=[row.pk])
    tasks.deliver_notification.apply(args=[row.pk])
    assert len(mailoutbox) == 1
    assert reread(row).attempts == 1


def test_a_row_taken_by_another_worker_is_left_to_it(mailoutbox):
    row = pending()
    Notification.objects.filter(pk=row.pk).update(status="sending", claimed_at=timezone.now())
    assert services.notification_deliver(notification_id=row.pk) is False
    assert mailoutbox == []


def test_a_row_held_by_a_dead_worker_is_taken_again_after_the_lease(mailoutbox, settings):
    row = pending()
    long_ago = timezone.now() - dt.timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE + 1)
    Notification.objects.filter(pk=row.pk).update(status="sending", claimed_at=long_ago, attempts=1)
    assert services.outbox_sweep() == 1
    assert len(mailoutbox) == 1
    assert (reread(row).status, reread(row).attempts) == ("sent", 2)


def test_a_row_being_sent_is_not_taken_again_before_its_lease_ends(mailoutbox, settings):
    row = pending()
    recently = timezone.now() - dt.timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE - 5)
    Notification.objects.filter(pk=row.pk).update(status="sending", claimed_at=recently, attempts=1)
    assert services.outbox_sweep() == 0
    assert services.notification_deliver(notification_id=row.pk) is False
    assert mailoutbox == []
    assert reread(row).status == "sending"


def test_an_unknown_row_is_a_no_op(mailoutbox):
    assert services.notification_deliver(notification_id=987654) is False
    assert mailoutbox == []


def celery_retries_in_process():
    """Eager Celery runs a task's retries at once, without their countdown, unless errors propagate."""
    return celery_helpers.celery_configured(task_eager_propagates=False)


def test_the_task_retries_channel_errors_with_a_short_exponential_backoff(settings):
    task = tasks.deliver_notification
    assert task.acks_late is True
    assert task.autoretry_for == (ChannelError,)
    assert (task.retry_backoff, task.retry_jitter) == (settings.NOTIFICATIONS_RETRY_BACKOFF, True)
    # Never a countdown long enough to outlive Redis' visibility timeout (1 h): it would run twice.
    assert task.retry_backoff_max <= 600
    assert task.max_retries >= settings.NOTIFICATIONS_MAX_ATTEMPTS - 1


def test_a_failed_attempt_asks_celery_for_a_retry_with_a_countdown(flaky_mail):
    row = pending()
    flaky_mail.failures = 1
    with pytest.raises(Retry) as retry:
        tasks.deliver_notification.apply(args=[row.pk])
    assert 0 <= retry.value.when <= tasks.deliver_notification.retry_backoff_max
    assert reread(row).status == "pending"


def test_a_mail_server_failure_is_retried_then_delivered(flaky_mail, mailoutbox):
    row = pending()
    flaky_mail.failures = 2
    with celery_retries_in_process():
        tasks.deliver_notification.apply(args=[row.pk])
    row = reread(row)
    assert (row.status, row.attempts) == ("sent", 3)
    assert "Connection unexpectedly closed" in row.last_error  # what happened on the way is kept
    assert len(mailoutbox) == 1


def test_a_mail_server_failure_is_retried_then_marked_failed_with_the_error(flaky_mail, mailoutbox, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    row = pending()
    flaky_mail.failures = 10
    with celery_retries_in_process():
        tasks.deliver_notification.apply(args=[row.pk])
    row = reread(row)
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error == "email: SMTPServerDisconnected: Connection unexpectedly closed"
    assert mailoutbox == []
    # A failed row stays failed: neither the task nor the sweep touches it again.
    tasks.deliver_notification.apply(args=[row.pk])
    assert services.outbox_sweep(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert reread(row).attempts == 3


def test_a_failed_attempt_leaves_the_row_pending_until_its_retry_is_due(flaky_mail, settings):
    row = pending()
    flaky_mail.failures = 1
    with pytest.raises(ChannelError):
        services.notification_deliver(notification_id=row.pk)
    row = reread(row)
    assert (row.status, row.attempts, row.claimed_at) == ("pending", 1, None)
    assert row.next_attempt_at > timezone.now() + dt.timedelta(seconds=settings.NOTIFICATIONS_RETRY_BACKOFF - 5)
    # The sweep leaves it to the task's own retry, unless that retry is long overdue.
    assert services.outbox_sweep() == 0
    assert (
        services.outbox_sweep(now=row.next_attempt_at + dt.timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER + 1))
        == 1
    )
    assert reread(row).status == "sent"


def test_resending_a_failed_row_gives_it_fresh_attempts(flaky_mail, mailoutbox, django_capture_on_commit_callbacks):
    row = pending()
    Notification.objects.filter(pk=row.pk).update(status="failed", attempts=6, last_error="email: refused")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notification_resend(notification=row) is True
    row = reread(row)
    assert (row.status, row.attempts) == ("sent", 1)
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.notification_resend(notification=row) is False  # sent: nothing to resend
    assert callbacks == []


def test_an_sms_goes_through_the_sms_backend(sms_outbox, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = pending(channel="sms", address="+33639980001")
    assert sms_outbox == [{"to": "+33639980001", "text": row.body}]
    assert mailoutbox == []
    assert reread(row).status == "sent"


def test_a_delivery_error_never_escapes_the_after_commit_hook(monkeypatch, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("template bug")

    monkeypatch.setattr(services, "notification_deliver", broken)
    with django_capture_on_commit_callbacks(execute=True):
        row = pending()  # the commit that wrote the row must not fail because of its delivery
    assert reread(row).status == "pending"


def test_a_bug_in_a_channel_marks_the_row_failed_instead_of_retrying_forever(monkeypatch):
    def broken(**kwargs):
        raise KeyError("no such template")

    monkeypatch.setitem(services.SENDERS, "email", broken)
    row = pending()
    with pytest.raises(KeyError):
        services.notification_deliver(notification_id=row.pk)
    row = reread(row)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "KeyError" in row.last_error
