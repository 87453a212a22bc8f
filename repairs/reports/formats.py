"""Formatters of a built report: JSON, CSV, the HTML page's context, and the PDF (the same
templates printed by weasyprint). They format the generator's rows; they compute nothing."""

from __future__ import annotations

import csv
import io
from html import escape  # Django's, without its lazy-string wrapper: the same text

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from devices.models import Academie, Departement, DeviceModel, Establishment, FaultCategory
from repairs.pdf import html_to_pdf
from repairs.reports import charts
from repairs.reports.columns import COLUMNS, COLUMNS_BY_KEY, COST_KEYS, SUMMARY_KEYS, TABLE_KEYS
from repairs.reports.generator import Report
from repairs.reports.numbers import number_text
from repairs.states import Coverage

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value, kind: str, *, language: str | None = None) -> str:
    """A figure as people read it, in the active language (1,5 in French, 1.5 in English)."""
    if value is None:
        return "—"
    if kind == "int":
        return number_text(value, language=language)
    if kind == "decimal":
        return number_text(value, 1, language=language)
    if kind == "percent":
        return number_text(value, 1, language=language) + " %"
    if kind == "money":
        return number_text(value, 2, language=language) + " €"
    return str(value)


def _json_value(value):
    return str(value) if value is not None and not isinstance(value, int | float) else value


def report_json(report: Report) -> dict:
    params = report.params
    return {
        "from": params.date_from.isoformat(),
        "to": params.date_to.isoformat(),
        "group_by": params.group_by,
        "filters": params.filters,
        "generated_at": report.generated_at.isoformat(),
        "as_of": report.as_of.isoformat(),
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in COLUMNS],
        "rows": [{c.key: _json_value(row.get(c.key)) for c in COLUMNS} for row in report.rows],
        "total": {c.key: _json_value(report.total.get(c.key)) for c in COLUMNS},
        "series": [
            {"bucket": p["bucket"].isoformat(), "opened": p["opened"], "closed": p["closed"]} for p in report.series
        ],
    }


