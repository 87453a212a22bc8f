"""The manager's tables of pools and moves, drawn in Python (as repairs/ticket_table.py draws the
ticket lists).

The region's page draws up to three tables of 371 rows and a table of moves: through the template,
eight cells a row and a dozen lookups each, that was most of the page's time beside its selector.
The markup is the template's (tests/insights/test_html.py compares them); only the way it is
produced changes.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from repairs.html_parts import escape

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


TENTH = Decimal("0.1")


def _tenths(value: float, separator: str) -> str:
    """What `floatformat:1` prints, for the usual case without its per-call formatting machinery
    (a few hundred cells a page): rounded half up from the shortest decimal form, the language's
    separator, no grouping below 1,000."""
    if not 0 <= value < 1000:
        return floatformat(value, 1)
    return str(Decimal(repr(value)).quantize(TENTH, rounding=ROUND_HALF_UP)).replace(".", separator)


def pool_table(pools, *, testid: str) -> SafeString:
    labels = [escape(label) for label, _kind in COLUMNS]
    head = "".join(
        f'<th scope="col" class="num">{label}</th>' if kind else f'<th scope="col">{label}</th>'
        for label, (_l, kind) in zip(labels, COLUMNS, strict=True)
    )
    depot = escape(_("Depot"))
    separator = formats.get_format("DECIMAL_SEPARATOR")
    rows = []
    for pool in pools:
        place = depot if pool.is_depot else f'{escape(pool.name)} <span class="muted">{escape(pool.uai)}</span>'
        gap = f"+{pool.gap}" if pool.gap > 0 else str(pool.gap)
        values = (
            place,
            escape(pool.zone),
            _tenths(pool.weekly_rate, separator),
            _tenths(pool.load, separator),
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
        none = escape(_("None."))  # outside the f-string, where xgettext finds it
        rows.append(f'<tr><td colspan="8">{none}</td></tr>')
    body = "\n".join(rows)
    return mark_safe(  # noqa: S308 - every value escaped on its way in
        f'<table class="responsive-table" data-testid="{escape(testid)}">\n'
        f"  <thead><tr>{head}</tr></thead>\n  <tbody>\n{body}\n  </tbody>\n</table>"
    )


def moves_table(moves) -> SafeString:
    labels = [escape(label) for label in (_("From"), _("To"), _("Zone"), _("Spares"))]
    head = "".join(f'<th scope="col">{label}</th>' for label in labels[:3])
    head += f'<th scope="col" class="num">{labels[3]}</th>'
    depot, none = escape(_("Depot")), escape(_("No move needed."))  # outside the f-strings, for xgettext
    rows = [
        f'<tr><td data-label="{labels[0]}">{escape(move.source) if move.source else depot}</td>'
        f'<td data-label="{labels[1]}">{escape(move.target)}</td>'
        f'<td data-label="{labels[2]}">{escape(move.zone)}</td>'
        f'<td class="num" data-label="{labels[3]}">{move.count}</td></tr>'
        for move in moves
    ] or [f'<tr><td colspan="4">{none}</td></tr>']
    body = "\n".join(rows)
    return mark_safe(  # noqa: S308 - every value escaped on its way in
        f'<table class="responsive-table" data-testid="moves">\n'
        f"  <thead><tr>{head}</tr></thead>\n  <tbody>\n{body}\n  </tbody>\n</table>"
    )
