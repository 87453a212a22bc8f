"""The REST API, as each kind of user meets it."""

import io

import pytest
from django.test import override_settings
from PIL import Image
from rest_framework.test import APIClient

from repairs.models import Attachment, Ticket, TimelineEntry
from tests.devices.factories import DeviceFactory
from tests.images import JPEG, PNG
from tests.repairs.factories import force_state, world_fixtures

pytestmark = pytest.mark.django_db


module_world, world = world_fixtures()


def api_as(user) -> APIClient:
    """A client authenticated the way scripts do: token from /api/v1/auth/token/."""
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "pw"}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def declare(client, device, **extra):
    payload = {"device": device.serial_number, "category": "screen", "description": "Écran fissuré", **extra}
    return client.post("/api/v1/tickets/", payload, format="json")


def fire(client, reference, name, **fields):
    return client.post(f"/api/v1/tickets/{reference}/transitions/{name}/", fields, format="json")


def test_student_declares_and_technician_takes_it_through_to_hand_over(world):
    student, tech = api_as(world.student), api_as(world.tech)
    response = declare(student, world.device)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "declared"
    reference = body["reference"]
    assert reference.startswith("R-")
    assert body["available_transitions"] == ["cancel"]

    detail = tech.get(f"/api/v1/tickets/{reference}/").json()
    assert set(detail["available_transitions"]) == {"request_device", "start_diagnosis", "cancel"}
    for name, state in [
        ("start_diagnosis", "diagnosing"),
        ("start_repair", "in_repair"),
        ("finish_repair", "ready_for_return"),
        ("hand_over", "returned"),
    ]:
        response = fire(tech, reference, name, note=f"{name} ok")
        assert response.status_code == 200, response.content
        assert response.json()["state"] == state
    timeline = tech.get(f"/api/v1/tickets/{reference}/").json()["timeline"]
    assert [e["target"] for e in timeline] == ["declared", "diagnosing", "in_repair", "ready_for_return", "returned"]
    assert timeline[1]["actor"]["username"] == "tech"


def test_a_student_of_another_establishment_gets_404_everywhere(world):
    ticket = world.declare()
    other = api_as(world.other_student)
    assert other.get(f"/api/v1/tickets/{ticket.reference}/").status_code == 404
    assert fire(other, ticket.reference, "cancel").status_code == 404
    assert other.post(f"/api/v1/tickets/{ticket.reference}/comments/", {"text": "hi"}).status_code == 404
    assert other.get("/api/v1/tickets/").json()["results"] == []
    assert other.get(f"/api/v1/devices/{world.device.serial_number}/").status_code == 404
    assert api_as(world.other_tech).get(f"/api/v1/tickets/{ticket.reference}/").status_code == 404


def test_an_illegal_transition_is_409_and_changes_nothing(world):
    ticket = world.declare()
    response = fire(api_as(world.tech), ticket.reference, "hand_over")
    assert response.status_code == 409
    expected = f"« Restituer » est impossible : le ticket {ticket.reference} est « Déclaré »."
    assert response.json()["detail"] == expected
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.state, fresh.version) == ("declared", ticket.version)
    assert TimelineEntry.objects.filter(ticket=ticket).count() == 1


def test_a_transition_the_caller_may_not_do_is_403(world):
    ticket = world.declare()
    response = fire(api_as(world.student), ticket.reference, "start_diagnosis")
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).state == "declared"


def test_a_failed_condition_is_400_and_names_the_field(world):
    ticket = force_state(world.declare(), "diagnosing")
    response = fire(api_as(world.tech), ticket.reference, "close_no_fault")
    assert response.status_code == 400
    assert "note" in response.json()["errors"]
    assert Ticket.objects.get(pk=ticket.pk).state == "diagnosing"


def test_a_stale_version_is_409(world):
    ticket = world.declare()
    tech = api_as(world.tech)
    response = fire(tech, ticket.reference, "start_diagnosis", version=ticket.version + 5)
    assert response.status_code == 409
    assert response.json()["code"] == "changed"
    assert fire(tech, ticket.reference, "start_diagnosis", version=ticket.version).status_code == 200