def csv_safe(value) -> str:
    """A cell no spreadsheet will evaluate: text starting like a formula gets a leading quote."""
    if value is None:
        return ""
    text = str(value)
    if not isinstance(value, int | float) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def report_csv(report: Report) -> str:
    """UTF-8 with a BOM (spreadsheets then read accents right), one header of stable keys, one row
    per group (the depot's key is empty), then the total (key TOTAL). Decimal points and no digit
    grouping: the figures stay machine-readable."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in COLUMNS])
    for row in [*report.rows, {**report.total, "key": "TOTAL"}]:
        writer.writerow([csv_safe(row.get(c.key)) for c in COLUMNS])
    return out.getvalue()


def report_filename(report: Report, extension: str) -> str:
    p = report.params
    return f"rapport-sav_{p.date_from:%Y-%m-%d}_{p.date_to:%Y-%m-%d}_{p.group_by}.{extension}"


SCOPE_NAMES = {
    "academie": _lazy("Académie"),
    "departement": _lazy("Département"),
    "establishment": _lazy("Establishment"),
    "technician": _lazy("Technician"),
    "category": _lazy("Category"),
    "model": _lazy("Device model"),
    "coverage": _lazy("Coverage"),
}


def _scope_value(name: str, value: str) -> str:
    if name == "academie":
        return str(Academie(value).label)
    if name == "departement":
        return str(Departement(value).label)
    if name == "category":
        return str(FaultCategory(value).label)
    if name == "coverage":
        return str(Coverage(value).label)
    if name == "establishment":
        return str(Establishment.objects.filter(uai=value).first() or value)
    if name == "model":
        return str(DeviceModel.objects.filter(pk=value).first() or value)
    user = get_user_model().objects.filter(username=value).first()
    return (user.get_full_name() or user.get_username()) if user else value


def scope_lines(report: Report) -> list[tuple[str, str]]:
    """The scope in words, e.g. [("Académie", "Toulouse")]; the whole region without filters."""
    lines = [(str(SCOPE_NAMES[name]), _scope_value(name, value)) for name, value in report.params.filters.items()]
    return lines or [(_("Scope"), _("Whole region (both académies)"))]


def _cells(row: dict, keys) -> list[dict]:
    return [{"text": cell_text(row.get(k), COLUMNS_BY_KEY[k].kind), "kind": COLUMNS_BY_KEY[k].kind} for k in keys]


def table_body(rows: list[dict], keys) -> SafeString:
    """The rows of a report table (_table.html, _costs.html), written here rather than by two
    template loops: a region report has some 8,000 cells, and the loops took a fifth of the page's
    time. The same markup as the loops it replaces (a test compares them)."""
    language = get_language() or ""
    kinds = [COLUMNS_BY_KEY[k].kind for k in keys]
    if not rows:
        message = escape(str(_("No ticket in this period and scope.")))
        return mark_safe(f'<tr><td colspan="{len(keys) + 1}">{message}</td></tr>\n    ')  # noqa: S308 - escaped
    # A region's 7,800 cells hold some 1,400 different figures (counts, zeros, no value): each is
    # written once per table. The type is in the key, as 1, 1.0 and True are equal keys.
    drawn: dict = {}

    def cell(value, kind: str) -> str:
        key = (kind, type(value), value)
        text = drawn.get(key)
        if text is None:
            text = drawn[key] = f'<td class="num">{escape(cell_text(value, kind, language=language))}</td>'
        return text

    lines = []
    for row in rows:
        cells = "".join(cell(row.get(k), kind) for k, kind in zip(keys, kinds, strict=True))
        lines.append(f'<tr><th scope="row">{escape(str(row["label"]))}</th>{cells}</tr>\n    ')
    return mark_safe("".join(lines))  # noqa: S308 - every value escaped above


def report_context(report: Report, *, sections: bool = False) -> dict:
    """What the HTML page and the PDF templates show."""
    p = report.params
    context = {
        "report": report,
        "group_label": p.dimension.label,
        "scope": scope_lines(report),
        "date_from": p.date_from,
        "date_to": p.date_to,
        "generated_at": timezone.localtime(report.generated_at),
        "summary": [
            {"label": COLUMNS_BY_KEY[k].label, "text": cell_text(report.total.get(k), COLUMNS_BY_KEY[k].kind), "key": k}
            for k in SUMMARY_KEYS
            if report.fleet or not k.startswith("devices")
        ],
        "columns": [COLUMNS_BY_KEY[k] for k in TABLE_KEYS],
        "table_body": table_body(report.rows, TABLE_KEYS),
        "total": {"label": report.total["label"], "cells": _cells(report.total, TABLE_KEYS)},
        "cost_columns": [COLUMNS_BY_KEY[k] for k in COST_KEYS],
        "cost_body": table_body(report.rows, COST_KEYS),
        "cost_total": {"label": report.total["label"], "cells": _cells(report.total, COST_KEYS)},
        "charts_overview": [
            {
                "wide": True,
                "title": charts.series_title(report.bucket),
                "svg": charts.chart_series(series=report.series, bucket=report.bucket),
            },
            {"title": _("How returned devices were fixed"), "svg": charts.chart_outcomes(total=report.total)},
        ],
        "charts_groups": [
            {"title": title, "svg": charts.chart_groups(rows=report.rows, title=title, width=480, **options)}
            for title, options in (
                (
                    _("Resolution within SLA (%), busiest groups"),
                    {"value": "resolution_within_sla_pct", "unit": " %", "maximum": 100},
                ),
                (
                    _("Resolution time in business hours: median (bar), 90th percentile (red tick)"),
                    {"value": "resolution_median_hours", "marker": "resolution_p90_hours"},
                ),
            )
        ],
    }
    if sections:
        # A section's costs are in the costs table; its page keeps the service figures.
        figure_keys = [
            c.key for c in COLUMNS[2:] if (report.fleet or not c.key.startswith("devices")) and c.key not in COST_KEYS
        ]
        context["sections"] = [
            {
                "label": row["label"],
                # UAI codes and usernames identify a section; other keys are in the label already.
                "code": row["key"] if p.group_by in ("establishment", "technician") else "",
                "categories": report.breakdown.get(row["key"], []),
                "figures": [
                    {
                        "label": COLUMNS_BY_KEY[k].label,
                        "text": cell_text(row.get(k), COLUMNS_BY_KEY[k].kind),
                        "total": cell_text(report.total.get(k), COLUMNS_BY_KEY[k].kind),
                    }
                    for k in figure_keys
                ],
                "chart": charts.chart_categories(items=report.breakdown.get(row["key"], [])),
            }
            for row in report.rows
        ]
    return context


# PDF


def render_pdf(report: Report) -> tuple[bytes, int]:
    """The PDF and its number of pages. The report must be built with `breakdown=True`."""
    html = render_to_string("repairs/reports/report_pdf.html", report_context(report, sections=True))
    return html_to_pdf(html)
