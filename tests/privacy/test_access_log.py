"""Every read of a student's ticket or laptop by someone else leaves one row per reader, student,
object and hour; the student sees who read their file, managers read the whole log."""

import datetime as dt

import pytest
from django.utils import timezone

from devices.models import Assignment
from privacy import services
from privacy.models import AccessLog

pytestmark = pytest.mark.django_db


def logged() -> list[tuple[str, str, str, str, str]]:
    return list(
        AccessLog.objects.order_by("pk").values_list(
            "reader__username", "reader_role", "student__username", "kind", "object_ref"
        )
    )


def test_opening_a_ticket_page_logs_one_row_per_hour_not_per_read(client, world):
    ticket = world.declare()
    client.force_login(world.tech)
    for _ in range(3):
        assert client.get(f"/tickets/{ticket.reference}/").status_code == 200
    assert logged() == [("tech", "technician", "eleve", "ticket", ticket.reference)]


def test_the_ticket_api_and_the_laptop_page_and_api_are_logged(client, world, api):
    ticket = world.declare()
    assert api(world.staff).get(f"/api/v1/tickets/{ticket.reference}/").status_code == 200
    assert api(world.manager).get(f"/api/v1/devices/{world.device.serial_number}/").status_code == 200
    client.force_login(world.supervisor)
    assert client.get(f"/devices/{world.device.serial_number}/").status_code == 200
    assert logged() == [
        ("referent", "staff", "eleve", "ticket", ticket.reference),
        ("manager", "manager", "eleve", "device", world.device.serial_number),
        ("supervisor", "supervisor", "eleve", "device", world.device.serial_number),
    ]


def test_a_student_reading_their_own_file_leaves_no_row(client, world, api):
    ticket = world.declare()
    client.force_login(world.student)
    client.get(f"/tickets/{ticket.reference}/")
    client.get(f"/devices/{world.device.serial_number}/")
    api(world.student).get(f"/api/v1/tickets/{ticket.reference}/")
    assert logged() == []


def test_the_queue_is_not_logged_row_by_row(client, world):
    world.declare()
    world.declare(category="battery")
    client.force_login(world.tech)
    assert client.get("/tickets/").status_code == 200
    assert logged() == []


def test_a_ticket_declared_by_staff_concerns_the_student_who_held_the_laptop(client, world):
    ticket = world.declare(by=world.staff)
    client.force_login(world.tech)
    client.get(f"/tickets/{ticket.reference}/")
    assert logged() == [("tech", "technician", "eleve", "ticket", ticket.reference)]


def test_a_new_hour_is_a_new_row(world):
    ticket = world.declare()
    now = timezone.now()
    services.access_record_ticket(reader=world.tech, ticket=ticket, now=now)
    services.access_record_ticket(reader=world.tech, ticket=ticket, now=now + dt.timedelta(minutes=1))
    services.access_record_ticket(reader=world.tech, ticket=ticket, now=now + dt.timedelta(hours=1))
    assert AccessLog.objects.count() == 2


def test_the_log_costs_the_ticket_page_one_query(client, world, django_assert_max_num_queries, settings):
    ticket = world.declare()
    client.force_login(world.tech)
    client.get(f"/tickets/{ticket.reference}/")  # warm up: session, caches
    from repairs.signals import file_read

    file_read.disconnect(dispatch_uid="privacy-access-log")
    try:
        with django_assert_max_num_queries(100) as without:
            client.get(f"/tickets/{ticket.reference}/")
    finally:
        from privacy.receivers import connect

        connect()
    with django_assert_max_num_queries(len(without.captured_queries) + 1):
        client.get(f"/tickets/{ticket.reference}/")


def test_the_student_sees_who_read_their_file_on_their_page_and_in_the_api(client, world, api):
    ticket = world.declare()
    world.tech.first_name, world.tech.last_name = "Paul", "Technicien"
    world.tech.save()
    services.access_record_ticket(reader=world.tech, ticket=ticket)
    client.force_login(world.student)
    page = client.get("/privacy/me/").content.decode()
    assert "Qui a consulté mon dossier" in page
    assert "Paul Technicien" in page and "Technicien" in page and ticket.reference in page
    rows = api(world.student).get("/api/v1/me/access-log/").json()["results"]
    assert [(r["reader"], r["reader_role"], r["kind"], r["object"]) for r in rows] == [
        ("Paul Technicien", "technician", "ticket", ticket.reference)
    ]


def test_another_student_sees_nothing_of_someone_elses_log(world, api):
    ticket = world.declare()
    services.access_record_ticket(reader=world.tech, ticket=ticket)
    assert api(world.other_student).get("/api/v1/me/access-log/").json()["results"] == []


def test_managers_read_the_log_in_the_admin_filtered_by_student_and_reader(client, world):
    ticket = world.declare()
    services.access_record_ticket(reader=world.tech, ticket=ticket)
    services.access_record_ticket(reader=world.staff, ticket=ticket)
    other_laptop = Assignment.objects.get(student=world.other_student).device
    services.access_record_device(reader=world.other_tech, device=other_laptop)
    client.force_login(world.manager)
    url = "/admin/privacy/accesslog/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count(ticket.reference) == 2  # both readers of the ticket
    by_reader = client.get(f"{url}?reader__id__exact={world.staff.pk}").content.decode()
    assert by_reader.count(ticket.reference) == 1
    by_student = client.get(f"{url}?student__id__exact={world.other_student.pk}").content.decode()
    assert ticket.reference not in by_student and other_laptop.serial_number in by_student


def test_technicians_and_staff_cannot_read_the_log(client, world):
    client.force_login(world.tech)
    assert client.get("/admin/privacy/accesslog/").status_code in (302, 403)
    client.force_login(world.staff)
    assert client.get("/admin/privacy/accesslog/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_read_outside_any_transaction_is_written_once(world):
    """The page's own statement (autocommit; on PostgreSQL without waiting for the disk)."""
    ticket = world.declare()
    for _ in range(2):
        services.access_record_ticket(reader=world.tech, ticket=ticket)
    assert logged() == [("tech", "technician", "eleve", "ticket", ticket.reference)]


def test_the_demo_student_sees_who_read_their_file_after_seeding(world):
    from privacy.demo import demo_access_log_seed

    for user, name in ((world.student, "demo-student"), (world.staff, "demo-staff"), (world.tech, "demo-tech")):
        user.username = name
        user.save()
    count = demo_access_log_seed()
    assert count == 2  # the laptop, read by each of them
    assert demo_access_log_seed() == 0  # idempotent
    assert AccessLog.objects.count() == 2
