"""Reports gain costs: parts and labour of the tickets closed in the period, by
coverage, device model or establishment, aggregated by the database, in JSON, CSV, HTML and PDF."""

import copy
import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from devices.models import Device
from devices.services import assignment_hand_over
from repairs import services
from repairs.models import LabourRate, Part, Ticket
from tests.devices.factories import CoverageFactory, DeviceFactory, DeviceModelFactory, make_person
from tests.once import kept_for_the_module
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


def fresh(ticket) -> Ticket:
    return Ticket.objects.select_related("establishment", "device", "loaner").get(pk=ticket.pk)


@pytest.fixture(scope="module")
def costs_world(django_db_setup, django_db_blocker):
    """Written once for the module's tests (each test's changes are undone after it)."""
    with kept_for_the_module(django_db_blocker, build_costs_world) as written:
        yield written


@pytest.fixture
def world(costs_world):
    return copy.deepcopy(costs_world)


def build_costs_world():
    """Two tickets returned today: a family repair (a part and an hour at 45 €/h) on a Dell, a
    manufacturer repair (half an hour at 20 €/h) on a Lenovo; a third, open, is not counted."""
    world = build_world()
    LabourRate.objects.update_or_create(coverage="family", defaults={"hourly_rate": Decimal("45.00")})
    LabourRate.objects.update_or_create(coverage="manufacturer", defaults={"hourly_rate": Decimal("20.00")})
    Part.objects.create(reference="SCR-14", label="Dalle 14 pouces", unit_price=Decimal("89.90"))
    family = world.declare(category="accidental_damage")
    services.ticket_start_diagnosis(ticket=family, actor=world.tech)
    services.ticket_add_part(ticket=family, actor=world.tech, part="SCR-14")
    services.ticket_set_labour(ticket=family, actor=world.tech, minutes=60)
    services.ticket_quote_issue(ticket=family, actor=world.tech)
    services.ticket_quote_decide(ticket=fresh(family), accepted=True, token=family.status_token)
    for name in ("start_repair", "finish_repair", "hand_over"):
        services.ticket_transition(ticket=fresh(family), actor=world.tech, name=name)
    lenovo = DeviceFactory(
        establishment=world.establishment,
        image=world.image,
        model=DeviceModelFactory(manufacturer="Lenovo", name="ThinkPad 11e"),
    )
    CoverageFactory(device=lenovo, provider="Lenovo")
    assignment_hand_over(device=lenovo, student=make_person("student", establishment=world.establishment))
    covered = world.declare(device=Device.objects.get(pk=lenovo.pk), by=world.staff, category="keyboard")
    services.ticket_start_diagnosis(ticket=covered, actor=world.tech)
    services.ticket_set_labour(ticket=covered, actor=world.tech, minutes=30)
    for name in ("start_repair", "finish_repair", "hand_over"):
        services.ticket_transition(ticket=fresh(covered), actor=world.tech, name=name)
    still_open = world.declare(category="battery")
    services.ticket_start_diagnosis(ticket=still_open, actor=world.tech)
    services.ticket_set_labour(ticket=still_open, actor=world.tech, minutes=600)
    return world


def api(world) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.manager)
    return client


def period(**extra) -> dict:
    today = timezone.localdate().isoformat()
    return {"from": today, "to": today, **extra}


def rows_by_key(body: dict) -> dict:
    return {row["key"]: row for row in body["rows"]}


def test_costs_by_coverage_model_and_establishment_in_json(world):
    by_coverage = api(world).get("/api/v1/reports/sla/", period(group_by="coverage")).json()
    rows = rows_by_key(by_coverage)
    family, manufacturer = rows["family"], rows["manufacturer"]
    assert (family["parts_cost"], family["labour_cost"], family["cost"]) == (89.9, 45.0, 134.9)
    assert (manufacturer["parts_cost"], manufacturer["labour_cost"], manufacturer["cost"]) == (0.0, 10.0, 10.0)
    total = by_coverage["total"]
    assert (total["costed"], total["cost"], total["cost_avg"]) == (2, 144.9, 72.45)
    by_model = rows_by_key(api(world).get("/api/v1/reports/sla/", period(group_by="model")).json())
    assert sorted(row["cost"] for row in by_model.values()) == [10.0, 134.9]
    by_place = api(world).get("/api/v1/reports/sla/", period(group_by="establishment")).json()
    assert rows_by_key(by_place)["0310024H"]["cost"] == 144.9


def test_the_csv_has_the_cost_columns(world):
    response = api(world).get("/api/v1/reports/sla/", period(group_by="coverage", format="csv"))
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    costs = {row["key"]: row["cost"] for row in table}
    assert costs == {"family": "134.9", "manufacturer": "10.0", "TOTAL": "144.9"}


def test_the_html_page_and_the_pdf_show_a_costs_table(client, world):
    client.force_login(world.manager)
    html = client.get("/reports/", period(group_by="coverage")).content.decode()
    table = html.split('data-testid="cost-table"')[1].split("</table>")[0]
    assert "Coûts des tickets clos sur la période" in table
    assert "134,90 €" in table and "144,90 €" in table and "72,45 €" in table
    pdf = api(world).get("/api/v1/reports/sla/", period(group_by="coverage", format="pdf"))
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages]
    costs_page = next(text for text in pages if text.startswith("Coûts par Prise en charge"))
    assert "134,90 €" in costs_page and "144,90 €" in costs_page


def test_a_laptop_returned_unrepaired_is_not_counted_as_repaired(world):
    refused = world.declare(category="liquid_damage")
    services.ticket_start_diagnosis(ticket=refused, actor=world.tech)
    services.ticket_add_part(ticket=refused, actor=world.tech, part="SCR-14")
    services.ticket_quote_issue(ticket=refused, actor=world.tech)
    services.ticket_quote_decide(ticket=fresh(refused), accepted=False, token=refused.status_token)
    services.ticket_return_unrepaired(ticket=fresh(refused), actor=world.tech)
    services.ticket_hand_over(ticket=fresh(refused), actor=world.staff)
    total = api(world).get("/api/v1/reports/sla/", period(group_by="coverage")).json()["total"]
    assert (total["repaired"], total["unrepaired"], total["closed"]) == (2, 1, 3)
