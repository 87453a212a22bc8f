"""The table of tickets (the queue, the homes, the device and establishment pages), drawn in
Python: through the template, a list row was a dozen lookups, and the queue's 50 rows took 20 to
50 ms a page against a few ms of SQL. The markup is the template's (tests/repairs/test_widgets.py
compares them); only the way it is produced changes."""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from repairs.html_parts import Drawings, choice_labels, escape, format_datetime, sla_badge_kind
from repairs.models import Ticket
from repairs.states import FINAL_STATES


def _due(ticket, words: dict) -> str:
    """The due date and a badge saying which target was missed (sla_badge.html, drawn in Python)."""
    final = ticket.state in FINAL_STATES
    kind = sla_badge_kind(ticket)
    badge = f'<span class="badge {"at_risk" if kind == "at_risk" else "breached"}">{words[kind]}</span>' if kind else ""
    due = ticket.resolution_due_at
    if not due or final:
        return badge
    local = timezone.localtime(due)
    when = escape(format_datetime(local, words["datetime_format"]))
    # Django's "c" format is the ISO form.
    return f'{badge}\n<time datetime="{escape(local.isoformat())}">{when}</time>'


@functools.lru_cache(maxsize=8)
def _table_words(language: str | None) -> tuple[dict, list[str]]:
    """What every table says the same way in `language`: translated once per process, not per table."""
    words = {
        key: escape(text)
        for key, text in {
            "select": _("Select"),
            "late_first": _("Late: first response"),
            "late_resolution": _("Late: resolution"),
            "late_both": _("Late: first response and resolution"),
            "at_risk": _("At risk"),
            "nobody": _("nobody"),
            "depot": _("Depot"),
        }.items()
    }
    # What every row says the same way, translated once per table rather than once per row.
    for name in ("state", "category", "priority"):
        words[name] = {key: escape(label) for key, label in choice_labels(Ticket, name, language).items()}
    words["select_one"] = _("Select %(reference)s")
    labels = [escape(label) for label in (_("Reference"), _("State"), _("Fault"), _("Laptop"), _("Establishment"))]
    labels += [escape(label) for label in (_("Priority"), _("Assigned to"), _("Due"))]
    return words, labels


_DRAWN_ROWS = Drawings(8192)


def ticket_rows(tickets, *, selectable: bool = False) -> SafeString:
    """The table of tickets of the queue, the homes and the device and establishment pages."""
    words, labels = _table_words(get_language())
    # Looked up per table (Django caches it per language): what date_format() looks up each call.
    words = {**words, "datetime_format": get_format("SHORT_DATETIME_FORMAT")}
    head = "".join(f'<th scope="col">{label}</th>' for label in labels)
    if selectable:
        head = f'<th scope="col"><span class="visually-hidden">{words["select"]}</span></th>{head}'
    link = reverse("repairs:ticket", args=["REFERENCE"])
    # A row read as plain values (repairs/listrows.py) is drawn once per process for the same
    # values, language, format, address and time zone: the values are read on each request.
    table_key = (selectable, get_language(), words["datetime_format"], link, timezone.get_current_timezone_name())
    rows = []
    for ticket in tickets:
        values = getattr(ticket, "values", None)
        if values is None:
            rows.append(_row(ticket, selectable=selectable, labels=labels, words=words, link=link))
            continue
        rows.append(
            _DRAWN_ROWS.get(
                (values, table_key),
                lambda ticket=ticket: _row(ticket, selectable=selectable, labels=labels, words=words, link=link),
            )
        )
    if not rows:
        rows = [f'<tr><td colspan="9">{escape(_("No ticket."))}</td></tr>']
    body = "\n".join(rows)
    table = (
        f'<table class="responsive-table">\n  <thead><tr>{head}</tr></thead>\n  <tbody>\n{body}\n  </tbody>\n</table>'
    )
    return mark_safe(table)  # noqa: S308 - every value escaped on its way in


def _row(ticket, *, selectable: bool, labels: list[str], words: dict, link: str) -> str:
    reference = escape(ticket.reference)
    cells = []
    if selectable:
        hidden = escape(words["select_one"] % {"reference": ticket.reference})
        cells.append(
            f'<td><input type="checkbox" name="tickets" value="{reference}" id="select-{reference}" form="bulk-form">'
            f'<label for="select-{reference}" class="visually-hidden">{hidden}</label></td>'
        )
    assignee = ticket.assignee
    who = (
        escape(assignee.get_full_name() or assignee.username)
        if assignee
        else f'<span class="muted">{words["nobody"]}</span>'
    )
    place = (
        escape(ticket.establishment.name) if ticket.establishment_id and ticket.establishment.name else words["depot"]
    )
    device = ticket.device
    values = (
        f'<a href="{escape(link.replace("REFERENCE", quote(ticket.reference)))}">{reference}</a>',
        words["state"].get(ticket.state) or escape(ticket.state),
        words["category"].get(ticket.category) or escape(ticket.category),
        f'{escape(device.asset_tag)} <span class="muted">{escape(device.serial_number)}</span>',
        place,
        words["priority"].get(ticket.priority) or escape(ticket.priority),
        who,
        _due(ticket, words),
    )
    cells += [f'<td data-label="{label}">{value}</td>' for label, value in zip(labels, values, strict=True)]
    return f"    <tr>{''.join(cells)}</tr>"
