"""Formatters of the campaign's progress: JSON (the API), CSV and PDF (the region's weekly
meeting). They format the selector's rows; they compute nothing."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone

from distribution.charts import progress_curve
from distribution.selectors import DEADLINE_DAYS, RATE_WINDOW_TEXT, TARGET_PCT, CampaignProgress
from repairs.pdf import html_to_pdf
from repairs.reports.formats import csv_safe

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


def progress_context(progress: CampaignProgress) -> dict:
    """What the page, its live part and the PDF show."""
    return {
        "progress": progress,
        "curve": progress_curve(row=progress.total),
        "rate_window": RATE_WINDOW_TEXT,
        "target_pct": TARGET_PCT,
        "deadline_days": DEADLINE_DAYS,
        "generated_at": timezone.localtime(),
    }


def progress_pdf(progress: CampaignProgress) -> tuple[bytes, int]:
    return html_to_pdf(render_to_string("distribution/dashboard_pdf.html", progress_context(progress)))
