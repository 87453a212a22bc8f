"""The journeys of issue 4, in Chromium: a phone for the student, a desktop for the others."""

import re

import pytest

from repairs.models import Ticket
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world():
    return build_world()


def test_a_student_declares_a_fault_from_a_phone_and_sees_the_reference(open_page, world):
    page = open_page("eleve", **PHONE, login_form=True)  # the one journey through the login form
    page.get_by_role("link", name="Déclarer une panne").first.click()
    page.get_by_label("Écran").check()
    page.get_by_label("Décrivez la panne").fill("L'écran reste noir au démarrage.")
    page.get_by_role("button", name="Envoyer la déclaration").click()
    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"R-\d{4}-\d{6}", reference)
    assert Ticket.objects.get(reference=reference).reporter == world.student
    assert page.get_by_role("heading", name="Votre déclaration est enregistrée").is_visible()


def test_a_technician_takes_a_ticket_and_swaps_the_laptop_then_hands_it_over(open_page, world):
    ticket = world.declare()
    page = open_page("tech")
    page.get_by_role("link", name="Tickets").first.click()
    page.get_by_label(f"Sélectionner {ticket.reference}").check()
    page.get_by_role("button", name="Prendre les tickets sélectionnés").click()
    page.get_by_role("link", name=ticket.reference).click()
    assert world.tech.get_full_name() in page.locator("dl.facts").first.inner_text()  # the fault's facts

    def act(label: str) -> None:
        page.locator("summary", has_text=label).click()
        page.get_by_role("button", name=label, exact=True).click()
        page.get_by_text(f"C’est fait : {label}.").wait_for()

    act("Commencer le diagnostic")
    act("Échanger contre un autre ordinateur")
    act("Restituer")
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.state, fresh.assignee, fresh.replacement) == ("returned", world.tech, world.spare)
    assert page.get_by_text("Restitué").first.is_visible()


def test_staff_record_a_laptop_dropped_at_school(open_page, world):
    from repairs import services

    ticket = services.ticket_request_device(ticket=world.declare(), actor=world.tech)
    page = open_page("referent")
    page.get_by_role("navigation").get_by_role("link", name="Mon établissement").click()
    page.get_by_role("button", name="Ordinateur reçu").click()
    page.get_by_text("C’est fait : Appareil reçu.").wait_for()
    assert Ticket.objects.get(pk=ticket.pk).state == "diagnosing"


def test_a_refused_action_shows_the_french_reason(open_page, world):
    from repairs import services

    ticket = services.ticket_start_diagnosis(ticket=world.declare(), actor=world.tech)
    page = open_page("tech", f"/tickets/{ticket.reference}/")
    page.locator("summary", has_text="Clore sans intervention").click()
    page.get_by_role("button", name="Clore sans intervention", exact=True).click()
    page.get_by_text("une note est obligatoire pour clore sans intervention").wait_for()
    assert Ticket.objects.get(pk=ticket.pk).state == "diagnosing"
