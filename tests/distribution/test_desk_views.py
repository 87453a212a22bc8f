"""The desk's pages as a person uses them: one hand-over per form, refusals in French with nothing
changed, undo, the receipt, returns, parcels and the student's "I have received my laptop"."""

import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import translation

from devices.models import Assignment, Device
from distribution import services
from repairs.models import Ticket
from tests.devices.factories import MasterImageFactory
from tests.distribution.desk_world import build_desk_world

pytestmark = pytest.mark.django_db
DESK = "/distribution/"


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def world():
    return build_desk_world()


@pytest.fixture
def staff(client, world):
    client.force_login(world.staff)
    return client


def post(client, **fields):
    data = {"student": "2026-000", "device": "PC000000", "charter_signed": "on", "channel": "desk"}
    data.update(fields)
    return client.post(DESK, {k: v for k, v in data.items() if v is not None})


def page(response) -> str:
    return response.content.decode()


def test_the_desk_url_and_the_menu_entry_for_staff_and_technicians(client, world):
    assert reverse("distribution:desk") == DESK
    for person in (world.staff, world.tech):
        client.force_login(person)
        assert 'href="/distribution/"' in page(client.get("/"))
    client.force_login(world.students[0])
    assert client.get(DESK).status_code == 403
    assert 'href="/distribution/"' not in page(client.get("/"))


