"""Formatters of the campaign's progress: JSON (the API), CSV and PDF (the region's weekly
meeting). They format the selector's rows; they compute nothing."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from distribution.charts import progress_curve
from distribution.progress import DEADLINE_DAYS, RATE_WINDOW_TEXT, TARGET_PCT, CampaignProgress, ProgressRow
from repairs.pdf import html_to_pdf
from repairs.reports.formats import csv_safe
from repairs.reports.numbers import number_text

CSV_COLUMNS = (
    "group",
    "key",
    "label",
    "target",
    "equipped",
    "pct",
    "handed_over_today",
    "rate_per_day",
    "expected_pct",
    "behind_schedule",
    "projected_on",
    "reached_on",
)


def progress_json(progress: CampaignProgress, *, group_by: str) -> dict:
    return {
        "school_year": progress.school_year,
        "year": progress.year,
        "group_by": group_by,
        "filters": progress.filters,
        "today": progress.today.isoformat(),
        "as_of": progress.as_of.isoformat(),
        "target_pct": TARGET_PCT,
        "deadline_days": DEADLINE_DAYS,
        "rate_window": str(RATE_WINDOW_TEXT),
        "rows": [row.as_json() for row in progress.rows(group_by)],
        "total": progress.total.as_json(),
        "curve": [{"day": day.isoformat(), "pct": round(pct, 1)} for day, pct in progress.total.curve],
    }


def progress_csv(progress: CampaignProgress) -> str:
    """UTF-8 with a BOM, stable keys as header; the académies, départements and establishments in
    the dashboard's order (behind schedule first), then the total. Decimal points, no grouping."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    groups = [("academie", progress.academies), ("departement", progress.departements)]
    groups += [("establishment", progress.establishments), ("total", [progress.total])]
    for group, rows in groups:
        for row in rows:
            data = {"group": group, **row.as_json()}
            data["behind_schedule"] = int(data["behind_schedule"])
            data["handed_over_today"] = row.today
            writer.writerow([csv_safe(data.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()


def progress_filename(progress: CampaignProgress, extension: str) -> str:
    suffix = "".join(f"_{value}" for value in progress.filters.values())
    return f"campagne-{progress.school_year}{suffix}_{progress.today:%Y-%m-%d}.{extension}"


def when_text(row: ProgressRow) -> str:
    if row.reached_on:
        return _("reached on %(day)s") % {"day": f"{row.reached_on:%d/%m/%Y}"}
    if row.projected_on:
        return _("expected on %(day)s") % {"day": f"{row.projected_on:%d/%m/%Y}"}
    return _("no projection (no hand-over lately)")


_ROW_HTML = (
    '<tr data-key="{key}"{behind}>\n'
    '          <th scope="row">{label}{code}</th>\n'
    '          <td class="num">{target}</td>\n'
    '          <td class="num" data-figure="equipped">{equipped}</td>\n'
    '          <td class="num" data-figure="pct">{pct}</td>\n'
    '          <td class="num" data-figure="today">{today}</td>\n'
    '          <td class="num">{rate}</td>\n'
    "          <td>{when}</td>\n"
    '          <td><span class="badge {status_class}">{status}</span></td>\n'
    "        </tr>"
)


def _row_html(cells: dict, *, codes: bool) -> str:
    """A table row's HTML, written with one format rather than a dozen template lookups per row
    (some 400 rows rendered through the template took longer than computing the figures)."""
    text = {k: escape(cells[k]) for k in ("key", "label", "pct", "rate", "when", "status", "status_class")}
    return mark_safe(  # noqa: S308 (every text cell is escaped above; the others are integers)
        _ROW_HTML.format(
            **text,
            behind=' class="behind"' if cells["behind"] else "",
            code=f' <span class="muted">{text["key"]}</span>' if codes else "",
            target=int(cells["target"]),
            equipped=int(cells["equipped"]),
            today=int(cells["today"]),
        )
    )


def table_rows(rows: list[ProgressRow], *, codes: bool = False) -> list[dict]:
    """The cells of a table, written out here once, and each row's HTML (`html`; `codes`: with
    the establishment's code after its name): a region has some 400 rows, and Django's number
    filters and includes would take longer than the figures themselves."""
    behind, done, on_track = _("Behind (%(expected)s %% expected)"), _("Done"), _("On track")
    cells = [
        {
            "key": row.key,
            "label": row.label,
            "target": row.target,
            "equipped": row.equipped,
            "pct": "—" if row.pct is None else number_text(row.pct, 1),
            "today": row.today,
            "rate": number_text(row.rate, 1),
            "when": when_text(row),
            "behind": row.behind,
            "status": behind % {"expected": number_text(row.expected_pct or 0)}
            if row.behind
            else done
            if row.reached_on
            else on_track,
            "status_class": "breached" if row.behind else "ok" if row.reached_on else "",
        }
        for row in rows
    ]
    for row in cells:
        row["html"] = _row_html(row, codes=codes)
    return cells


def progress_context(progress: CampaignProgress) -> dict:
    """What the page, its live part and the PDF show."""
    return {
        "progress": progress,
        "academie_rows": table_rows(progress.academies),
        "departement_rows": table_rows(progress.departements),
        "establishment_rows": table_rows(progress.establishments, codes=True),
        "total": table_rows([progress.total])[0],
        "curve": progress_curve(row=progress.total),
        "rate_window": RATE_WINDOW_TEXT,
        "target_pct": TARGET_PCT,
        "deadline_days": DEADLINE_DAYS,
        "generated_at": timezone.localtime(),
    }


def progress_pdf(progress: CampaignProgress) -> tuple[bytes, int]:
    return html_to_pdf(render_to_string("distribution/dashboard_pdf.html", progress_context(progress)))
