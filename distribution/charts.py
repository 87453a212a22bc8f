"""The campaign's curve as inline SVG drawn on the server, the same markup on the page (where the
live updates replace it) and in the PDF. Every label goes through format_html (escaped)."""

from __future__ import annotations

import datetime as dt

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from distribution.progress import DEADLINE_DAYS, TARGET_PCT, ProgressRow
from repairs.reports.charts import BAD, BRAND, FONT, GRID, INK, MUTED, WARN
from repairs.reports.numbers import number_text


def target_label() -> str:
    # Not a format string, whatever "% i" looks like to xgettext:
    # xgettext:no-python-format
    return _("90 % in 14 days")


def progress_curve(*, row: ProgressRow, width: int = 720, height: int = 260) -> SafeString:
    """Share equipped at the end of each day since the start (x = days since the start), against
    the straight line from the starting level to 90 % on day 14."""
    title = _("Students equipped (%) per day since the start of the campaign")
    left, right, top, bottom = 44, 16, 30, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    span = max(DEADLINE_DAYS, len(row.curve))
    start = row.starts_on

    def x(day_number: float) -> float:
        return round(left + plot_w * day_number / span, 1)

    def y(pct: float) -> float:
        return round(top + plot_h - plot_h * min(100.0, max(0.0, pct)) / 100, 1)

    parts = []
    for pct in (0, 25, 50, 75, 100):
        parts.append(
            format_html(
                '<line x1="{l}" x2="{r}" y1="{y}" y2="{y}" stroke="{g}"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end" fill="{m}">{v} %</text>',
                l=left,
                r=width - right,
                y=y(pct),
                g=GRID,
                tx=left - 4,
                ty=round(y(pct) + 4, 1),
                m=MUTED,
                v=pct,
            )
        )
    # Each day has its slot; its point (the share at the end of that day) sits on the slot's right edge.
    every = max(1, round(span / 10))
    for n in range(0, span, every):
        label = (start + dt.timedelta(days=n)).strftime("%d/%m") if start else str(n + 1)
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="middle" fill="{m}">{label}</text>',
                x=x(n + 0.5),
                y=height - bottom + 16,
                m=MUTED,
                label=label,
            )
        )
    if row.target and row.start_pct is not None:
        start_pct = row.start_pct
        parts.append(
            format_html(
                '<line class="schedule" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{c}" stroke-width="2" '
                'stroke-dasharray="6 4"><title>{t}</title></line>'
                '<line x1="{x2}" y1="{y2}" x2="{r}" y2="{y2}" stroke="{c}" stroke-dasharray="2 4"/>',
                x1=x(0),
                y1=y(min(start_pct, TARGET_PCT)),
                x2=x(DEADLINE_DAYS),
                y2=y(TARGET_PCT),
                r=width - right,
                c=WARN,
                t=target_label(),
            )
        )
        points = [(0, start_pct)] + [(i + 1, pct) for i, (_day, pct) in enumerate(row.curve)]
        parts.append(
            format_html(
                '<polyline class="equipped" points="{p}" fill="none" stroke="{c}" stroke-width="2.5"/>',
                p=" ".join(f"{x(n)},{y(pct)}" for n, pct in points),
                c=BRAND,
            )
        )
        for n, pct in points[1:]:
            day = row.curve[n - 1][0]
            parts.append(
                format_html(
                    '<circle cx="{x}" cy="{y}" r="3" fill="{c}"><title>{t}</title></circle>',
                    x=x(n),
                    y=y(pct),
                    c=BAD if row.behind and n == len(points) - 1 else BRAND,
                    t=f"{day:%d/%m/%Y} : {number_text(pct, 1)} %",
                )
            )
    else:
        parts.append(format_html('<text x="{}" y="{}" fill="{}">{}</text>', left, top + 20, MUTED, _("No campaign.")))
    legend = format_html(
        '<rect x="{l}" y="6" width="14" height="3" fill="{b}"/><text x="{l2}" y="12" fill="{ink}">{a}</text>'
        '<rect x="{l3}" y="6" width="14" height="3" fill="{w}"/><text x="{l4}" y="12" fill="{ink}">{s}</text>',
        l=left,
        l2=left + 18,
        l3=left + 200,
        l4=left + 218,
        b=BRAND,
        w=WARN,
        ink=INK,
        a=_("Students equipped"),
        s=target_label(),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart campaign-curve" viewBox="0 0 {w} {h}" width="{w}" '
        'height="{h}" role="img" aria-label="{title}" font-family="{font}" font-size="11">'
        "<title>{title}</title>{legend}{body}</svg>",
        w=width,
        h=height,
        title=title,
        font=FONT,
        legend=legend,
        body=mark_safe("".join(parts)),  # noqa: S308 (each part was built by format_html)
    )
