"""Reports over a known set of tickets: the figures worked out by hand below come out exactly, and
the same, in JSON, CSV, the HTML page and the PDF's text."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader
from rest_framework.test import APIClient

from devices.models import Device, Role
from repairs.models import Ticket
from repairs.reports.generator import report_build
from repairs.reports.params import ReportParams
from repairs.sla.calendar import PARIS
from tests.devices.factories import DeviceFactory, EstablishmentFactory, MasterImageFactory, make_person
from tests.once import kept_and_copied
from tests.repairs import pdfs

pytestmark = pytest.mark.django_db

H, DAY = 3600, 86400
PERIOD = {"from": "2026-09-01", "to": "2026-09-30"}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


class Dataset:
    """Two lycées, nine tickets opened in September 2026, and a few before.

    Lycée Alpha (0310001A, Toulouse)
      A0  June, returned in June (same device as A5; outside the period)
      A1  01/09 09:00, response 2 h, returned 03/09, 20 h, repaired, on time
      A2  02/09 09:00, response 4 h, returned 10/09, 40 h, swapped, resolution late (due 07/09)
      A3  05/09 10:00, response 6 h late (due 07/09), returned 25/09, 60 h late (due 20/09),
          manufacturer repair (10 days there)
      A4  20/09 09:00 on A1's device (a repeat within 30 days), response 1 h, still in repair,
          loaner out since 21/09
      A5  10/08 09:00, responded in August, awaiting the device since: backlog
      A6  15/09 10:00, cancelled the same day
    Lycée Beta (0340002B, Montpellier)
      B0  20/07, returned in July (same device as B2: 50 days before it)
      B1  07/09 08:00, response 3 h, closed without fault 08/09, 12 h
      B2  08/09 08:00, response 5 h late (due 08/09 12:00), returned 18/09, 30 h, manufacturer (4 days)
      B4  20/09 09:00, cancelled the same day (same device as B3: not a repeat, it was cancelled)
      B3  29/09 10:00, not answered yet: backlog
    """

    def __init__(self) -> None:
        self.alpha = EstablishmentFactory(uai="0310001A", name="Lycée Alpha", city="Toulouse", departement="31")
        self.beta = EstablishmentFactory(uai="0340002B", name="Lycée Beta", city="Sète", departement="34")
        toulouse = MasterImageFactory(academie="toulouse", version="T-2026", is_current=True)
        toulouse_old = MasterImageFactory(academie="toulouse", version="T-2025", is_current=False)
        montpellier = MasterImageFactory(academie="montpellier", version="M-2026", is_current=True)
        montpellier_old = MasterImageFactory(academie="montpellier", version="M-2025", is_current=False)
        self.reporter = make_person(Role.STAFF, establishment=self.alpha, username="referent")
        self.manager = make_person(Role.MANAGER, username="chef", email="chef@example.org")
        device = lambda place, image=None, **kw: DeviceFactory(establishment=place, image=image or toulouse, **kw)  # noqa: E731
        a1, a2, a3 = device(self.alpha), device(self.alpha), device(self.alpha, toulouse_old)
        a5, a6 = device(self.alpha, toulouse_old), device(self.alpha)
        spare = device(self.alpha, status=Device.Status.ASSIGNED)
        device(self.alpha, status=Device.Status.RETIRED)  # not in service: counted nowhere
        b1, b2 = device(self.beta, montpellier), device(self.beta, montpellier_old)
        b3 = device(self.beta, montpellier)
        loaner = DeviceFactory(establishment=None, image=toulouse, status=Device.Status.ON_LOAN)
        self.number = 0
        returned = {"state": "returned"}
        self.make("A0", a5, at(2026, 6, 2, 9), resolved_at=at(2026, 6, 5, 9), **returned)
        self.make(
            "A1", a1, at(2026, 9, 1, 9), responded=(at(2026, 9, 1, 11), 2 * H, at(2026, 9, 1, 13), False),
            resolved=(at(2026, 9, 3, 10), 20 * H, at(2026, 9, 4, 9), False), **returned,
        )  # fmt: skip
        self.make(
            "A2", a2, at(2026, 9, 2, 9), responded=(at(2026, 9, 2, 13), 4 * H, at(2026, 9, 2, 13), False),
            resolved=(at(2026, 9, 10, 10), 40 * H, at(2026, 9, 7, 9), True), replacement=spare, **returned,
        )  # fmt: skip
        self.make(
            "A3", a3, at(2026, 9, 5, 10), responded=(at(2026, 9, 7, 16), 6 * H, at(2026, 9, 7, 12), True),
            resolved=(at(2026, 9, 25, 10), 60 * H, at(2026, 9, 20, 9), True), rma_number="RMA-1",
            manufacturer_seconds=10 * DAY, **returned,
        )  # fmt: skip
        self.make(
            "A4", a1, at(2026, 9, 20, 9), state="in_repair", category="battery",
            responded=(at(2026, 9, 20, 10), 1 * H, at(2026, 9, 20, 13), False),
            resolution_due_at=at(2026, 10, 5, 9), loaner=loaner, loaner_lent_at=at(2026, 9, 21, 9),
        )  # fmt: skip
        self.make(
            "A5", a5, at(2026, 8, 10, 9), state="awaiting_device",
            responded=(at(2026, 8, 10, 10), 1 * H, at(2026, 8, 10, 13), False), sla_paused_since=at(2026, 8, 10, 10),
        )  # fmt: skip
        self.make(
            "A6", a6, at(2026, 9, 15, 10), state="cancelled", resolved_at=at(2026, 9, 15, 11),
            first_response_due_at=at(2026, 9, 15, 14), resolution_due_at=at(2026, 9, 22, 9),
        )  # fmt: skip
        self.make("B0", b2, at(2026, 7, 20, 9), resolved_at=at(2026, 7, 24, 9), **returned)
        self.make(
            "B1", b1, at(2026, 9, 7, 8), state="closed_no_fault",
            responded=(at(2026, 9, 7, 11), 3 * H, at(2026, 9, 7, 12), False),
            resolved=(at(2026, 9, 8, 10), 12 * H, at(2026, 9, 10, 9), False),
        )  # fmt: skip
        self.make(
            "B2", b2, at(2026, 9, 8, 8), responded=(at(2026, 9, 8, 13), 5 * H, at(2026, 9, 8, 12), True),
            resolved=(at(2026, 9, 18, 10), 30 * H, at(2026, 9, 14, 9), False), rma_number="RMA-2",
            manufacturer_seconds=4 * DAY, **returned,
        )  # fmt: skip
        self.make("B4", b3, at(2026, 9, 20, 9), state="cancelled", resolved_at=at(2026, 9, 20, 9, 30))
        self.make("B3", b3, at(2026, 9, 29, 10), state="declared", first_response_due_at=at(2026, 10, 1, 9))

    def make(self, name, device, declared, *, state, responded=None, resolved=None, category="screen", **fields):
        if responded:
            fields["first_responded_at"], fields["first_response_seconds"] = responded[:2]
            fields["first_response_due_at"], fields["first_response_breached"] = responded[2:]
        if resolved:
            fields["resolved_at"], fields["resolution_seconds"] = resolved[:2]
            fields["resolution_due_at"], fields["resolution_breached"] = resolved[2:]
        self.number += 1
        Ticket(
            reference=f"R-2026-{self.number:06d}",
            device=device,
            reporter=self.reporter,
            establishment=device.establishment,
            category=category,
            description=f"Ticket {name}",
            declared_at=declared,
            state=state,
            **fields,
        ).save()


# The figures, worked out by hand from the docstring above.
EXPECTED = {
    "0310001A": {
        "opened": 5, "closed": 4, "backlog": 2,
        "backlog_avg_age_days": 31.1,  # A4 10.625 d and A5 51.625 d at 01/10 00:00
        "backlog_max_age_days": 51.6,
        "first_response_median_hours": 3.0, "first_response_p90_hours": 5.4,  # 1 2 4 6
        "first_response_within_sla_pct": 75.0, "first_response_breaches": 1,
        "resolution_median_hours": 40.0, "resolution_p90_hours": 56.0,  # 20 40 60
        "resolution_within_sla_pct": 33.3, "resolution_breaches": 2,
        "repaired": 1, "swapped": 1, "manufacturer": 1,
        "repaired_pct": 33.3, "swapped_pct": 33.3, "manufacturer_pct": 33.3,
        "manufacturer_median_days": 10.0, "manufacturer_p90_days": 10.0,
        "repeat_30_days": 1, "repeat_90_days": 1, "loaners_out": 1,
        "devices": 6, "devices_outdated_image": 2,
    },
    "0340002B": {
        "opened": 4, "closed": 3, "backlog": 1,
        "backlog_avg_age_days": 1.6, "backlog_max_age_days": 1.6,  # 38 h
        "first_response_median_hours": 4.0, "first_response_p90_hours": 4.8,  # 3 5
        "first_response_within_sla_pct": 50.0, "first_response_breaches": 1,
        "resolution_median_hours": 21.0, "resolution_p90_hours": 28.2,  # 12 30
        "resolution_within_sla_pct": 100.0, "resolution_breaches": 0,
        "repaired": 0, "swapped": 0, "manufacturer": 1,
        "repaired_pct": 0.0, "swapped_pct": 0.0, "manufacturer_pct": 100.0,
        "manufacturer_median_days": 4.0, "manufacturer_p90_days": 4.0,
        "repeat_30_days": 0, "repeat_90_days": 1, "loaners_out": 0,
        "devices": 3, "devices_outdated_image": 1,
    },
    None: {
        "opened": 9, "closed": 7, "backlog": 3,
        "backlog_avg_age_days": 21.3, "backlog_max_age_days": 51.6,
        "first_response_median_hours": 3.5, "first_response_p90_hours": 5.5,  # 1 2 3 4 5 6
        "first_response_within_sla_pct": 66.7, "first_response_breaches": 2,
        "resolution_median_hours": 30.0, "resolution_p90_hours": 52.0,  # 12 20 30 40 60
        "resolution_within_sla_pct": 60.0, "resolution_breaches": 2,
        "repaired": 1, "swapped": 1, "manufacturer": 2,
        "repaired_pct": 25.0, "swapped_pct": 25.0, "manufacturer_pct": 50.0,
        "manufacturer_median_days": 7.0, "manufacturer_p90_days": 9.4,  # 4 10
        "repeat_30_days": 1, "repeat_90_days": 2, "loaners_out": 1,
        "devices": 10, "devices_outdated_image": 3,
    },
}  # fmt: skip
# The loaner sits at the depot: a row of its own, with the fleet figures only.
DEPOT = {"opened": 0, "backlog": 0, "devices": 1, "devices_outdated_image": 0, "resolution_median_hours": None}
LABELS = {"0310001A": "Lycée Alpha, Toulouse", "0340002B": "Lycée Beta, Sète", None: "Total"}
NOW = at(2026, 11, 28, 12)


def dataset_fixtures():
    """`dataset, data = dataset_fixtures()`: the Dataset's rows written once for a module whose
    database tests all want them (tests/once.py), and a copy of its instances for each test (a
    test that changes an instance in memory leaves the next one the rows' values)."""
    return kept_and_copied(Dataset, kept="dataset", copied="data")


dataset, data = dataset_fixtures()
one_rendering_per_document = pdfs.one_rendering_per_document


@pytest.fixture
def api(data):
    client = APIClient()
    client.force_authenticate(data.manager)
    return client


def params(**kwargs) -> ReportParams:
    return ReportParams(date_from=dt.date(2026, 9, 1), date_to=dt.date(2026, 9, 30), **kwargs)


def test_the_generator_gives_the_figures_worked_out_by_hand(data):
    report = report_build(params=params(), now=NOW)
    rows = {row["key"]: row for row in report.rows}
    assert list(rows) == ["0310001A", "0340002B", None]
    for key, figures in EXPECTED.items():
        row = rows[key] if key else report.total
        assert {k: row[k] for k in figures} == figures, key
        assert row["label"] == LABELS[key]
    assert {k: rows[None][k] for k in DEPOT} == DEPOT
    assert rows[None]["label"] == "Dépôt (sans établissement)"


def test_json_has_the_same_figures(api):
    response = api.get("/api/v1/reports/sla/", {**PERIOD, "group_by": "establishment"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"], body["group_by"]) == ("2026-09-01", "2026-09-30", "establishment")
    rows = {row["key"]: row for row in body["rows"]}
    assert {k: rows[None][k] for k in DEPOT} == DEPOT
    for key, figures in EXPECTED.items():
        row = rows[key] if key else body["total"]
        assert {k: row[k] for k in figures} == figures, key
    assert [c["key"] for c in body["columns"]][:4] == ["key", "label", "opened", "closed"]


def test_csv_has_the_same_figures_in_a_stable_column_order(api):
    response = api.get("/api/v1/reports/sla/", {**PERIOD, "group_by": "establishment", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="rapport-sav_2026-09-01_2026-09-30_establishment.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffkey,label,opened,closed,backlog,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["key"] for row in rows] == ["0310001A", "0340002B", "", "TOTAL"]
    assert rows[2]["label"] == "Dépôt (sans établissement)" and rows[2]["devices"] == "1"
    by_key = {"0310001A": rows[0], "0340002B": rows[1], None: rows[3]}
    for key, figures in EXPECTED.items():
        assert {k: by_key[key][k] for k in figures} == {k: str(v) for k, v in figures.items()}, key


def french(value, kind: str) -> str:
    """How the French page and PDF print a figure: a decimal comma, one digit, " %" for shares."""
    if kind == "int":
        return str(value)
    text = f"{value:.1f}".replace(".", ",")
    return f"{text} %" if kind == "percent" else text


KINDS = {
    "opened": "int",
    "closed": "int",
    "backlog": "int",
    "backlog_avg_age_days": "decimal",
    "first_response_median_hours": "decimal",
    "first_response_within_sla_pct": "percent",
    "resolution_median_hours": "decimal",
    "resolution_p90_hours": "decimal",
    "resolution_within_sla_pct": "percent",
    "first_response_breaches": "int",
    "resolution_breaches": "int",
    "swapped_pct": "percent",
    "manufacturer_median_days": "decimal",
    "repeat_30_days": "int",
    "loaners_out": "int",
    "devices_outdated_image": "int",
}  # fmt: skip  (the group table's columns, in order)


def expected_cells(key) -> list[str]:
    return [french(EXPECTED[key][k], kind) for k, kind in KINDS.items()]


def test_the_html_page_shows_the_same_figures(client, data):
    client.force_login(data.manager)
    response = client.get("/reports/", {**PERIOD, "group_by": "establishment"})
    assert response.status_code == 200
    html = response.content.decode()
    for key, label in LABELS.items():
        row = re.search(rf"<tr><th scope=\"row\">{label}</th>(.*?)</tr>", html, re.S)
        assert row, label
        cells = re.findall(r'<td class="num">(.*?)</td>', row.group(1))
        assert cells == expected_cells(key), label
    assert "<svg" in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "/reports/report.pdf?from=2026-09-01&amp;to=2026-09-30&amp;group_by=establishment" in html


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_the_pdf_shows_the_same_figures(api, one_rendering_per_document):
    response = api.get("/api/v1/reports/sla/", {**PERIOD, "group_by": "establishment", "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text, pages = pdf_text(response.content)
    assert pages == 7  # cover, summary, table, costs, one page per lycée and one for the depot
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for key, label in LABELS.items():
        row = next(line for line in lines if line.startswith(label + " ") and line.count(" ") > 10)
        assert row == " ".join([label, *expected_cells(key)]), label
    assert "Du 01/09/2026 au 30/09/2026" in text
    assert re.search(r"Généré le \d\d/\d\d/\d{4} \d\d:\d\d", text)
    assert "1 / 7" in text and "7 / 7" in text
    # One page per lycée: its figures beside the total's, including those not in the table.
    beta = lines[lines.index("Lycée Beta, Sète 0340002B") :]
    assert "Prise en charge, 90e centile (heures ouvrées) 4,8 5,5" in beta
    assert "Délai constructeur, médiane (jours) 4,0 7,0" in beta
    assert "Pannes répétées sous 90 jours 1 2" in beta


def test_query_count_does_not_depend_on_the_number_of_tickets(data):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            report_build(params=params(group_by="departement"), now=NOW, breakdown=True)
        return len(queries)

    few = count()
    for n in range(40):
        device = DeviceFactory(establishment=data.beta if n % 2 else data.alpha)
        data.make(f"X{n}", device, at(2026, 9, 1 + n % 28, 9), state="declared")
    assert count() == few <= 11


@pytest.mark.parametrize(
    "group_by", ["establishment", "departement", "academie", "technician", "category", "model", "coverage"]
)
def test_every_grouping_adds_up_to_the_same_total(data, group_by):
    report = report_build(params=params(group_by=group_by), now=NOW)
    assert sum(row["opened"] for row in report.rows) == report.total["opened"] == 9
    assert sum(row["backlog"] for row in report.rows) == 3
    assert report.total["resolution_median_hours"] == 30.0


def test_a_scope_filters_tickets_and_fleet(data):
    report = report_build(params=params(group_by="departement", filters={"academie": "montpellier"}), now=NOW)
    assert [row["key"] for row in report.rows] == ["34"]
    assert {k: report.total[k] for k in EXPECTED["0340002B"]} == EXPECTED["0340002B"]
    by_category = report_build(params=params(group_by="category", filters={"category": "battery"}), now=NOW)
    assert by_category.total["opened"] == 1
    assert by_category.total["devices"] is None  # a category has no fleet


@pytest.mark.parametrize("group_by", ["establishment", "departement"])
def test_the_fleet_is_a_plain_count_of_the_devices_in_service(data, group_by):
    """By establishment the database counts devices per place, image and status and the statuses in
    service are added up in Python; by département it filters each device. Both are a plain count:
    retired and lost devices (on an old image too) nowhere, devices without an image never outdated,
    a place whose devices are all out of service shown with none."""
    from devices.models import MasterImage

    old = MasterImage.objects.get(version="T-2025")
    retired_only = EstablishmentFactory(uai="0310099Z", name="Lycée Zeta", departement="31")
    for place, status, image in [
        (data.alpha, Device.Status.RETIRED, old),
        (data.alpha, Device.Status.LOST, old),
        (data.alpha, Device.Status.SPARE, old),
        (data.beta, Device.Status.IN_STOCK, None),
        (retired_only, Device.Status.LOST, old),
    ]:
        DeviceFactory(establishment=place, status=status, image=image)
    report = report_build(params=params(group_by=group_by), now=NOW)
    devices = list(Device.objects.select_related("establishment", "image"))
    key = (lambda d: d.establishment.uai) if group_by == "establishment" else (lambda d: d.establishment.departement)
    for row in report.rows:
        if row["key"] is None:
            continue
        mine = [d for d in devices if d.establishment and key(d) == row["key"] and d.status not in ("retired", "lost")]
        outdated = [d for d in mine if d.image is not None and not d.image.is_current]
        assert (row["devices"], row["devices_outdated_image"]) == (len(mine), len(outdated)), row["key"]
    if group_by == "establishment":
        assert {r["key"]: r["devices"] for r in report.rows}["0310099Z"] == 0
        assert {r["key"]: r["devices_outdated_image"] for r in report.rows}["0310001A"] == 3


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_tables_rows_are_the_markup_of_the_template_loop_they_replace(data, language):
    from django.template import Context, Template
    from django.utils import translation

    from repairs.reports.columns import COST_KEYS, TABLE_KEYS
    from repairs.reports.formats import _cells, table_body

    loop = Template(
        '{% load i18n %}{% for row in rows %}<tr><th scope="row">{{ row.label }}</th>{% for cell in row.cells %}'
        '<td class="num">{{ cell.text }}</td>{% endfor %}</tr>\n    {% empty %}<tr><td colspan="{{ columns|add:1 }}">'
        '{% translate "No ticket in this period and scope." %}</td></tr>\n    {% endfor %}'
    )
    report = report_build(params=params(), now=NOW)
    report.rows[0]["label"] = "Lycée <Alpha> & “fils”"
    with translation.override(language):
        for rows in (report.rows, []):
            for keys in (TABLE_KEYS, COST_KEYS):
                cells = [{"label": r["label"], "cells": _cells(r, keys)} for r in rows]
                expected = loop.render(Context({"rows": cells, "columns": len(keys)}))
                assert table_body(rows, keys) == expected
    assert "&lt;Alpha&gt; &amp;" in table_body(report.rows, TABLE_KEYS)
