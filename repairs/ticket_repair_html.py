"""The ticket page's cards of the laptop (its image and warranties, for the desk) and of the
repair (what was done, the replacement, the loaner), drawn in Python as repairs/ticket_html.py says."""

from __future__ import annotations

from repairs.html_parts import display, esc, when
from repairs.ticket_words import _


def laptop_section(c: dict, ticket) -> str:
    device = ticket.device
    image = c["image"]
    current = image["current"]
    out = [
        '\n  <section class="card" aria-labelledby="laptop-title" data-testid="laptop">\n'
        f'    <h2 id="laptop-title">{_("The laptop")}</h2>\n'
        '    <dl class="facts">\n'
        f"      <dt>{_('Serial number')}</dt><dd>{esc(device.serial_number)}</dd>\n"
        f"      <dt>{_('Status')}</dt><dd>{display(device, 'status')}</dd>\n"
        f'      <dt>{_("Master image")}</dt><dd data-testid="image">'
    ]
    of_current = ""
    if current:
        of_current = " (" + _("current: %(version)s") % {"version": esc(current.version)} + ")"
    if image["image"]:
        out.append(f"{esc(image['image'].name)} {esc(image['image'].version)} —\n        ")
        if image["is_current"]:
            out.append(f'<span class="badge ok">{_("current")}</span>')
        else:
            out.append(f'<span class="badge at_risk">{_("outdated")}</span>{of_current}')
        out.append("\n        ")
    else:
        out.append(f"{_('none recorded')}{of_current}")
    out.append(f'</dd>\n    </dl>\n    <h3>{_("Warranties")}</h3>\n    <ul data-testid="warranties">\n      ')
    for row in c["warranties"]:
        coverage = row["coverage"]
        span = _("from %(start)s to %(end)s") % {
            "start": when(coverage.starts_on, "SHORT_DATE_FORMAT"),
            "end": when(coverage.ends_on, "SHORT_DATE_FORMAT"),
        }
        out.append(f"\n      <li>{display(coverage, 'kind')} — {esc(coverage.provider)}")
        if coverage.contract_ref:
            out.append(f" ({esc(coverage.contract_ref)})")
        out.append(f",\n        {span}\n        ")
        if row["active_then"]:
            out.append(f'<span class="badge ok">{_("active at declaration")}</span>')
        else:
            out.append(f'<span class="badge">{_("not active at declaration")}</span>')
        out.append("\n        ")
        if coverage.claims_cap:
            used = _("%(used)s of %(cap)s claims used") % {
                "used": esc(coverage.claims_used),
                "cap": esc(coverage.claims_cap),
            }
            out.append(f" — {used}")
        out.append("\n        ")
        if row["used"]:
            out.append(f" <strong>{_('(covers this repair)')}</strong>")
        out.append("\n      </li>\n      ")
    if not c["warranties"]:
        out.append(f"<li>{_('No warranty recorded.')}</li>")
    out.append("\n    </ul>\n  </section>\n  ")
    return "".join(out)


def repair_section(c: dict, ticket) -> str:
    internal, reimages = c["internal"], c["reimages"]
    out = [
        '\n\n  <section class="card" aria-labelledby="repair-title" data-testid="repair">\n'
        f'    <h2 id="repair-title">{_("The repair")}</h2>\n'
        '    <dl class="facts">\n      '
    ]
    if internal and ticket.rma_number:
        out.append(f"<dt>{_('Manufacturer RMA number')}</dt><dd>{esc(ticket.rma_number)}</dd>")
    out.append("\n      ")
    if internal and ticket.parts:
        parts = "".join(f"<li>{esc(part)}</li>" for part in ticket.parts)
        out.append(f"<dt>{_('Parts ordered')}</dt><dd><ul>{parts}</ul></dd>")
    out.append("\n      ")
    for image in reimages:
        origin = esc(image.get("from") or "—")
        out.append(f"<dt>{_('Re-imaged')}</dt><dd>{origin} → {esc(image.get('to', ''))}")
        if image.get("device", "") != ticket.device.serial_number:
            out.append(f" ({esc(image.get('device', ''))})")
        out.append("</dd>")
    out.append("\n      ")
    if ticket.replacement:
        replacement = ticket.replacement
        out.append(
            f"<dt>{_('Replacement')}</dt><dd>{esc(replacement.asset_tag)} ({esc(replacement.serial_number)})</dd>"
        )
    out.append("\n      ")
    if ticket.returned_unrepaired:
        out.append(f"<dt>{_('Outcome')}</dt><dd>{_('Handed back unrepaired: the quote was refused')}</dd>")
    out.append("\n      ")
    if ticket.tracking_number:
        out.append(f"<dt>{_('Shipment')}</dt><dd>{esc(ticket.carrier)} {esc(ticket.tracking_number)}</dd>")
    out.append("\n      ")
    if ticket.loaner:
        out.append(f'<dt>{_("Loaner")}</dt><dd data-testid="loaner">{esc(ticket.loaner.asset_tag)}')
        if ticket.loaner_out:
            out.append(f" — {_('lent')}")
            if ticket.loaner_due_on:
                due = _("due back on %(date)s") % {"date": when(ticket.loaner_due_on, "SHORT_DATE_FORMAT")}
                out.append(f", {due}")
                if c["loaner_overdue"]:
                    out.append(f' <span class="badge breached">{_("overdue")}</span>')
        else:
            out.append(f" — {_('returned')}")
        out.append("</dd>")
    out.append("\n    </dl>\n    ")
    nothing = not (
        ticket.rma_number
        or ticket.parts
        or reimages
        or ticket.replacement
        or ticket.loaner
        or ticket.tracking_number
        or ticket.returned_unrepaired
    )
    if nothing:
        out.append(f'<p class="muted">{_("Nothing recorded yet.")}</p>')
    out.append("\n  </section>\n</div>")
    return "".join(out)
