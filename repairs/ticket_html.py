"""The ticket page's content, drawn in Python with the markup of the template it replaces.

The page is some three hundred template nodes (a translated word, a lookup, a date, an address
each), and drawing them took more than half of the request: more than its six queries. Here the
same markup is written with f-strings, the page's words translated once per process and language,
its addresses reversed once per ticket. tests/repairs/test_ticket_html.py renders the template it
replaces (kept there word for word) with the same context and compares the bytes, for every role,
in both languages; bench/ticket_pages_html.py compares whole pages of two checkouts.

This module writes the page's top (the fault and what you can do) and puts the cards together:
the laptop and the repair (ticket_repair_html.py), the costs and quotes (ticket_costs_html.py),
the status link, history and files (ticket_record_html.py), with the helpers of html_parts.py.
"""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from repairs.html_parts import (
    csrf_input,
    display,
    esc,
    form_field,
    form_input,
    lines_of,
    person,
    sla_badge_kind,
    when,
)
from repairs.ticket_costs_html import ticket_costs
from repairs.ticket_record_html import files_section, history_section, status_link_section
from repairs.ticket_repair_html import laptop_section, repair_section
from repairs.ticket_words import _


def ticket_content(c: dict, *, csrf_token: str) -> SafeString:
    """The content block of templates/repairs/ticket_detail.html for its context `c`."""
    ticket = c["ticket"]
    base = reverse("repairs:ticket", args=[ticket.reference])
    csrf = csrf_input(csrf_token)
    out = [_facts(c, ticket), "\n\n  "]
    if (
        c["transitions"]
        or c["loaner_form"]
        or c["can_collect_loaner"]
        or c["loaner_due_form"]
        or c["priority_form"]
        or c["can_take"]
        or c["due_form"]
        or c["manufacturer_return"]
    ):
        out.append(_actions(c, ticket, base, csrf))
    out.append('\n</div>\n\n<div class="grid">\n  ')
    if c["internal"]:
        out.append(laptop_section(c, ticket))
    out.append(repair_section(c, ticket))
    out.append("\n\n")
    if c["costs_shown"]:
        out.append(ticket_costs(c, ticket, base, csrf))
    out.append(status_link_section(c, ticket, base, csrf))
    out.append(history_section(c["timeline"]))
    out.append(files_section(c, ticket, base, csrf))
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def _facts(c: dict, ticket) -> str:
    declared = ticket.declared_at
    device = ticket.device
    establishment = esc(ticket.establishment.name if ticket.establishment else "") or _("Depot")
    assignee = person(ticket.assignee) if ticket.assignee else _("nobody")
    out = [
        f'\n<h1>{_("Ticket")} {esc(ticket.reference)} <span class="badge" data-testid="state">'
        f"{display(ticket, 'state')}</span></h1>\n"
        '<div class="grid">\n'
        '  <section class="card" aria-labelledby="facts-title">\n'
        f'    <h2 id="facts-title">{_("The fault")}</h2>\n'
        '    <dl class="facts">\n'
        f"      <dt>{_('Category')}</dt><dd>{display(ticket, 'category')}</dd>\n"
        f"      <dt>{_('Priority')}</dt><dd>{display(ticket, 'priority')}</dd>\n"
        f'      <dt>{_("Declared")}</dt><dd><time datetime="{when(declared, "c")}">'
        f"{when(declared, 'DATETIME_FORMAT')}</time> ({esc(naturaltime(declared))}) {_('by')} "
        f"{person(ticket.reporter)}</dd>\n"
        f'      <dt>{_("Laptop")}</dt><dd><a href="{esc(reverse("repairs:device", args=[device.serial_number]))}">'
        f"{esc(device.model)} — {esc(device.asset_tag)}</a></dd>\n"
        f"      <dt>{_('Establishment')}</dt><dd>{establishment}</dd>\n"
        f"      <dt>{_('Assigned to')}</dt><dd>{assignee}</dd>\n      ",
    ]
    if ticket.coverage:
        out.append(f'<dt>{_("Coverage")}</dt><dd data-testid="coverage">{display(ticket, "coverage")}')
        if ticket.coverage_overridden:
            out.append(f" ({_('decided by the technician')})")
        out.append("\n        ")
        if c["internal"] and ticket.coverage_reason:
            out.append(f'<div class="help">{lines_of(ticket.coverage_reason)}</div>')
        out.append("</dd>")
    out.append("\n      ")
    if ticket.police_report:
        out.append(f"<dt>{_('Police report')}</dt><dd>{esc(ticket.police_report)}</dd>")
    out.append("\n      ")
    if ticket.resolution_due_at and not ticket.is_final:
        out.append(f"<dt>{_('Due')}</dt><dd>{sla_badge(ticket)}</dd>")
    out.append(f"\n    </dl>\n    <p>{lines_of(ticket.description)}</p>\n  </section>")
    return "".join(out)


