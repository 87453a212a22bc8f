"""Each probe that once answered 500, leaked existence, slipped through the upload checks or
redirected off-site, replayed exactly as it was reported."""

import io
import json
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image
from rest_framework.test import APIClient

from devices.models import Device
from repairs.models import Attachment, Ticket, TimelineEntry
from tests.devices.factories import DeviceFactory
from tests.images import image_bytes
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def web(client, user):
    client.force_login(user)
    return client


# 1. No 500 from client input


@pytest.mark.parametrize("page", ["1000000000000000000", "9" * 40, "-3", "abc", "1e9", "٣"])
def test_an_absurd_page_number_is_a_400_in_the_api(world, page):
    response = api(world.tech).get("/api/v1/tickets/", {"page": page})
    assert response.status_code == 400
    assert "page" in response.json()["errors"]


@pytest.mark.parametrize("page", ["1000000000000000000", "9" * 40, "abc"])
def test_an_absurd_page_number_shows_a_page_on_the_web(client, world, page):
    world.declare()
    assert web(client, world.tech).get("/tickets/", {"page": page}).status_code == 200


def test_a_json_body_nested_fifty_thousand_deep_is_a_400(world):
    ticket = world.declare()
    body = "[" * 50_000 + "]" * 50_000
    response = api(world.student).post(
        f"/api/v1/tickets/{ticket.reference}/comments/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "profond" in response.json()["detail"]


def test_a_json_body_over_one_megabyte_is_a_400(world):
    ticket = world.declare()
    body = json.dumps({"text": "x" * (1024 * 1024)})
    response = api(world.student).post(
        f"/api/v1/tickets/{ticket.reference}/comments/", body, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/devices/AB%00C/",
        "/devices/AB%00C/",
        "/declare/AB%00C/",
        "/d/AB%00C",
        "/establishments/A%00B/",
        "/tickets/R-2026-000001%00/",
    ],
)
def test_a_nul_byte_in_a_path_names_nothing(client, world, path):
    web(client, world.manager)
    assert client.get(path).status_code == 404


def test_a_nul_byte_in_a_query_a_form_or_a_json_field_is_a_400(client, world):
    ticket = world.declare()
    assert web(client, world.tech).get("/tickets/", {"q": "a\x00b"}).status_code == 400
    assert client.post(f"/tickets/{ticket.reference}/comments/", {"text": "a\x00b"}).status_code == 400
    response = api(world.student).post(
        f"/api/v1/tickets/{ticket.reference}/comments/", {"text": "a\x00b"}, format="json"
    )
    assert response.status_code == 400
    assert not TimelineEntry.objects.filter(ticket=ticket, kind="comment").exists()


# 2. No existence oracle when declaring