def test_fields_a_caller_may_not_set_are_ignored_on_declaration(world):
    response = declare(
        api_as(world.student),
        world.device,
        state="returned",
        establishment=world.other_establishment.uai,
        reporter=world.tech.username,
        assignee=world.tech.username,
        resolution_due_at="2030-01-01T00:00:00Z",
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get(reference=response.json()["reference"])
    assert (ticket.state, ticket.establishment, ticket.reporter, ticket.assignee) == (
        "declared",
        world.establishment,
        world.student,
        None,
    )
    # The SLA engine computes the due date from the policy; the one sent is ignored.
    assert ticket.resolution_due_manual is None
    assert ticket.resolution_due_at is not None and ticket.resolution_due_at.year != 2030


def test_declaring_an_unknown_device_is_400(world):
    response = api_as(world.staff).post(
        "/api/v1/tickets/", {"device": "NOPE", "category": "screen", "description": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "device" in response.json()


def test_declaring_twice_the_same_fault_is_400_with_the_existing_reference(world):
    first = declare(api_as(world.student), world.device).json()["reference"]
    response = declare(api_as(world.staff), world.device)
    assert response.status_code == 400
    assert first in response.json()["detail"]


def test_list_filters(world):
    first = world.declare(category="screen")
    second = world.declare(category="battery")
    Ticket.objects.filter(pk=second.pk).update(resolution_breached=True, assignee=world.tech)
    tech = api_as(world.tech)

    def refs(**params):
        response = tech.get("/api/v1/tickets/", params)
        assert response.status_code == 200, response.content
        return {row["reference"] for row in response.json()["results"]}

    assert refs() == {first.reference, second.reference}
    assert refs(category="battery") == {second.reference}
    assert refs(state="declared") == {first.reference, second.reference}
    assert refs(state="returned") == set()
    assert refs(establishment=world.establishment.uai.lower()) == {first.reference, second.reference}
    assert refs(priority="high") == {first.reference}
    assert refs(assigned_to="me") == {second.reference}
    assert refs(assigned_to="none") == {first.reference}
    assert refs(sla="breached") == {second.reference}
    assert refs(sla="ok") == {first.reference}
    assert refs(search=world.device.serial_number.lower()) == {first.reference, second.reference}
    assert refs(search=first.reference) == {first.reference}
    assert tech.get("/api/v1/tickets/", {"sla": "late"}).status_code == 400


def test_list_query_count_does_not_grow_with_the_page(world, django_assert_max_num_queries):
    tech = api_as(world.tech)
    world.declare()
    with django_assert_max_num_queries(10) as one:
        tech.get("/api/v1/tickets/")
    for _ in range(30):
        world.declare(device=DeviceFactory(establishment=world.establishment), by=world.staff)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = tech.get("/api/v1/tickets/", {"page_size": 50})
    assert len(response.json()["results"]) == 31
    assert "count" not in response.json()  # no COUNT(*) over the table on every page


def test_pagination_links(world):
    for _ in range(3):
        world.declare(device=DeviceFactory(establishment=world.establishment), by=world.staff)
    body = api_as(world.tech).get("/api/v1/tickets/", {"page_size": 2}).json()
    assert len(body["results"]) == 2 and body["next"] and body["previous"] is None
    body = api_as(world.tech).get(body["next"]).json()
    assert len(body["results"]) == 1 and body["next"] is None and body["previous"]


def test_loaner_lend_and_collect(world):
    ticket = world.declare()
    staff = api_as(world.staff)
    response = staff.post(f"/api/v1/tickets/{ticket.reference}/loaner/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["loaner"] == world.spare.serial_number
    assert response.json()["loaner_out"] is True
    assert staff.post(f"/api/v1/tickets/{ticket.reference}/loaner/", {}, format="json").status_code == 400
    response = staff.post(f"/api/v1/tickets/{ticket.reference}/loaner/collect/")
    assert response.status_code == 200
    assert response.json()["loaner_out"] is False


def test_comments_and_their_ids_are_scoped_to_their_ticket(world):
    ticket, other = world.declare(), world.declare(category="battery")
    student = api_as(world.student)
    response = student.post(f"/api/v1/tickets/{ticket.reference}/comments/", {"text": "Merci !"}, format="json")
    assert response.status_code == 201
    comment_id = response.json()["id"]
    assert student.get(f"/api/v1/tickets/{ticket.reference}/comments/{comment_id}/").status_code == 200
    assert student.get(f"/api/v1/tickets/{other.reference}/comments/{comment_id}/").status_code == 404
    response = student.post(f"/api/v1/tickets/{ticket.reference}/comments/", {"text": "  "}, format="json")
    assert response.status_code == 400


def post_file(client, reference, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/api/v1/tickets/{reference}/attachments/",
        {"file": SimpleUploadedFile(name, data, content_type="image/jpeg")},
        format="multipart",
    )


def test_a_photo_is_attached_and_served_only_as_a_safe_download(world, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        ticket, other = world.declare(), world.declare(category="battery")
        student = api_as(world.student)
        response = post_file(student, ticket.reference, "../../photo écran.png", PNG)
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["content_type"], body["original_name"]) == ("image/png", "photo_écran.png")
        download = student.get(body["url"])
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment")
        assert download["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in download["Content-Security-Policy"]
        served = b"".join(download.streaming_content)
        # Re-encoded: the same picture, not the bytes that were sent.
        assert served != PNG
        assert Image.open(io.BytesIO(served)).size == Image.open(io.BytesIO(PNG)).size
        # Under another ticket's URL, or for someone who cannot see the ticket: 404.
        attachment_id = body["id"]
        assert student.get(f"/api/v1/tickets/{other.reference}/attachments/{attachment_id}/").status_code == 404
        assert api_as(world.other_student).get(body["url"]).status_code == 404
        # The raw file is not reachable by URL.
        stored = Attachment.objects.get(pk=attachment_id).file.name
        assert APIClient().get(f"/media/{stored}").status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("logo.jpg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("page.jpg", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("polyglot.jpg", JPEG[:-2] + b"<script>alert(1)</script>" + b"\xff\xd9"),
        ("setup.jpg", b"MZ\x90\x00" + b"\x00" * 60),
        ("doc.pdf", b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj"),
        ("notes.txt", b"just text"),
    ],
)
def test_dangerous_or_unknown_files_are_refused_whatever_their_name(world, tmp_path, name, data):
    with override_settings(MEDIA_ROOT=tmp_path):
        ticket = world.declare()
        response = post_file(api_as(world.student), ticket.reference, name, data)
        assert response.status_code == 400
        assert "file" in response.json()["errors"]
        assert not Attachment.objects.exists()
        assert not any(tmp_path.rglob("*.*"))


def test_device_detail(world):
    body = api_as(world.tech).get(f"/api/v1/devices/{world.device.serial_number.lower()}/").json()
    assert body["serial_number"] == world.device.serial_number
    assert body["holder"]["username"] == "eleve"
    assert body["image"] == {"version": "2026.1", "academie": "toulouse", "current": True}
    assert [c["kind"] for c in body["coverages"]] == ["manufacturer"]


def test_me(world):
    body = api_as(world.student).get("/api/v1/me/").json()
    assert body["role"] == "student"
    assert body["devices"] == [world.device.serial_number]
    assert body["establishments"][0]["uai"] == world.establishment.uai
    assert api_as(world.tech).get("/api/v1/me/").json()["zone"] == "z31"


def test_anonymous_callers_are_refused_and_the_schema_is_published(world):
    assert APIClient().get("/api/v1/tickets/").status_code == 401
    response = api_as(world.tech).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/tickets/{reference}/transitions/{name}/" in response.content