def sla_badge(ticket) -> str:
    """templates/repairs/_partials/sla_badge.html for `ticket`, as its include writes it."""
    final = ticket.is_final
    badge = ""
    kind = sla_badge_kind(ticket)
    if kind == "late_both":
        badge = f'<span class="badge breached">{_("Late: first response and resolution")}</span>'
    elif kind == "late_resolution":
        badge = f'<span class="badge breached">{_("Late: resolution")}</span>'
    elif kind == "late_first":
        badge = f'<span class="badge breached">{_("Late: first response")}</span>'
    elif kind == "at_risk":
        badge = f'<span class="badge at_risk">{_("At risk")}</span>'
    due = ""
    if ticket.resolution_due_at and not final:
        at = ticket.resolution_due_at
        due = f'<time datetime="{when(at, "c")}">{when(at, "SHORT_DATETIME_FORMAT")}</time>'
    return f"{badge}\n{due}\n"


def _actions(c: dict, ticket, base: str, csrf: str) -> str:
    out = [
        '\n  <section class="card actions" aria-labelledby="actions-title">\n'
        f'    <h2 id="actions-title">{_("What you can do")}</h2>\n    '
    ]
    for spec, fields in c["transitions"]:
        label = esc(spec.label)
        out.append(
            f"\n      <details>\n        <summary>{label}</summary>\n"
            f'        <form method="post" action="{esc(f"{base}transitions/{spec.name}/")}">\n'
            f"          {csrf}\n          {esc(fields)}\n"
            f'          <button type="submit" data-transition="{esc(spec.name)}">{label}</button>\n'
            "        </form>\n      </details>\n    "
        )
    out.append("\n    ")
    if c["can_take"]:
        out.append(
            f'\n      <form method="post" action="{base}take/">{csrf}<button type="submit" class="secondary">'
            f"{_('Take this ticket')}</button></form>\n    "
        )
    out.append("\n    ")
    form = c["loaner_form"]
    if form:
        out.append(
            f"\n      <details><summary>{_('Lend a loaner')}</summary>\n"
            f'        <form method="post" action="{base}loaner/">{csrf}\n'
            f"          {form_input(form, 'version')}\n          {form_field(form, 'device')}\n"
            f"          {form_field(form, 'due_on')}\n"
            f'          <button type="submit">{_("Lend")}</button>\n        </form>\n      </details>\n    '
        )
    out.append("\n    ")
    if c["can_collect_loaner"]:
        back = _("Loaner %(tag)s is back") % {"tag": esc(ticket.loaner.asset_tag)}
        out.append(
            f'\n      <form method="post" action="{base}loaner/collect/">{csrf}'
            f'<button type="submit" class="secondary">{back}</button></form>\n    '
        )
    out.append("\n    ")
    form = c["loaner_due_form"]
    if form:
        out.append(
            "\n      <details><summary>" + _("Change the loaner's due date") + "</summary>\n"
            f'        <form method="post" action="{base}loaner/due/">{csrf}\n'
            f"          {form_input(form, 'version')}\n          {form_field(form, 'due_on')}\n"
            f'          <button type="submit" class="secondary">{_("Change the due date")}</button>\n'
            "        </form>\n      </details>\n    "
        )
    out.append("\n    ")
    if c["manufacturer_return"]:
        out.append(
            f'\n      <form method="post" action="{base}manufacturer-return/">{csrf}'
            f'<input type="hidden" name="version" value="{esc(ticket.version)}">\n'
            f'        <button type="submit" class="secondary">{_("Laptop back from the manufacturer")}</button>'
            "</form>\n    "
        )
    out.append("\n    ")
    form = c["priority_form"]
    if form:
        out.append(
            f'\n      <form method="post" action="{base}priority/">{csrf}\n'
            f"        {form_input(form, 'version')}\n        {form_field(form, 'priority')}\n"
            f'        <button type="submit" class="secondary">{_("Change the priority")}</button>\n'
            "      </form>\n    "
        )
    out.append("\n    ")
    form = c["due_form"]
    if form:
        out.append(
            f"\n      <details><summary>{_('Set the resolution due date by hand')}</summary>\n"
            f'        <form method="post" action="{base}due/">{csrf}\n'
            f"          {form_input(form, 'version')}\n          {form_field(form, 'due_at')}\n"
            f"          {form_field(form, 'reason')}\n"
            f'          <button type="submit" class="secondary">{_("Set the due date")}</button>\n'
            "        </form>\n      </details>\n    "
        )
    out.append("\n  </section>\n  ")
    return "".join(out)
