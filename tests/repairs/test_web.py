"""The web pages, as each kind of user meets them (server side; the browser tests drive Chromium)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from devices.models import Device
from repairs.models import Attachment, Ticket
from tests.devices.factories import DeviceFactory
from tests.images import PNG
from tests.repairs.factories import force_state, world_fixtures

pytestmark = pytest.mark.django_db


module_world, world = world_fixtures()


def login(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_pages_speak_french_whatever_the_browser_says(client, world):
    login(client, world.student)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()
    assert "Déclarer une panne" in response.content.decode()


def test_a_person_may_switch_to_english(client, world):
    login(client, world.student)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Declare a fault" in client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/tickets/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_student_declares_with_their_device_preselected_and_photos(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    login(client, world.student)
    form = client.get(reverse("repairs:declare")).context["form"]
    assert form.initial["device"] == world.device.serial_number
    response = client.post(
        reverse("repairs:declare"),
        {
            "device": world.device.serial_number,
            "category": "screen",
            "description": "L'écran clignote.",
            "photos": [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.png", PNG)],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("repairs:declared", args=[ticket.reference])
    page = client.get(response["Location"]).content.decode()
    assert ticket.reference in page
    assert "Lycée Pierre-de-Fermat" in page
    assert Attachment.objects.filter(ticket=ticket).count() == 2


def test_a_refused_photo_refuses_the_whole_declaration_with_a_french_message(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    login(client, world.student)
    response = client.post(
        reverse("repairs:declare"),
        {
            "device": world.device.serial_number,
            "category": "screen",
            "description": "x",
            "photos": [SimpleUploadedFile("evil.jpg", b"<svg onload=alert(1)></svg>")],
        },
    )
    assert response.status_code == 200
    assert "Seuls les photos" in response.content.decode()
    assert not Ticket.objects.exists()


def test_staff_declare_by_asset_tag_and_the_qr_code_opens_the_form(client, world):
    login(client, world.staff)
    response = client.get(f"/d/{world.device.asset_tag}", follow=True)
    assert response.context["form"].initial["device"] == world.device.serial_number
    response = client.post(
        reverse("repairs:declare"), {"device": world.device.asset_tag, "category": "battery", "description": "x"}
    )
    assert response.status_code == 302
    assert Ticket.objects.get().reporter == world.staff


def test_declaring_twice_says_which_ticket_is_open(client, world):
    ticket = world.declare(category="screen")
    login(client, world.student)
    response = client.post(
        reverse("repairs:declare"), {"device": world.device.serial_number, "category": "screen", "description": "x"}
    )
    assert ticket.reference in response.content.decode()


def test_unknown_device_is_a_field_error(client, world):
    login(client, world.staff)
    response = client.post(reverse("repairs:declare"), {"device": "NOPE", "category": "screen", "description": "x"})
    assert "Aucun ordinateur n’a ce numéro" in response.content.decode()


def test_technician_drives_a_ticket_from_its_page(client, world):
    ticket = world.declare()
    login(client, world.tech)
    page = client.get(reverse("repairs:ticket", args=[ticket.reference])).content.decode()
    assert 'data-transition="start_diagnosis"' in page
    assert 'data-transition="hand_over"' not in page
    response = client.post(
        reverse("repairs:transition", args=[ticket.reference, "start_diagnosis"]),
        {"version": ticket.version},
        follow=True,
    )
    assert Ticket.objects.get(pk=ticket.pk).state == "diagnosing"
    assert any("Commencer le diagnostic" in m for m in messages_of(response))


def test_a_refused_transition_is_a_french_message_not_an_error_page(client, world):
    ticket = force_state(world.declare(), "diagnosing")
    login(client, world.tech)
    response = client.post(reverse("repairs:transition", args=[ticket.reference, "close_no_fault"]), {}, follow=True)
    assert response.status_code == 200
    assert any("une note est obligatoire" in m for m in messages_of(response))
    assert Ticket.objects.get(pk=ticket.pk).state == "diagnosing"


def test_a_conflict_names_who_changed_the_ticket(client, world):
    ticket = world.declare()
    shown = ticket.version
    from repairs import services

    services.ticket_start_diagnosis(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech)
    login(client, world.staff)
    response = client.post(
        reverse("repairs:transition", args=[ticket.reference, "cancel"]), {"version": shown}, follow=True
    )
    assert any("vient d’être modifié par" in m and "Rechargez" in m for m in messages_of(response))
    assert Ticket.objects.get(pk=ticket.pk).state == "diagnosing"


def test_students_see_only_their_own_tickets_and_others_are_404(client, world):
    mine = world.declare()
    theirs = world.declare(device=world.other_student.assignments.get().device, by=world.other_student)
    login(client, world.student)
    assert client.get(reverse("repairs:ticket", args=[theirs.reference])).status_code == 404
    listed = {t.reference for t in client.get(reverse("repairs:ticket_list")).context["tickets"]}
    assert listed == {mine.reference}


def test_custom_404_page_is_french(client, world):
    login(client, world.student)
    response = client.get("/tickets/R-2026-999999/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_comments_and_files_from_the_ticket_page(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    ticket = world.declare()
    login(client, world.student)
    client.post(reverse("repairs:comment", args=[ticket.reference]), {"text": "Merci"})
    client.post(reverse("repairs:attach", args=[ticket.reference]), {"file": SimpleUploadedFile("p.png", PNG)})
    page = client.get(reverse("repairs:ticket", args=[ticket.reference])).content.decode()
    assert "Merci" in page
    assert "?inline=1" in page
    attachment = Attachment.objects.get()
    thumb = client.get(reverse("repairs:attachment", args=[ticket.reference, attachment.pk]) + "?inline=1")
    assert thumb["Content-Disposition"].startswith("inline")


def test_queue_filters_survive_paging_and_take_and_bulk_assign(client, world):
    for _ in range(3):
        world.declare(device=DeviceFactory(establishment=world.establishment), by=world.staff)
    login(client, world.tech)
    response = client.get(reverse("repairs:ticket_list"), {"assigned_to": "none", "category": "screen"})
    assert "assigned_to=none" in response.context["query"] and "category=screen" in response.context["query"]
    references = [t.reference for t in response.context["tickets"]]
    client.post(reverse("repairs:bulk_assign"), {"tickets": references[:2], "assignee": "me"})
    assert Ticket.objects.filter(assignee=world.tech).count() == 2
    login(client, world.manager)
    client.post(reverse("repairs:bulk_assign"), {"tickets": references, "assignee": world.other_tech.username})
    assert Ticket.objects.filter(assignee=world.other_tech).count() == 3


@pytest.mark.parametrize("rows", [10, 200])
def test_queue_query_count_does_not_depend_on_the_number_of_tickets(client, world, rows, django_assert_max_num_queries):
    devices = DeviceFactory.create_batch(rows, establishment=world.establishment)
    Device.objects.filter(pk__in=[d.pk for d in devices]).update(status=Device.Status.ASSIGNED)
    for device in devices:
        world.declare(device=device, by=world.staff)
    login(client, world.tech)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("repairs:ticket_list"), {"sort": "due", "search": ""})
    assert len(response.context["tickets"]) == min(rows, 50)


def test_device_page_shows_warranties_image_holder_and_tickets(client, world):
    ticket = world.declare()
    login(client, world.staff)
    page = client.get(reverse("repairs:device", args=[world.device.serial_number])).content.decode()
    assert "Garantie constructeur" in page and "active" in page
    assert ticket.reference in page
    assert "2026.1" in page


def test_staff_record_a_device_dropped_at_school_from_the_establishment_page(client, world):
    ticket = world.declare()
    from repairs import services

    services.ticket_request_device(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech)
    login(client, world.staff)
    page = client.get(reverse("repairs:establishment")).content.decode()
    assert 'data-transition="receive_device"' in page
    assert world.spare.asset_tag in page
    client.post(reverse("repairs:transition", args=[ticket.reference, "receive_device"]), {})
    assert Ticket.objects.get(pk=ticket.pk).state == "diagnosing"


def test_qr_labels_pdf_for_an_establishment(client, world):
    login(client, world.staff)
    response = client.get(reverse("repairs:labels", args=[world.establishment.uai]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    login(client, world.other_staff)
    assert client.get(reverse("repairs:labels", args=[world.establishment.uai])).status_code == 404


def test_staff_find_a_students_laptop_by_name(client, world):
    world.student.first_name, world.student.last_name = "Inès", "Garcia"
    world.student.save()
    login(client, world.staff)
    response = client.get(reverse("repairs:declare"), {"find": "garcia ines"})
    assert [d.asset_tag for d in response.context["found"]] == []  # accents matter: "ines" ≠ "Inès"
    response = client.get(reverse("repairs:declare"), {"find": "garcia in"})
    assert [d.asset_tag for d in response.context["found"]] == [world.device.asset_tag]
    assert f"/declare/{world.device.asset_tag}/" in response.content.decode()
    login(client, world.other_staff)
    assert client.get(reverse("repairs:declare"), {"find": "garcia"}).context["found"] == []


def test_every_form_field_has_a_label(client, world):
    """RGAA/WCAG basics: no input without its label, on the pages people fill in."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids, self.labels, self.wrapped, self.depth = [], set(), 0, 0

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "label":
                self.depth += 1
                if attrs.get("for"):
                    self.labels.add(attrs["for"])
            if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
                if self.depth:
                    self.wrapped += 1
                else:
                    self.ids.append(attrs.get("id") or attrs.get("name"))

        def handle_endtag(self, tag):
            if tag == "label":
                self.depth -= 1

    ticket = world.declare()
    for user, url in [
        (world.student, reverse("repairs:declare")),
        (world.staff, reverse("repairs:declare")),
        (world.tech, reverse("repairs:ticket_list")),
        (world.tech, reverse("repairs:ticket", args=[ticket.reference])),
        (world.staff, reverse("repairs:establishment")),
    ]:
        login(client, user)
        parser = Fields()
        parser.feed(client.get(url).content.decode())
        unlabelled = [field for field in parser.ids if field not in parser.labels]
        assert unlabelled == [], (url, unlabelled)


