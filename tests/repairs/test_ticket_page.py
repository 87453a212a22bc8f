"""The ticket page shows what the ticket is linked to, in French, where each role needs it; the history
reads in words; the queue says which target is late; /api/v1/me/ lists a technician's establishments."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from devices.models import WarrantyCoverage, Zone
from repairs import services
from repairs.models import Part, Ticket
from tests.devices.factories import CoverageFactory, EstablishmentFactory, MasterImageFactory, make_person
from tests.repairs.factories import build_world, force_state, world_fixtures

pytestmark = pytest.mark.django_db


def build_page_world():
    world = build_world()
    CoverageFactory(
        device=world.device,
        kind=WarrantyCoverage.Kind.ACCIDENTAL,
        provider="Assurécole",
        contract_ref="AE-2025-001",
        claims_cap=2,
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2026, 8, 31),
    )
    return world


module_world, world = world_fixtures(build_page_world)


def page_of(client, user, ticket) -> str:
    client.force_login(user)
    response = client.get(f"/tickets/{ticket.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def worked_ticket(world) -> Ticket:
    """Diagnosed, parts ordered, to the manufacturer and back, re-imaged at the end."""
    ticket = world.declare()
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    services.ticket_set_priority(ticket=ticket, actor=world.tech, priority="urgent")
    services.ticket_order_parts(ticket=ticket, actor=world.tech, parts=["Dalle 14 pouces", "Nappe vidéo"])
    services.ticket_start_repair(ticket=ticket, actor=world.tech)
    services.ticket_send_to_manufacturer(ticket=ticket, actor=world.tech, rma_number="RMA-4410")
    services.ticket_receive_from_manufacturer(ticket=ticket, actor=world.tech)
    newer = MasterImageFactory(academie="toulouse", version="2026.2")
    world.image.is_current = False
    world.image.save()
    newer.is_current = True
    newer.save()
    services.ticket_finish_repair(ticket=ticket, actor=world.tech, reimage=True)
    return ticket


def test_a_technician_reads_everything_the_ticket_is_linked_to(client, world):
    ticket = worked_ticket(world)
    text = text_of(page_of(client, world.tech, ticket))
    assert "Numéro RMA du constructeur RMA-4410" in text
    assert "Pièces commandées Dalle 14 pouces Nappe vidéo" in text
    assert "Réinstallé 2026.1 → 2026.2" in text
    assert "Mon cartable numérique 2026.2 — courante" in text
    assert "Garantie constructeur — Dell" in text and "(couvre cette réparation)" in text
    assert "Assurance casse — Assurécole (AE-2025-001)" in text and "0 sinistres utilisés sur 2" in text
    assert "inactive à la déclaration" in text
    assert "Prise en charge Garantie constructeur Pris en charge par Garantie constructeur Dell" in text


def test_an_outdated_image_is_flagged_with_the_academie_current_version(client, world):
    ticket = world.declare()
    MasterImageFactory(academie="toulouse", version="2026.9")
    world.image.is_current = False
    world.image.save()
    from devices.models import MasterImage

    MasterImage.objects.filter(version="2026.9").update(is_current=True)
    text = text_of(page_of(client, world.staff, ticket))
    assert "Mon cartable numérique 2026.1 — périmée (courante : 2026.9)" in text


def test_the_history_reads_in_words_not_codes(client, world):
    ticket = worked_ticket(world)
    html = page_of(client, world.tech, ticket)
    history = text_of(html.split('data-testid="timeline"')[1].split("</ol>")[0])
    assert "Priorité modifiée Haute → Urgente" in history
    assert "high → urgent" not in history
    assert "Commencer le diagnostic : Déclaré → En diagnostic" in history
    assert "Commander des pièces : En diagnostic → En attente de pièces" in history
    assert "Pièces commandées : Dalle 14 pouces, Nappe vidéo" in history
    assert "Réinstallé : 2026.1 → 2026.2" in history
    assert "Prise en charge proposée : Garantie constructeur" in history


def test_a_student_sees_what_concerns_them_and_not_the_desks_internals(client, world):
    ticket = worked_ticket(world)
    text = text_of(page_of(client, world.student, ticket))
    assert "Réinstallé 2026.1 → 2026.2" in text
    for internal in ("RMA-4410", "Pièces commandées", "Assurécole", "Pris en charge par", "Coûts"):
        assert internal not in text, internal


def test_a_student_sees_the_costs_when_the_family_pays(client, world):
    Part.objects.create(reference="SCR-14", label="Dalle 14 pouces", unit_price=Decimal("89.90"))
    ticket = world.declare(category="liquid_damage")
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech, coverage="family", coverage_reason="Liquide")
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="SCR-14")
    text = text_of(page_of(client, world.student, ticket))
    assert "Coûts" in text and "89,90 €" in text and "Ajouter la pièce" not in text
    covered = world.declare()
    services.ticket_start_diagnosis(ticket=covered, actor=world.tech)
    assert "Coûts" not in text_of(page_of(client, world.student, covered))


def test_the_technician_records_parts_labour_and_a_quote_from_the_page(client, world):
    Part.objects.create(reference="SCR-14", label="Dalle 14 pouces", unit_price=Decimal("89.90"))
    ticket = world.declare(category="accidental_damage")
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech, coverage="family", coverage_reason="Chute")
    client.force_login(world.tech)
    base = f"/tickets/{ticket.reference}"
    client.post(f"{base}/parts/", {"part": "SCR-14", "quantity": 2})
    client.post(f"{base}/labour/", {"minutes": 45})
    response = client.post(f"{base}/quotes/", follow=True)
    assert "Devis établi" in response.content.decode()
    saved = Ticket.objects.get(pk=ticket.pk)
    assert (saved.parts_cost, saved.labour_minutes, saved.quote_state) == (Decimal("179.80"), 45, "pending")
    client.force_login(world.staff)
    response = client.post(f"{base}/quotes/decision/", {"decision": "refuse", "number": 1}, follow=True)
    assert "La réponse de la famille est enregistrée." in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).quote_state == "refused"
    pdf = client.get(f"{base}/quotes/1.pdf")
    assert pdf["Content-Type"] == "application/pdf"


def test_the_ticket_page_query_count_does_not_grow_with_its_history(client, world, django_assert_max_num_queries):
    ticket = worked_ticket(world)
    client.force_login(world.tech)
    with django_assert_max_num_queries(16) as short:
        client.get(f"/tickets/{ticket.reference}/")
    for n in range(10):
        services.ticket_comment(ticket=ticket, actor=world.staff, text=f"Relance {n}")
        services.ticket_set_labour(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech, minutes=10 * n)
    with django_assert_max_num_queries(len(short.captured_queries)):
        client.get(f"/tickets/{ticket.reference}/")


@pytest.mark.parametrize(
    ("first_response", "resolution", "badge"),
    [
        (True, False, "En retard : première réponse"),
        (False, True, "En retard : résolution"),
        (True, True, "En retard : première réponse et résolution"),
    ],
)
def test_the_queue_says_which_target_was_missed(client, world, first_response, resolution, badge):
    ticket = world.declare()
    force_state(ticket, "declared", first_response_breached=first_response, resolution_breached=resolution)
    client.force_login(world.tech)
    row = text_of(client.get("/tickets/").content.decode().split(ticket.reference, 2)[2].split("</tr>")[0])
    assert badge in row
    assert (badge == "En retard : première réponse") == ("résolution" not in row)


def test_me_lists_a_zone_technicians_establishments_and_says_so_for_the_depot(world):
    api = APIClient()
    api.force_authenticate(world.tech)
    EstablishmentFactory(zone=Zone.objects.get(code="z31"), uai="0311111Z", name="Lycée Bellevue")
    body = api.get("/api/v1/me/").json()
    assert body["establishments"] == [
        {"uai": "0310024H", "name": "Lycée Pierre-de-Fermat"},
        {"uai": "0311111Z", "name": "Lycée Bellevue"},
    ]
    assert body["all_establishments"] is False and body["zone"] == "z31"
    depot = make_person("technician", zone=Zone.objects.create(code="depot", name="Dépôt", is_depot=True))
    api.force_authenticate(depot)
    body = api.get("/api/v1/me/").json()
    assert (body["establishments"], body["all_establishments"]) == ([], True)
    api.force_authenticate(world.staff)
    body = api.get("/api/v1/me/").json()
    assert body["establishments"] == [{"uai": "0310024H", "name": "Lycée Pierre-de-Fermat"}]
    assert body["all_establishments"] is False


def queries_of_the_page(client, user, ticket, django_assert_num_queries, expected: int) -> str:
    client.force_login(user)
    assert client.get(f"/tickets/{ticket.reference}/").status_code == 200  # the hour's access-log row
    with django_assert_num_queries(expected):
        response = client.get(f"/tickets/{ticket.reference}/")
    assert response.status_code == 200
    return response.content.decode()


# Session, person, the ticket with its links and current image, its history with authors, the
# laptop's warranties (the desk), the price list (who records costs). A student sees neither.
PLAIN_TICKET_QUERIES = {"student": 4, "staff": 5, "technician": 6, "manager": 6, "supervisor": 5}


@pytest.mark.parametrize("role", sorted(PLAIN_TICKET_QUERIES))
def test_the_ticket_page_takes_six_queries_at_most_for_every_role(client, world, role, django_assert_num_queries):
    ticket = world.declare(by=world.staff)  # the student holds the laptop but did not declare
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    user = world.people()[role]
    html = queries_of_the_page(client, user, ticket, django_assert_num_queries, PLAIN_TICKET_QUERIES[role])
    assert "Commencer le diagnostic : Déclaré → En diagnostic" in html


# The same with files, parts lines and quotes: one query for each list that is not empty.
WORKED_TICKET_QUERIES = {"student": 7, "staff": 8, "technician": 9, "manager": 9, "supervisor": 8}


@pytest.mark.parametrize("role", sorted(WORKED_TICKET_QUERIES))
def test_a_ticket_with_files_parts_and_quotes_adds_one_query_for_each(
    client, world, role, django_assert_num_queries, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    Part.objects.create(reference="SCR-14", label="Dalle 14 pouces", unit_price=Decimal("89.90"))
    ticket = world.declare(by=world.staff, category="accidental_damage")
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech, coverage="family", coverage_reason="Chute")
    services.ticket_add_part(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech, part="SCR-14")
    services.ticket_set_labour(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech, minutes=30)
    services.ticket_quote_issue(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech)
    services.ticket_quote_decide(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.staff, accepted=False, number=1)
    services.ticket_quote_issue(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("facture.pdf", pdf, content_type="application/pdf")
    services.ticket_attach(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.staff, upload=upload)
    user = world.people()[role]
    html = queries_of_the_page(client, user, ticket, django_assert_num_queries, WORKED_TICKET_QUERIES[role])
    assert "facture.pdf" in html and f"{ticket.reference}-D1" in html and f"{ticket.reference}-D2" in html
    assert "Dalle 14 pouces" in html


def test_only_the_desk_keeps_the_ticket_statement_compiled_a_student_has_none_of_their_own(client, world):
    from config import compiled_sql
    from devices.models import Role

    def kept(role):
        return [key for (key, _values) in compiled_sql._KEPT if key[0] == "ticket for page" and key[2][0] == role]

    compiled_sql.forget()
    ticket = world.declare()
    assert "Déclaré" in page_of(client, world.student, ticket)
    assert kept(Role.STUDENT) == []
    page_of(client, world.tech, ticket)
    assert len(kept(Role.TECHNICIAN)) == 1
