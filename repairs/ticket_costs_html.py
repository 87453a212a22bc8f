"""The ticket page's costs and quotes (templates/repairs/_partials/ticket_costs.html as it was)."""

from __future__ import annotations

from repairs.html_parts import display, esc, form_field, form_input, when
from repairs.pricing import euros
from repairs.templatetags.repairs_tags import minutes
from repairs.ticket_words import _


def _money(value) -> str:
    return esc(euros(value))


def ticket_costs(c: dict, ticket, base: str, csrf: str) -> str:
    """The costs card for the page's context `c` (`base`: the ticket's address)."""
    record = c["may_record_costs"]
    action = f'<th scope="col"><span class="visually-hidden">{_("Action")}</span></th>' if record else ""
    out = [
        '\n<section class="card" aria-labelledby="costs-title" data-testid="costs">\n'
        f'  <h2 id="costs-title">{_("Costs")}</h2>\n'
        '  <table class="responsive-table">\n'
        f'    <thead><tr><th scope="col">{_("Part")}</th><th scope="col">{_("Quantity")}</th>'
        f'<th scope="col">{_("Unit price")}</th><th scope="col">{_("Amount")}</th>{action}</tr></thead>\n'
        "    <tbody>\n    "
    ]
    version = esc(ticket.version)
    for line in c["lines"]:
        label = esc(line.part.label)
        out.append(
            "\n      <tr>\n"
            f'        <td data-label="{_("Part")}">{label} '
            f'<span class="muted">{esc(line.part.reference)}</span></td>\n'
            f'        <td data-label="{_("Quantity")}">{esc(line.quantity)}</td>\n'
            f'        <td data-label="{_("Unit price")}">{_money(line.unit_price)}</td>\n'
            f'        <td data-label="{_("Amount")}">{_money(line.total)}</td>\n        '
        )
        if record:
            remove = _("Remove %(label)s") % {"label": label}
            out.append(
                f'<td><form method="post" action="{base}parts/{line.pk}/remove/">{csrf}'
                f'<input type="hidden" name="version" value="{version}">'
                f'<button type="submit" class="secondary">{remove}</button></form></td>'
            )
        out.append("\n      </tr>\n    ")
    if not c["lines"]:
        out.append(f'<tr><td colspan="5" class="muted">{_("No part recorded.")}</td></tr>')
    rate = c["rate"]
    if rate is not None:
        labour_rate = " × " + _("%(rate)s/h") % {"rate": _money(rate)}
    elif ticket.coverage:
        labour_rate = f" ({_('no hourly rate set for this coverage')})"
    else:
        labour_rate = ""
    out.append(
        "\n    </tbody>\n  </table>\n"
        '  <dl class="facts">\n'
        f"    <dt>{_('Labour')}</dt><dd>{esc(minutes(ticket.labour_minutes))}{labour_rate} = "
        f"{_money(ticket.labour_cost)}</dd>\n"
        f"    <dt>{_('Parts')}</dt><dd>{_money(ticket.parts_cost)}</dd>\n"
        f'    <dt>{_("Cost of the ticket")}</dt><dd><strong data-testid="cost">{_money(ticket.cost)}</strong></dd>\n'
        "  </dl>\n  "
    )
    if record:
        out.append(_cost_forms(c, base, csrf, version))
    out.append("\n\n  ")
    if ticket.coverage == "family" or c["quotes"]:
        out.append(_quotes(c, ticket, base, csrf, version))
    out.append("\n</section>\n")
    return "".join(out)


def _cost_forms(c: dict, base: str, csrf: str, version: str) -> str:
    options = [
        f'<option value="{esc(part.reference)}">{esc(part.reference)} — {esc(part.label)} '
        f"({_money(part.unit_price)})</option>\n        "
        for part in c["price_list"]
    ]
    if not options:
        options = [f'<option value="">{_("The price list is empty (Administration)")}</option>']
    return (
        '\n  <div class="grid">\n'
        f'    <form method="post" action="{base}parts/">{csrf}\n'
        f'      <input type="hidden" name="version" value="{version}">\n'
        f'      <label for="id_part">{_("Part (price list)")}</label>\n'
        '      <select name="part" id="id_part" required>\n'
        f"        {''.join(options)}\n"
        "      </select>\n"
        f"      {form_field(c['part_form'], 'quantity')}\n"
        f'      <button type="submit" class="secondary">{_("Add the part")}</button>\n'
        "    </form>\n"
        f'    <form method="post" action="{base}labour/">{csrf}\n'
        f"      {form_input(c['labour_form'], 'version')}\n"
        f"      {form_field(c['labour_form'], 'minutes')}\n"
        f'      <button type="submit" class="secondary">{_("Record the labour time")}</button>\n'
        "    </form>\n  </div>\n  "
    )


def _quotes(c: dict, ticket, base: str, csrf: str, version: str) -> str:
    quotes = c["quotes"]
    out = [f"\n  <h3>{_('Quote for the family')}</h3>\n  "]
    if ticket.coverage == "family" and not quotes:
        notice = _("A repair charged to the family starts only once the family accepted a quote.")
        out.append(f'<p class="help">{notice}</p>')
    out.append('\n  <ul data-testid="quotes">\n    ')
    for quote in quotes:
        title = _("Quote %(reference)s of %(date)s: %(total)s") % {
            "reference": esc(quote.reference),
            "total": _money(quote.total),
            "date": when(quote.issued_at, "SHORT_DATE_FORMAT"),
        }
        decided = ""
        if quote.decided_at:
            decided = f" ({display(quote, 'decided_via')}, {when(quote.decided_at, 'SHORT_DATETIME_FORMAT')})"
        out.append(
            f"\n    <li>{title}\n      — <strong>{display(quote, 'status')}</strong>{decided}\n"
            f'      · <a href="{base}quotes/{quote.number}.pdf">{_("PDF")}</a></li>\n    '
        )
    out.append("\n  </ul>\n  ")
    pending = c["pending_quote"]
    if pending and c["may_record_quote_decision"]:
        out.append(
            f'\n  <form method="post" action="{base}quotes/decision/">{csrf}\n'
            f'    <input type="hidden" name="version" value="{version}">'
            f'<input type="hidden" name="number" value="{esc(pending.number)}">\n'
            f"    <p>{_('The family answered at school or on the phone:')}</p>\n"
            '    <button type="submit" name="decision" value="accept">'
            f"{_('The family accepts the quote')}</button>\n"
            '    <button type="submit" name="decision" value="refuse" class="secondary">'
            f"{_('The family refuses the quote')}</button>\n"
            "  </form>\n  "
        )
    out.append("\n  ")
    if c["may_issue_quote"]:
        issue = (
            _("Issue a new quote from these parts and this labour")
            if quotes
            else _("Issue the quote from these parts and this labour")
        )
        out.append(
            f'\n  <form method="post" action="{base}quotes/">{csrf}'
            f'<input type="hidden" name="version" value="{version}">\n'
            f'    <button type="submit">{issue}</button></form>\n  '
        )
    out.append("\n  ")
    return "".join(out)