def test_a_person_chooses_how_to_be_notified(client, world):
    login(client, world.student)
    response = client.post(
        reverse("repairs:preferences"),
        {"email": "", "phone": "06 12 34 56 78", "notify_by_sms": "on", "notify_by_email": "on"},
    )
    assert "Indiquez une adresse e-mail" in response.content.decode()
    response = client.post(
        reverse("repairs:preferences"), {"email": "eleve@example.org", "phone": "06 12 34 56 78", "notify_by_sms": "on"}
    )
    assert response.status_code == 302
    world.student.refresh_from_db()
    profile = world.student.profile
    assert (world.student.email, profile.phone, profile.notify_by_email, profile.notify_by_sms) == (
        "eleve@example.org",
        "0612345678",
        False,
        True,
    )
    response = client.post(reverse("repairs:preferences"), {"daily_digest": "on", "email": "e@example.org"})
    assert "réservé au personnel" in response.content.decode()


def test_a_manager_sets_the_resolution_due_date_by_hand_with_a_reason(client, world):
    ticket = world.declare()
    login(client, world.tech)
    assert client.get(reverse("repairs:ticket", args=[ticket.reference])).context["due_form"] is None
    login(client, world.manager)
    url = reverse("repairs:due_date", args=[ticket.reference])
    response = client.post(url, {"due_at": "2026-12-18T17:00", "reason": ""}, follow=True)
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_manual is None
    client.post(url, {"due_at": "2026-12-18T17:00", "reason": "Examens blancs", "version": ticket.version})
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.resolution_due_manual.isoformat() == "2026-12-18T16:00:00+00:00"
    assert fresh.resolution_due_at == fresh.resolution_due_manual
    assert response.status_code == 200


