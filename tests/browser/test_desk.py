"""The repair desk in Chromium: what a ticket is linked to, costs and the family's quote, the status
link without an account, loaners and their due dates. A phone for the family and the student, a
desktop for the others."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from devices.models import Device
from repairs import services
from repairs.models import LabourRate, Part, Ticket
from tests.devices.factories import DeviceFactory, MasterImageFactory
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()  # the status pages' per-address counters: other tests of this process may have used them


@pytest.fixture
def world():
    world = build_world()
    LabourRate.objects.update_or_create(coverage="family", defaults={"hourly_rate": Decimal("45.00")})
    Part.objects.create(reference="SCR-14", label="Dalle 14 pouces", unit_price=Decimal("89.90"))
    return world


@pytest.fixture
def open_anonymous(new_page):
    """A visitor without an account (a parent holding the status link), on a phone."""

    def open_at(path: str):
        page = new_page("family", **PHONE)
        page.goto(f"{new_page.base_url}{path}")
        return page

    return open_at


def act(page, label: str) -> None:
    page.locator("summary", has_text=label).click()
    page.get_by_role("button", name=label, exact=True).click()


def test_a_technician_reads_what_the_ticket_is_linked_to_and_a_student_what_concerns_them(open_page, world):
    ticket = world.declare()
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    services.ticket_set_priority(ticket=ticket, actor=world.tech, priority="urgent")
    services.ticket_order_parts(ticket=ticket, actor=world.tech, parts=["Dalle 14 pouces"])
    services.ticket_start_repair(ticket=ticket, actor=world.tech)
    services.ticket_send_to_manufacturer(ticket=ticket, actor=world.tech, rma_number="RMA-4410")
    services.ticket_receive_from_manufacturer(ticket=ticket, actor=world.tech)
    world.image.is_current = False
    world.image.save()
    MasterImageFactory(academie="toulouse", version="2026.2", is_current=True)
    services.ticket_finish_repair(ticket=ticket, actor=world.tech, reimage=True)

    page = open_page("tech", f"/tickets/{ticket.reference}/")
    repair = page.get_by_test_id("repair").inner_text()
    assert "RMA-4410" in repair and "Dalle 14 pouces" in repair and "2026.1 → 2026.2" in repair
    laptop = page.get_by_test_id("laptop").inner_text()
    assert "2026.2 — courante" in laptop and "(couvre cette réparation)" in laptop
    history = page.get_by_test_id("timeline").inner_text()
    assert "Haute → Urgente" in history and "high → urgent" not in history
    assert "Envoyer au constructeur : En réparation → Chez le constructeur (garantie)" in history

    student = open_page("eleve", f"/tickets/{ticket.reference}/", **PHONE)
    assert "2026.1 → 2026.2" in student.get_by_test_id("repair").inner_text()
    assert "RMA-4410" not in student.content() and student.get_by_test_id("laptop").count() == 0


def test_the_family_accepts_a_quote_through_its_status_link_and_the_repair_starts(open_page, open_anonymous, world):
    ticket = world.declare(category="accidental_damage", description="Écran fissuré.")
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    tech = open_page("tech", f"/tickets/{ticket.reference}/")
    tech.get_by_label("Pièce (tarif)").select_option("SCR-14")
    tech.get_by_role("button", name="Ajouter la pièce").click()
    tech.get_by_text("Pièce ajoutée.").wait_for()
    tech.get_by_label("Temps de main-d’œuvre (minutes)").fill("60")
    tech.get_by_role("button", name="Enregistrer le temps de main-d’œuvre").click()
    tech.get_by_text("Temps de main-d’œuvre enregistré.").wait_for()
    assert tech.get_by_test_id("cost").inner_text() == "134,90 €"
    act(tech, "Commencer la réparation")  # refused: no quote yet
    tech.get_by_text("demande un devis accepté par la famille").wait_for()
    tech.get_by_role("button", name="Établir le devis avec ces pièces et cette main-d’œuvre").click()
    tech.get_by_text("Devis établi").first.wait_for()
    status_url = tech.get_by_label("Lien de suivi", exact=True).input_value()

    family = open_anonymous(status_url.removeprefix(open_page.base_url))
    assert family.get_by_test_id("quote-total").inner_text() == "134,90 €"
    assert "Un devis attend votre décision" in family.get_by_test_id("next-step").inner_text()
    family.get_by_role("button", name="J’accepte le devis").click()
    family.get_by_text("Merci : le devis est accepté").wait_for()
    assert Ticket.objects.get(pk=ticket.pk).quote_state == "accepted"

    tech.reload()
    act(tech, "Commencer la réparation")
    tech.get_by_text("C’est fait : Commencer la réparation.").wait_for()
    assert Ticket.objects.get(pk=ticket.pk).state == "in_repair"


def test_a_refused_quote_returns_the_laptop_unrepaired(open_page, world):
    ticket = world.declare(category="accidental_damage")
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="SCR-14")
    services.ticket_quote_issue(ticket=ticket, actor=world.tech)
    staff = open_page("referent", f"/tickets/{ticket.reference}/")
    staff.get_by_role("button", name="La famille refuse le devis").click()
    staff.get_by_text("La réponse de la famille est enregistrée.").wait_for()
    tech = open_page("tech", f"/tickets/{ticket.reference}/")
    act(tech, "Restituer sans réparation (devis refusé)")
    tech.get_by_text("C’est fait : Restituer sans réparation (devis refusé).").wait_for()
    assert "Rendu sans réparation" in tech.get_by_test_id("repair").inner_text()
    assert Ticket.objects.get(pk=ticket.pk).state == "ready_for_return"


def test_the_status_link_shows_the_repair_to_whoever_holds_it_and_nothing_to_a_guess(open_anonymous, world):
    ticket = world.declare()
    services.ticket_request_device(ticket=ticket, actor=world.tech)
    token = Ticket.objects.get(pk=ticket.pk).status_token
    family = open_anonymous(f"/s/{token}/")
    assert family.get_by_role("heading", name=f"Réparation {ticket.reference}").is_visible()
    assert family.get_by_test_id("state").inner_text() == "En attente de l’appareil"
    assert "Apportez l’ordinateur" in family.get_by_test_id("next-step").inner_text()
    assert world.student.last_name not in family.content()
    guess = open_anonymous("/s/" + "x" * 43 + "/")
    assert guess.get_by_role("heading", name="Page introuvable").is_visible()


def test_loaners_have_a_due_date_show_when_overdue_and_hold_back_the_end_of_the_ticket(open_page, world):
    DeviceFactory(establishment=world.establishment, image=world.image, status=Device.Status.SPARE, asset_tag="PRET-01")
    ticket = world.declare()
    staff = open_page("referent", f"/tickets/{ticket.reference}/")
    staff.locator("summary", has_text="Prêter un ordinateur").click()
    staff.get_by_label("Numéro de série du prêt").fill("PRET-01")
    due = timezone.localdate() + dt.timedelta(days=3)
    staff.get_by_label("À rendre le").fill(due.isoformat())
    staff.get_by_role("button", name="Prêter", exact=True).click()
    staff.get_by_text("Ordinateur de prêt remis.").wait_for()
    assert f"à rendre le {due:%d/%m/%Y}" in staff.get_by_test_id("loaner").inner_text()

    for name in ("start_diagnosis", "start_repair", "finish_repair"):
        services.ticket_transition(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech, name=name)
    services.ticket_ship(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech, carrier="Colissimo", tracking_number="6A1"
    )
    Ticket.objects.filter(pk=ticket.pk).update(loaner_due_on=timezone.localdate() - dt.timedelta(days=2))
    staff.goto(f"{open_page.base_url}/establishment/")
    assert "PRET-01" in staff.get_by_test_id("overdue-loaners").inner_text()
    tech = open_page("tech")
    assert ticket.reference in tech.get_by_test_id("overdue-loaners").inner_text()  # the technician's home
    tech.goto(f"{open_page.base_url}/tickets/{ticket.reference}/")
    act(tech, "Livré")
    tech.get_by_text("Récupérez l’ordinateur de prêt PRET-01 d’abord").wait_for()
    assert Ticket.objects.get(pk=ticket.pk).state == "in_transit"
    tech.get_by_role("button", name="L’ordinateur de prêt PRET-01 est rendu").click()
    act(tech, "Livré")
    tech.get_by_text("C’est fait : Livré.").wait_for()
    assert Ticket.objects.get(pk=ticket.pk).state == "returned"
