"""Charts as inline SVG, drawn on the server: the same markup in the HTML page and in the PDF,
no JavaScript, nothing fetched. Every label goes through format_html (escaped)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from repairs.reports.numbers import number_text

BRAND, LIGHT, OK, WARN, BAD, INK, MUTED, GRID = (
    "#00508f",
    "#8fb8de",
    "#1d6b2f",
    "#b36200",
    "#a1111b",
    "#1b1f24",
    "#4a5360",
    "#dde3ea",
)
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


def _number(value: float, digits: int = 0) -> str:
    return number_text(value, digits)


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _svg(width: int, height: int, title: str, body: SafeString, description: str = "") -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-label="{title}" font-family="{font}" font-size="11">'
        "<title>{title}</title><desc>{desc}</desc>{body}</svg>",
        w=width,
        h=height,
        title=title,
        desc=description or title,
        font=FONT,
        body=body,
    )


def _shorten(text: str, size: int) -> str:
    text = str(text)
    return text if len(text) <= size else text[: size - 1] + "…"


def _legend(items: Sequence[tuple[str, str]], x: int, y: int) -> SafeString:
    parts, offset = [], x
    for colour, label in items:
        parts.append(
            format_html(
                '<rect x="{x}" y="{y}" width="10" height="10" fill="{c}"/>'
                '<text x="{tx}" y="{ty}" fill="{ink}">{label}</text>',
                x=offset,
                y=y,
                c=colour,
                tx=offset + 14,
                ty=y + 9,
                ink=INK,
                label=label,
            )
        )
        offset += 24 + 7 * len(str(label))
    return mark_safe("".join(parts))  # noqa: S308 (each part was built by format_html)


def series_title(bucket: str) -> str:
    return {
        "day": _("Tickets opened and closed per day"),
        "week": _("Tickets opened and closed per week"),
        "month": _("Tickets opened and closed per month"),
        "year": _("Tickets opened and closed per year"),
    }[bucket]


def _empty(width: int, title: str, message: str) -> SafeString:
    return _svg(width, 30, title, format_html('<text x="0" y="18" fill="{}">{}</text>', MUTED, message))


def chart_series(*, series: Sequence[dict], bucket: str, width: int = 720, height: int = 230) -> SafeString:
    """Opened and closed tickets per day, week, month or year: paired columns."""
    title = series_title(bucket)
    if not series:
        return _empty(width, title, _("No ticket."))
    left, right, top, bottom = 40, 10, 26, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max(max(p["opened"], p["closed"]) for p in series))
    slot = plot_w / len(series)
    bar = max(1.0, min(18.0, slot * 0.38))
    parts = [_legend([(BRAND, _("Opened")), (LIGHT, _("Closed"))], left, 4)]
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            format_html(
                '<line x1="{l}" x2="{r}" y1="{y}" y2="{y}" stroke="{g}"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end" fill="{m}">{v}</text>',
                l=left,
                r=width - right,
                y=round(y, 1),
                g=GRID,
                tx=left - 4,
                ty=round(y + 4, 1),
                m=MUTED,
                v=_number(value),
            )
        )
    every = max(1, math.ceil(len(series) / 14))  # at most ~14 axis labels
    fmt = {"day": "%d/%m", "week": "%d/%m", "month": "%m/%Y", "year": "%Y"}[bucket]
    for i, point in enumerate(series):
        x = left + slot * i + slot / 2
        for offset, key, colour in ((-bar, "opened", BRAND), (0, "closed", LIGHT)):
            h = plot_h * point[key] / top_value
            parts.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"><title>{t}</title></rect>',
                    x=round(x + offset, 1),
                    y=round(top + plot_h - h, 1),
                    w=round(bar, 1),
                    h=round(h, 1),
                    c=colour,
                    t=f"{point['bucket']:%d/%m/%Y} : {point[key]}",
                )
            )
        if i % every == 0:
            parts.append(
                format_html(
                    '<text x="{x}" y="{y}" text-anchor="middle" fill="{m}">{label}</text>',
                    x=round(x, 1),
                    y=height - bottom + 16,
                    m=MUTED,
                    label=point["bucket"].strftime(fmt) if isinstance(point["bucket"], dt.date) else point["bucket"],
                )
            )
    return _svg(width, height, title, mark_safe("".join(parts)))  # noqa: S308


def chart_outcomes(*, total: dict, width: int = 720, height: int = 70) -> SafeString:
    """Returned devices: repaired, swapped, repaired by the manufacturer, as one 100 % bar."""
    title = _("How returned devices were fixed")
    items = [
        ("repaired", _("Repaired"), BRAND),
        ("swapped", _("Swapped"), WARN),
        ("manufacturer", _("Manufacturer"), LIGHT),
    ]
    count = sum(total[key] or 0 for key, _label, _colour in items)
    if not count:
        return _empty(width, title, _("No device returned."))
    parts, x = [], 0.0
    legend = []
    for key, label, colour in items:
        share = (total[key] or 0) / count
        w = width * share
        parts.append(
            format_html(
                '<rect x="{x}" y="22" width="{w}" height="26" fill="{c}"><title>{t}</title></rect>',
                x=round(x, 1),
                w=round(w, 1),
                c=colour,
                t=f"{label} : {total[key]}",
            )
        )
        if share >= 0.06:
            parts.append(
                format_html(
                    '<text x="{x}" y="40" fill="{f}" font-weight="bold">{p} %</text>',
                    x=round(x + 6, 1),
                    f="#fff" if colour != LIGHT else INK,
                    p=_number(100 * share),
                )
            )
        legend.append((colour, f"{label} ({total[key]})"))
        x += w
    parts.insert(0, _legend(legend, 0, 4))
    return _svg(width, height, title, mark_safe("".join(parts)))  # noqa: S308


def chart_groups(
    *,
    rows: Sequence[dict],
    value: str,
    title: str = "",
    unit: str = "",
    marker: str | None = None,
    maximum: float | None = None,
    limit: int = 15,
    width: int = 720,
) -> SafeString:
    """One horizontal bar per group (the `limit` largest by tickets opened), `marker` a tick (e.g. p90)."""
    shown = sorted((r for r in rows if r.get(value) is not None), key=lambda r: (-(r["opened"] or 0), str(r["label"])))
    shown = shown[:limit]
    if not shown:
        return _empty(width, title, _("No data."))
    label_w, row_h, top = min(230, width * 2 // 5), 18, 4
    height = top + row_h * len(shown) + 6
    plot_w = width - label_w - 64  # the figures sit in a column of their own, right of the plot
    highest = maximum or _nice_max(max(max(r[value], r.get(marker) or 0) for r in shown))
    parts = []
    for i, row in enumerate(shown):
        y = top + row_h * i
        w = plot_w * min(row[value], highest) / highest
        colour = BRAND
        if value.endswith("_pct"):
            colour = OK if row[value] >= 90 else WARN if row[value] >= 75 else BAD
        parts.append(
            format_html(
                '<text x="{lx}" y="{ty}" text-anchor="end" fill="{ink}">{label}</text>'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"><title>{label} : {v}</title></rect>'
                '<text x="{vx}" y="{ty}" text-anchor="end" fill="{ink}">{v}{unit}</text>',
                lx=label_w - 6,
                ty=y + 12,
                ink=INK,
                label=_shorten(row["label"], label_w // 8),  # 11 px text: at most about 7.5 px a character
                x=label_w,
                y=y + 2,
                w=round(max(w, 1), 1),
                h=row_h - 5,
                c=colour,
                vx=width - 4,
                v=_number(row[value], 1),
                unit=unit,
            )
        )
        if marker and row.get(marker) is not None:
            mx = label_w + plot_w * min(row[marker], highest) / highest
            parts.append(
                format_html(
                    '<line x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" stroke="{c}" stroke-width="2">'
                    "<title>p90 : {v}</title></line>",
                    x=round(mx, 1),
                    y1=y,
                    y2=y + row_h - 1,
                    c=BAD,
                    v=_number(row[marker], 1),
                )
            )
    return _svg(width, height, title, mark_safe("".join(parts)))  # noqa: S308


def chart_categories(*, items: Sequence[dict], width: int = 340) -> SafeString:
    """A section's tickets opened per category (small horizontal bars)."""
    title = _("Tickets opened per category")
    items = [i for i in items if i["opened"]]
    if not items:
        return _empty(width, title, _("No ticket opened."))
    label_w, row_h = 150, 16
    highest = _nice_max(max(i["opened"] for i in items))
    parts = []
    for n, item in enumerate(sorted(items, key=lambda i: -i["opened"])):
        y = row_h * n
        w = (width - label_w - 40) * item["opened"] / highest
        parts.append(
            format_html(
                '<text x="{lx}" y="{ty}" text-anchor="end" fill="{ink}">{label}</text>'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"/>'
                '<text x="{vx}" y="{ty}" fill="{ink}">{v}</text>',
                lx=label_w - 6,
                ty=y + 11,
                ink=INK,
                label=_shorten(item["label"], 24),
                x=label_w,
                y=y + 2,
                w=round(max(w, 1), 1),
                h=row_h - 4,
                c=BRAND,
                vx=round(label_w + w + 4, 1),
                v=item["opened"],
            )
        )
    return _svg(width, row_h * len(items) + 4, title, mark_safe("".join(parts)))  # noqa: S308
