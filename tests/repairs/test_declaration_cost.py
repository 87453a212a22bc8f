"""What a declaration costs the database: counted from the page a student posts, the way it runs
in production (its own transaction, not a test's savepoint), notification rows included and
their delivery left out (after commit, a worker's job: here its wake-up call is dropped)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from repairs.models import Ticket
from tests.repairs.factories import build_world

TRANSACTION_CONTROL = ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")


@pytest.mark.django_db(transaction=True)
def test_a_student_declares_from_the_page_in_ten_statements(client, monkeypatch):
    monkeypatch.setattr("notifications.publish._publisher", lambda notification_id: True)
    world = build_world()
    world.student.email = "eleve@ac-toulouse.fr"
    world.student.save()
    client.force_login(world.student)
    client.get(reverse("repairs:declare"))
    form = {"device": world.device.serial_number, "category": "screen", "description": "L'écran reste noir."}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("repairs:declare"), form)
    assert response.status_code == 302
    # Transaction control aside: SQLite's BEGIN IMMEDIATE and COMMIT are statements in Django's
    # log, PostgreSQL's are not; what is counted is the same on both.
    statements = [q["sql"] for q in queries.captured_queries if q["sql"] not in TRANSACTION_CONTROL]
    assert len(statements) <= 10, "\n".join(s[:120] for s in statements)
    ticket = Ticket.objects.get()
    assert Notification.objects.filter(recipient=world.student, event="ticket.declared").count() == 1
    # Nothing is read twice: the holder, the device and the open tickets are each asked once.
    assert sum("devices_assignment" in sql for sql in statements) == 1
    assert ticket.establishment == world.establishment


@pytest.mark.django_db(transaction=True)
def test_a_fault_already_open_is_named_and_nothing_is_written(client):
    world = build_world()
    first = world.declare()
    client.force_login(world.student)
    form = {"device": world.device.serial_number, "category": "screen", "description": "Encore l'écran."}
    with CaptureQueriesContext(connection):
        response = client.post(reverse("repairs:declare"), form)
    assert response.status_code == 200
    assert first.reference in str(response.context["form"].errors["category"])
    assert Ticket.objects.count() == 1
