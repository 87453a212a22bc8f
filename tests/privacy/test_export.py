"""A person downloads everything the service holds about them, and nothing about anyone else."""

import json

import pytest

from devices.models import Profile
from notifications.models import Notification
from privacy import services
from privacy.models import AccessLog
from repairs import services as repairs
from repairs.models import Ticket
from tests.repairs.factories import world_fixtures

pytestmark = pytest.mark.django_db
# The world of tests/privacy/conftest.py, written once for the module (tests/repairs/factories.py).
module_world, world = world_fixtures()


@pytest.fixture
def two_students(world):
    """Each student has a ticket, a comment, a notification; the desk wrote an internal reason."""
    Profile.objects.filter(user=world.student).update(phone="0612345678", class_name="2nde B")
    Profile.objects.filter(user=world.other_student).update(phone="0698765432", class_name="1re C")
    world.other_student.first_name, world.other_student.last_name = "Zoé", "Autrelève"
    world.other_student.email = "zoe@example.org"
    world.other_student.save()
    world.student.email = "eleve@example.org"
    world.student.save()
    mine = world.declare(description="Mon écran clignote")
    repairs.ticket_comment(ticket=mine, actor=world.tech, text="Apporte-le au CDI")
    repairs.ticket_start_diagnosis(
        ticket=Ticket.objects.get(pk=mine.pk), actor=world.tech, coverage="region", coverage_reason="Raison interne XYZ"
    )
    other_device = world.other_student.assignments.get().device
    theirs = world.declare(by=world.other_student, device=other_device, description="Clavier de Zoé cassé")
    services.access_record_ticket(reader=world.tech, ticket=mine)
    services.access_record_ticket(reader=world.other_tech, ticket=theirs)
    return mine, theirs


def test_the_export_holds_the_callers_profile_tickets_history_notifications_and_log(world, api, two_students):
    mine, _ = two_students
    data = api(world.student).get("/api/v1/me/export/").json()
    assert data["account"]["username"] == "eleve"
    assert data["profile"]["phone"] == "0612345678" and data["profile"]["class"] == "2nde B"
    assert [laptop["serial_number"] for laptop in data["laptops"]] == [world.device.serial_number]
    [ticket] = data["tickets"]
    assert ticket["reference"] == mine.reference and ticket["description"] == "Mon écran clignote"
    assert "Apporte-le au CDI" in [line["text"] for line in ticket["history"]]
    assert {n["event"] for n in data["notifications"]} >= {"ticket.declared"}
    assert [(row["reader_role"], row["object"]) for row in data["access_log"]] == [("technician", mine.reference)]


def test_the_export_holds_nothing_about_another_student(world, api, two_students):
    _, theirs = two_students
    text = json.dumps(api(world.student).get("/api/v1/me/export/").json(), ensure_ascii=False)
    for other in (theirs.reference, "Clavier de Zoé", "Zoé", "Autrelève", "zoe@example.org", "0698765432", "1re C"):
        assert other not in text
    assert "eleve-autre" not in text


def test_the_export_leaves_out_the_desks_internal_notes(world, api, two_students):
    text = json.dumps(api(world.student).get("/api/v1/me/export/").json(), ensure_ascii=False)
    assert "Raison interne XYZ" not in text


def test_the_other_student_gets_their_own_and_only_theirs(world, api, two_students):
    mine, theirs = two_students
    data = api(world.other_student).get("/api/v1/me/export/").json()
    assert [t["reference"] for t in data["tickets"]] == [theirs.reference]
    assert mine.reference not in json.dumps(data)


def test_the_my_data_page_has_a_download_button_and_the_preferences_page_links_to_it(client, world, two_students):
    client.force_login(world.student)
    page = client.get("/preferences/").content.decode()
    assert "Télécharger mes données" in page and "/privacy/me/export.json" in page
    page = client.get("/privacy/me/").content.decode()
    assert "Télécharger mes données" in page
    response = client.get("/privacy/me/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    assert json.loads(response.content)["account"]["username"] == "eleve"


def test_my_data_is_in_the_menu(client, world):
    client.force_login(world.staff)
    assert 'href="/privacy/me/"' in client.get("/").content.decode()


def test_a_manager_downloads_a_students_export_and_it_is_logged(client, world, two_students):
    client.force_login(world.manager)
    response = client.get(f"/privacy/students/{world.student.pk}/export.json")
    assert response.status_code == 200
    assert json.loads(response.content)["account"]["username"] == "eleve"
    assert AccessLog.objects.filter(reader=world.manager, student=world.student, kind="export").count() == 1


def test_staff_and_technicians_cannot_download_a_students_export(client, world):
    for person in (world.staff, world.tech, world.other_student):
        client.force_login(person)
        assert client.get(f"/privacy/students/{world.student.pk}/export.json").status_code == 404
    assert not AccessLog.objects.exists()


def test_the_export_needs_a_login(client):
    assert client.get("/api/v1/me/export/").status_code in (401, 403)
    assert client.get("/privacy/me/export.json").status_code == 302


def test_the_export_lists_the_notifications_sent_to_the_caller_only(world, api, two_students):
    data = api(world.student).get("/api/v1/me/export/").json()
    mine = set(Notification.objects.filter(recipient=world.student).values_list("subject", flat=True))
    assert {n["subject"] for n in data["notifications"]} == mine


def test_the_export_holds_the_desks_history_of_the_caller_without_the_desks_note(world, api, two_students):
    from distribution.models import HandoverEvent

    HandoverEvent.objects.create(
        kind=HandoverEvent.Kind.RETURNED, at=world.device.assignments.get().handed_over_at, device=world.device,
        student=world.student, actor=world.staff, condition="damaged", note="Note interne du bureau",
    )  # fmt: skip
    data = api(world.student).get("/api/v1/me/export/").json()
    assert [(e["event"], e["laptop"], e["condition"]) for e in data["handovers"]] == [
        ("returned", world.device.serial_number, "damaged")
    ]
    assert "Note interne du bureau" not in json.dumps(data, ensure_ascii=False)
