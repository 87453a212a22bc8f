"""Failed notifications are visible to managers in the admin, with a resend action."""

import pytest
from django.db import transaction

from devices.models import Role
from notifications.models import Notification
from notifications.services import outbox_add
from tests.devices.factories import make_person

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notifications/notification/"


def failed_row(person, *, key="k-1") -> Notification:
    with transaction.atomic():
        row = outbox_add(
            recipient=person, channel="email", event="ticket.declared", subject="S", body="B", idempotency_key=key
        )
    Notification.objects.filter(pk=row.pk).update(
        status="failed", attempts=6, last_error="email: SMTPServerDisconnected: Connection unexpectedly closed"
    )
    return row


@pytest.fixture
def manager_client(client):
    manager = make_person(Role.MANAGER, username="chef", email="chef@example.org")
    client.force_login(manager)
    return client


def test_a_failed_notification_shows_in_the_changelist_with_its_error(manager_client, django_assert_max_num_queries):
    person = make_person(Role.STUDENT, email="eleve@example.org")
    failed_row(person)
    for i in range(5):
        failed_row(person, key=f"more-{i}")
    with django_assert_max_num_queries(12):
        response = manager_client.get(CHANGELIST, {"status__exact": "failed", "channel__exact": "email"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "SMTPServerDisconnected" in content
    assert "eleve@example.org" in content


def test_the_changelist_filters_and_searches(manager_client):
    person = make_person(Role.STUDENT, email="eleve@example.org")
    failed_row(person)
    assert manager_client.get(CHANGELIST, {"event": "ticket.declared"}).status_code == 200
    response = manager_client.get(CHANGELIST, {"q": "k-1"})
    assert response.context["cl"].result_count == 1
    assert manager_client.get(CHANGELIST, {"status__exact": "sent"}).context["cl"].result_count == 0


def test_the_resend_action_delivers_a_failed_notification(
    manager_client, mailoutbox, django_capture_on_commit_callbacks
):
    row = failed_row(make_person(Role.STUDENT, email="eleve@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(CHANGELIST, {"action": "resend", "_selected_action": [row.pk]}, follow=True)
    assert response.status_code == 200
    assert "1 notification remise en file d’envoi." in response.content.decode()
    row = Notification.objects.get(pk=row.pk)
    assert (row.status, row.attempts) == ("sent", 1)
    assert len(mailoutbox) == 1


def test_notifications_are_not_shown_to_other_roles(client):
    for role in (Role.TECHNICIAN, Role.STAFF, Role.SUPERVISOR):
        client.force_login(make_person(role))
        assert client.get(CHANGELIST).status_code in (302, 403)


def test_a_notification_opens_read_only(manager_client):
    row = failed_row(make_person(Role.STUDENT, email="eleve@example.org"))
    response = manager_client.get(f"{CHANGELIST}{row.pk}/change/")
    assert response.status_code == 200
    assert "SMTPServerDisconnected" in response.content.decode()
    assert b'name="_save"' not in response.content
