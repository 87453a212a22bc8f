"""The ticket page's content, drawn in Python with the markup of the template it replaces.

The page is some three hundred template nodes (a translated word, a lookup, a date, an address
each), and drawing them took more than half of the request: more than its six queries. Here the
same markup is written with f-strings, the page's words translated once per process and language,
its addresses reversed once per ticket. tests/repairs/test_ticket_html.py renders the template it
replaces (kept there word for word) with the same context and compares the bytes, for every role,
in both languages; bench/ticket_pages_html.py compares whole pages of two checkouts.
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
from repairs.ticket_words import _

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


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
        out.append(_laptop(c, ticket))
    out.append(_repair(c, ticket))
    out.append("\n\n")
    if c["costs_shown"]:
        out.append(ticket_costs(c, ticket, base, csrf))
    out.append(_status_link(c, ticket, base, csrf))
    out.append(_history(c["timeline"]))
    out.append(_files(c, ticket, base, csrf))
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


def _laptop(c: dict, ticket) -> str:
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


def _repair(c: dict, ticket) -> str:
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


def _status_link(c: dict, ticket, base: str, csrf: str) -> str:
    notice = _(
        "Whoever holds this link (a parent, a student without their laptop) follows the repair: state, next "
        "step, dates, and the quote if the family pays. No name is shown."
    )
    out = [
        '\n\n<section class="card" aria-labelledby="status-link-title">\n'
        f'  <h2 id="status-link-title">{_("Status link without an account")}</h2>\n'
        f'  <p class="help">{notice}</p>\n'
        f'  <label for="status-url">{_("Status link")}</label>\n'
        f'  <input type="text" id="status-url" readonly value="{esc(c["status_url"])}">\n'
        f'  <p><a class="button secondary" href="{base}receipt.pdf">{_("Print the receipt (PDF)")}</a></p>\n  '
    ]
    if c["may_renew_status_link"]:
        out.append(
            f'\n  <form method="post" action="{base}status-link/">{csrf}'
            f'<input type="hidden" name="version" value="{esc(ticket.version)}">\n'
            f'    <button type="submit" class="secondary">{_("Replace the link (the current one stops working)")}'
            "</button></form>\n  "
        )
    out.append("\n</section>")
    return "".join(out)


def _history(timeline) -> str:
    out = [
        '\n\n<section class="card" aria-labelledby="history-title">\n'
        f'  <h2 id="history-title">{_("History")}</h2>\n'
        '  <ol class="timeline" data-testid="timeline">\n    '
    ]
    for line in timeline:
        entry = line.entry
        at = entry.at
        out.append(
            f'\n    <li>\n      <div class="when"><time datetime="{when(at, "c")}" '
            f'title="{when(at, "DATETIME_FORMAT")}">{esc(naturaltime(at))}</time> · '
            f"{when(at, 'SHORT_DATETIME_FORMAT')} · {esc(line.who)}</div>\n"
            f"      <div><strong>{esc(line.title)}</strong>"
        )
        if line.details:
            details = "".join(f"<li>{esc(detail)}</li>" for detail in line.details)
            out.append(f'<ul class="details">{details}</ul>')
        out.append("</div>\n      ")
        if entry.note and entry.kind != "declared":
            out.append(f"<p>{lines_of(entry.note)}</p>")
        out.append("\n    </li>\n    ")
    out.append("\n  </ol>\n</section>")
    return "".join(out)


def _files(c: dict, ticket, base: str, csrf: str) -> str:
    out = [
        '\n\n<section class="card" aria-labelledby="files-title">\n'
        f'  <h2 id="files-title">{_("Photos and documents")}</h2>\n'
        '  <ul class="thumbs">\n    '
    ]
    attachments = c["attachments"]
    for attachment in attachments:
        url = f"{base}attachments/{attachment.pk}/"
        name = esc(attachment.original_name)
        out.append(f'\n    <li><a href="{url}">\n      ')
        if attachment.content_type in IMAGE_TYPES:
            out.append(f'\n        <img src="{url}?inline=1" alt="{name}" loading="lazy">\n      ')
        else:
            out.append(name)
        out.append("</a></li>\n    ")
    if not attachments:
        out.append(f'<li class="muted">{_("No file.")}</li>')
    out.append("\n  </ul>\n  ")
    form = c["attach_form"]
    if form:
        out.append(
            f'\n  <form method="post" enctype="multipart/form-data" action="{base}attachments/">{csrf}\n'
            f"    {form_field(form, 'file')}\n"
            f'    <button type="submit" class="secondary">{_("Send the file")}</button>\n  </form>\n  '
        )
    out.append("\n</section>\n\n")
    form = c["comment_form"]
    if form:
        out.append(
            f'\n<section class="card">\n  <form method="post" action="{base}comments/">{csrf}\n'
            f"    {form_field(form, 'text')}\n"
            f'    <button type="submit">{_("Send the comment")}</button>\n  </form>\n</section>\n'
        )
    out.append("\n")
    return "".join(out)