def test_an_empty_desk_is_ready_for_a_scan(staff, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = staff.get(DESK)
    html = page(response)
    assert re.search(r'<input[^>]*name="student"[^>]*autofocus', html)
    assert "Charte signée" in html and "distribution/desk.js" in html


def test_one_hand_over_then_the_desk_names_student_and_laptop_with_undo_and_receipt(
    staff, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        response = post(staff)
    assignment = Assignment.objects.get(device=world.laptops[0])
    assert response.status_code == 302 and response.url == f"{DESK}?done={assignment.pk}"

    with django_assert_max_num_queries(10):
        html = page(staff.get(response.url))

    assert "Ordinateur PC000000" in html and "remis à Prénom0 Nom0" in html
    assert f'action="/distribution/handovers/{assignment.pk}/undo/"' in html and ">Annuler<" in html
    assert f'href="/distribution/handovers/{assignment.pk}/receipt.pdf"' in html
    assert re.search(r'<input[^>]*name="student" id="id_student" value=""[^>]*autofocus', html)


def test_a_refusal_is_shown_in_french_and_changes_nothing(staff, world):
    response = post(staff, charter_signed=None)

    html = page(response)
    assert response.status_code == 200
    assert "Cochez « charte signée »" in html
    assert not Assignment.objects.filter(device=world.laptops[0]).exists()
    assert re.search(r'name="charter_signed"[^>]*autofocus', html)
    assert 'value="PC000000"' in html  # what was typed stays


def test_a_laptop_already_assigned_is_refused_with_its_holder(staff, world):
    post(staff)
    html = page(post(staff, student="2026-001"))
    assert "est déjà attribué à Prénom0 Nom0" in html
    assert not Assignment.objects.filter(student=world.students[1]).exists()


def test_a_name_matching_several_students_asks_which_one(staff, world):
    html = page(post(staff, student="prénom"))
    assert "Plusieurs élèves correspondent" in html
    assert html.count('name="student_pk"') == 3

    response = post(staff, student="prénom", student_pk=world.students[2].pk)
    assert response.status_code == 302
    assert Assignment.objects.get(device=world.laptops[0]).student == world.students[2]


def test_a_student_found_by_name_or_login(staff, world):
    assert post(staff, student="nom1 prénom1", device="RO-900000").status_code == 302
    assert Assignment.objects.get(device=world.laptops[0]).student == world.students[1]


def test_unknown_student_or_laptop_says_so(staff, world):
    assert "Aucun élève des vôtres" in page(post(staff, student="zzz"))
    assert "Aucun ordinateur ne porte" in page(post(staff, device="NOPE"))
    # A student of another establishment is not found either: the same words, nothing leaks.
    world.other_student.profile.student_number = "X-1"
    world.other_student.profile.save()
    assert "Aucun élève des vôtres" in page(post(staff, student="X-1"))


def test_an_outdated_image_offers_to_reimage_then_records_it(staff, world):
    laptop = world.laptop(image=MasterImageFactory(academie="toulouse", version="2025.4"), serial_number="OLD1")

    html = page(post(staff, device="OLD1"))
    assert "image maîtresse 2025.4" in html and "2026.1" in html
    assert re.search(r'name="reimage" value="yes"[^>]*autofocus', html)
    assert not Assignment.objects.filter(device=laptop).exists()

    assert post(staff, device="OLD1", reimage="yes").status_code == 302
    assert Device.objects.get(pk=laptop.pk).image == world.image


def test_an_equipped_student_may_return_the_previous_laptop_in_the_same_step(staff, world):
    post(staff)
    html = page(post(staff, device="PC000001"))
    assert re.search(r'name="return_previous"[^>]*autofocus', html)

    assert post(staff, device="PC000001", return_previous="on").status_code == 302
    assert Assignment.objects.get(student=world.students[0], returned_at__isnull=True).device == world.laptops[1]


def test_a_parcel_by_carrier_shows_its_tracking_link(staff, world):
    response = post(staff, channel="carrier", carrier="Chronopost", tracking_number="XY123")
    html = page(staff.get(response.url))
    assert 'href="https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=XY123"' in html


def test_undo_from_the_desk(staff, world):
    post(staff)
    assignment = Assignment.objects.get(device=world.laptops[0])

    response = staff.post(reverse("distribution:undo", args=[assignment.pk]), follow=True)

    assert "Remise annulée" in page(response)
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert Device.objects.get(pk=world.laptops[0].pk).status == Device.Status.IN_STOCK


def test_undo_by_someone_else_is_refused_and_elsewhere_is_404(client, world):
    assignment = services.handover_record(
        actor=world.tech, student=world.students[0], device=world.laptops[0], charter_signed=True
    ).assignment
    client.force_login(world.staff)
    html = page(client.post(reverse("distribution:undo", args=[assignment.pk]), follow=True))
    assert "Seule la personne qui a enregistré" in html
    client.force_login(world.other_staff)
    assert client.post(reverse("distribution:undo", args=[assignment.pk])).status_code == 404
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_the_receipt_pdf_names_the_student_the_laptop_and_the_charter(staff, world):
    post(staff)
    assignment = Assignment.objects.get(device=world.laptops[0])

    response = staff.get(reverse("distribution:receipt", args=[assignment.pk]))

    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for expected in ("NOM0 Prénom0", "PC000000", "RO-900000", "Latitude 3140", "propriété de la Région"):
        assert expected in text
    assert re.search(r"\d{1,2} \w+ 20\d\d", text)


def test_the_receipt_of_another_establishment_is_404(client, world):
    assignment = services.handover_record(
        actor=world.staff, student=world.students[0], device=world.laptops[0], charter_signed=True
    ).assignment
    client.force_login(world.other_staff)
    assert client.get(reverse("distribution:receipt", args=[assignment.pk])).status_code == 404


def test_suggestions_while_a_name_is_typed(staff, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        data = staff.get(reverse("distribution:desk_students"), {"q": "nom2"}).json()
    assert data == {"students": [{"value": "2026-002", "label": "NOM2 Prénom2 — 2NDE 1"}]}


def test_a_damaged_return_opens_a_ticket_from_the_returns_page(staff, world):
    post(staff)

    response = staff.post(
        reverse("distribution:returns"),
        {"device": "PC000000", "condition": "damaged", "category": "keyboard", "note": "Touches arrachées"},
        follow=True,
    )

    ticket = Ticket.objects.get(device=world.laptops[0])
    assert ticket.category == "keyboard"
    assert f"Ticket de réparation {ticket.reference} ouvert" in page(response)
    assert Device.objects.get(pk=world.laptops[0].pk).status == Device.Status.IN_STOCK


def test_a_return_refused_says_why(staff, world):
    html = page(staff.post(reverse("distribution:returns"), {"device": "PC000000", "condition": "good"}))
    assert "n’est prêté à aucun élève" in html


def test_parcels_are_listed_for_staff_and_confirmed_by_the_student(client, staff, world, django_assert_max_num_queries):
    post(staff, channel="carrier", carrier="DPD", tracking_number="0955")
    assignment = Assignment.objects.get(device=world.laptops[0])

    with django_assert_max_num_queries(8):
        html = page(staff.get(reverse("distribution:deliveries")))
    assert 'href="https://trace.dpd.fr/fr/trace/0955"' in html and "NOM0 Prénom0" in html

    client.force_login(world.students[0])
    mine = page(client.get(reverse("distribution:my_laptop")))
    assert "J’ai reçu mon ordinateur" in mine
    response = client.post(reverse("distribution:delivered", args=[assignment.pk]), follow=True)
    assert "enregistré comme reçu" in page(response)
    assert Assignment.objects.get(pk=assignment.pk).delivered_at is not None
    assert "J’ai reçu mon ordinateur" not in page(client.get(reverse("distribution:my_laptop")))


def test_staff_confirm_a_delivery_from_the_list(staff, world):
    post(staff, channel="carrier", carrier="UPS", tracking_number="1Z9")
    assignment = Assignment.objects.get(device=world.laptops[0])
    staff.post(reverse("distribution:delivered", args=[assignment.pk]))
    assert Assignment.objects.get(pk=assignment.pk).delivered_at is not None


def test_the_history_is_read_only_in_the_admin(client, world):
    services.handover_record(actor=world.staff, student=world.students[0], device=world.laptops[0], charter_signed=True)
    client.force_login(world.manager)

    page_ = client.get(reverse("admin:distribution_handoverevent_changelist"))

    assert page_.status_code == 200 and "PC000000" in page(page_)
    assert client.get(reverse("admin:distribution_handoverevent_add")).status_code == 403
    client.force_login(world.other_tech)
    assert "PC000000" not in page(client.get(reverse("admin:distribution_handoverevent_changelist")))
