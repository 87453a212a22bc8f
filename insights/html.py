"""The manager's tables of pools, drawn in Python (as repairs/widgets.py draws the ticket lists).

The region's page draws up to three tables of 371 rows: through the template, eight cells a row
and a dozen lookups each, that was tens of milliseconds of the page. The markup is the template's
(tests/insights/test_pages.py compares them); only the way it is produced changes.
"""

from __future__ import annotations

import html

from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

COLUMNS = (  # (heading, class of its cells)
    (gettext_lazy("Establishment"), ""),
    (gettext_lazy("Zone"), ""),
    (gettext_lazy("Failures a week"), "num"),
    (gettext_lazy("Spares out on average"), "num"),
    (gettext_lazy("Pool"), "num"),
    (gettext_lazy("Recommended"), "num"),
    (gettext_lazy("In September"), "num"),
    (gettext_lazy("Gap"), "num"),
)


def _escape(value) -> str:
    return html.escape(str(value))


def pool_table(pools, *, testid: str) -> SafeString:
    labels = [_escape(label) for label, _kind in COLUMNS]
    head = "".join(
        f'<th scope="col" class="num">{label}</th>' if kind else f'<th scope="col">{label}</th>'
        for label, (_l, kind) in zip(labels, COLUMNS, strict=True)
    )
    depot = _escape(_("Depot"))
    rows = []
    for pool in pools:
        place = depot if pool.is_depot else f'{_escape(pool.name)} <span class="muted">{_escape(pool.uai)}</span>'
        gap = f"+{pool.gap}" if pool.gap > 0 else str(pool.gap)
        values = (
            place,
            _escape(pool.zone),
            floatformat(pool.weekly_rate, 1),
            floatformat(pool.load, 1),
            pool.pool,
            pool.recommended,
            pool.recommended_peak,
            gap,
        )
        cells = "".join(
            f'<td class="num" data-label="{label}">{value}</td>' if kind else f'<td data-label="{label}">{value}</td>'
            for label, (_l, kind), value in zip(labels, COLUMNS, values, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="8">{_escape(_("None."))}</td></tr>')
    body = "\n".join(rows)
    return mark_safe(  # noqa: S308 - every value escaped on its way in
        f'<table class="responsive-table" data-testid="{_escape(testid)}">\n'
        f"  <thead><tr>{head}</tr></thead>\n  <tbody>\n{body}\n  </tbody>\n</table>"
    )