def test_each_home_page_shows_what_to_do_next(client, world):
    ticket = world.declare()
    login(client, world.tech)
    page = client.get("/").content.decode()
    assert ticket.reference in page  # waiting for a technician
    assert "Déclaré" in page  # the counts per state
    login(client, world.student)
    assert ticket.reference in client.get("/").content.decode()
    login(client, world.manager)
    assert client.get("/").status_code == 200


def test_a_students_home_lists_their_open_tickets_in_four_queries(client, world, django_assert_max_num_queries):
    """Session, person, laptops, tickets: the home of a student shows no counts by state, and
    counting them (a second pass over their tickets) was paid on every visit."""
    mine = world.declare()
    closed = force_state(world.declare(category="battery"), "returned")
    login(client, world.student)
    with django_assert_max_num_queries(4):
        page = client.get("/").content.decode()
    assert mine.reference in page
    assert closed.reference not in page
    assert world.device.asset_tag in page


def test_the_next_page_of_the_default_list_is_still_the_open_tickets(client, world, monkeypatch):
    from repairs.views import queue

    monkeypatch.setattr(queue, "QUEUE_PAGE_SIZE", 1)
    first_open = world.declare()
    closed = force_state(world.declare(category="battery"), "returned")
    second_open = world.declare(category="keyboard")
    login(client, world.tech)
    shown = []
    for page in (1, 2, 3):
        response = client.get(reverse("repairs:ticket_list"), {"page": page})
        shown += [t.reference for t in response.context["tickets"]]
        assert response.context["query"] == ""
    assert sorted(shown) == sorted([first_open.reference, second_open.reference])
    assert closed.reference not in shown
