"""The outbox: a row per message, written in the caller's transaction, enqueued only after commit."""

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError

from notifications.models import Notification
from notifications.services import outbox_add
from tests.devices.factories import UserFactory

pytestmark = pytest.mark.django_db


def add(recipient, **fields):
    values = {
        "recipient": recipient,
        "channel": "email",
        "event": "test.event",
        "subject": "Sujet",
        "body": "Texte",
        "idempotency_key": "k-1",
        **fields,
    }
    with transaction.atomic():
        return outbox_add(**values)


def test_a_row_is_pending_and_enqueued_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    person = UserFactory(email="camille@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        row = add(person, link="https://sav.example.org/tickets/R-2026-000001/")
    assert row.status == "pending"
    assert (row.address, row.attempts, row.language) == ("camille@example.org", 0, "fr")
    stored = Notification.objects.get(pk=row.pk)  # the row returned is the row written
    assert (stored.link, stored.created_at, stored.recipient) == (row.link, row.created_at, person)
    assert len(callbacks) == 1
    assert mailoutbox == []  # nothing leaves before commit


def test_the_same_idempotency_key_twice_writes_one_row_and_enqueues_once(django_capture_on_commit_callbacks):
    person = UserFactory(email="camille@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        first = add(person)
        second = add(person, subject="Autre sujet")
    assert first is not None
    assert second is None
    assert Notification.objects.get().subject == "Sujet"
    assert len(callbacks) == 1


def test_a_duplicate_key_does_not_break_the_callers_transaction():
    person = UserFactory(email="camille@example.org")
    with transaction.atomic():
        add(person)
        assert add(person) is None
        add(person, idempotency_key="k-2")  # the transaction is still usable
    assert Notification.objects.count() == 2


def test_a_rolled_back_transaction_leaves_no_row_and_enqueues_nothing(django_capture_on_commit_callbacks):
    person = UserFactory(email="camille@example.org")
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        add(person)
        raise RuntimeError("the change failed")
    assert not Notification.objects.exists()
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_outbox_refuses():
    person = UserFactory(email="camille@example.org")
    with pytest.raises(TransactionManagementError):
        outbox_add(recipient=person, channel="email", event="e", subject="s", body="b", idempotency_key="k")
    assert not Notification.objects.exists()


def test_digest_rows_wait_for_the_daily_task_and_are_not_enqueued(django_capture_on_commit_callbacks):
    person = UserFactory(email="referent@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        row = add(person, channel="digest")
    assert (row.channel, row.status) == ("digest", "pending")
    assert callbacks == []


def test_an_sms_needs_an_address_and_an_email_defaults_to_the_recipients():
    person = UserFactory(email="")
    with pytest.raises(ValueError, match="address"):
        add(person)
    assert add(person, channel="sms", address="+33639980001").address == "+33639980001"