def test_a_laptop_of_another_school_and_an_unknown_serial_get_the_same_answer_in_the_api(world):
    foreign = DeviceFactory(establishment=world.other_establishment)
    answers = []
    for serial in (foreign.serial_number, "NO-SUCH-SERIAL"):
        response = api(world.staff).post(
            "/api/v1/tickets/", {"device": serial, "category": "screen", "description": "Écran noir"}, format="json"
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400
    assert not Ticket.objects.filter(device=foreign).exists()


def test_a_laptop_of_another_school_and_an_unknown_serial_get_the_same_answer_on_the_form(client, world):
    foreign = DeviceFactory(establishment=world.other_establishment)
    web(client, world.staff)
    answers = []
    for serial in (foreign.serial_number, "NO-SUCH-SERIAL"):
        response = client.post("/declare/", {"device": serial, "category": "screen", "description": "Écran noir"})
        answers.append((response.status_code, response.context["form"].errors.get("device")))
    assert answers[0] == answers[1]


# 3. Uploads


def jpeg_with_markup() -> bytes:
    """A valid JPEG carrying an HTML payload in a comment segment (COM, 0xFFFE)."""
    data = image_bytes("JPEG")
    payload = b"<img src=x onerror=alert(document.domain)>"
    segment = b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload
    return data[:2] + segment + data[2:]


def test_a_jpeg_carrying_html_is_stored_re_encoded_without_a_byte_of_it(world, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        ticket = world.declare()
        sent = jpeg_with_markup()
        response = api(world.student).post(
            f"/api/v1/tickets/{ticket.reference}/attachments/",
            {"file": SimpleUploadedFile("photo.jpg", sent, content_type="image/jpeg")},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        stored = Attachment.objects.get(ticket=ticket).file.read()
        assert b"onerror" not in stored
        assert Image.open(io.BytesIO(stored)).size == Image.open(io.BytesIO(sent)).size


def test_a_phone_photo_loses_its_gps_position(world, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        ticket = world.declare()
        sent = image_bytes("JPEG", gps=True)
        assert Image.open(io.BytesIO(sent)).getexif().get_ifd(0x8825)  # the test photo has a position
        api(world.student).post(
            f"/api/v1/tickets/{ticket.reference}/attachments/",
            {"file": SimpleUploadedFile("photo.jpg", sent)},
            format="multipart",
        )
        stored = Image.open(io.BytesIO(Attachment.objects.get(ticket=ticket).file.read()))
        assert not stored.getexif().get_ifd(0x8825)
        assert 0x010F not in stored.getexif()


def test_a_heic_photo_is_kept_as_a_jpeg(world, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        ticket = world.declare()
        response = api(world.student).post(
            f"/api/v1/tickets/{ticket.reference}/attachments/",
            {"file": SimpleUploadedFile("IMG_0001.HEIC", image_bytes("HEIF"))},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        assert response.json()["content_type"] == "image/jpeg"
        assert response.json()["original_name"] == "IMG_0001.jpg"


def pdf(body: bytes) -> bytes:
    return b"%PDF-1.7\n" + body + b"\n%%EOF\n"


@pytest.mark.parametrize(
    "data",
    [
        pdf(b"1 0 obj << /Type /Catalog /OpenAction << /S /J#61vaScript /JS (app.alert(1)) >> >> endobj"),
        pdf(b"1 0 obj << /Type /Catalog /Names << /#45mbeddedFiles 2 0 R >> >> endobj"),
        pdf(
            b"2 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n"
            + zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
            + b"\nendstream endobj"
        ),
        pdf(b"1 0 obj << /A << /S /Launch /F (cmd.exe) >> >> endobj"),
    ],
    ids=["escaped-javascript-name", "escaped-embedded-files", "javascript-in-object-stream", "launch"],
)
def test_a_pdf_that_can_run_something_is_refused_however_it_is_written(world, tmp_path, data):
    with override_settings(MEDIA_ROOT=tmp_path):
        ticket = world.declare()
        response = api(world.student).post(
            f"/api/v1/tickets/{ticket.reference}/attachments/",
            {"file": SimpleUploadedFile("devis.pdf", data)},
            format="multipart",
        )
        assert response.status_code == 400
        assert not Attachment.objects.filter(ticket=ticket).exists()


# 4. Open redirect


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "https:evil.example"])
def test_assigning_never_redirects_off_site(client, world, target):
    ticket = world.declare()
    response = web(client, world.tech).post(
        "/tickets/assign/", {"tickets": [ticket.reference], "assignee": "me", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/tickets/"


def test_assigning_goes_back_to_the_filtered_list_it_came_from(client, world):
    ticket = world.declare()
    response = web(client, world.tech).post(
        "/tickets/assign/", {"tickets": [ticket.reference], "assignee": "me", "next": "/tickets/?state=declared"}
    )
    assert response["Location"] == "/tickets/?state=declared"


# 5. One length limit everywhere, in the services


def test_a_million_character_description_is_refused_by_the_api(world):
    response = api(world.student).post(
        "/api/v1/tickets/",
        {"device": world.device.serial_number, "category": "screen", "description": "x" * 1_000_000},
        format="json",
    )
    assert response.status_code == 400
    assert "description" in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_long_comments_notes_and_references_are_refused_by_the_services(world):
    from repairs import services
    from repairs.services import ValidationError

    ticket = world.declare()
    with pytest.raises(ValidationError, match="5000"):
        services.ticket_comment(ticket=ticket, actor=world.student, text="x" * 5001)
    with pytest.raises(ValidationError):
        services.ticket_start_diagnosis(ticket=ticket, actor=world.tech, note="x" * 2001)
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    ticket = Ticket.objects.get(pk=ticket.pk)
    with pytest.raises(ValidationError):
        services.ticket_send_to_manufacturer(ticket=ticket, actor=world.tech, rma_number="R" * 65)
    with pytest.raises(ValidationError):
        services.ticket_order_parts(ticket=ticket, actor=world.tech, parts=["p"] * 21)
    assert Ticket.objects.get(pk=ticket.pk).state == "diagnosing"
    assert Device.objects.get(pk=world.device.pk).status == "in_repair"
