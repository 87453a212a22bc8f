"""A ticket's history in words (the ticket page): each entry's title and details in the reader's
language, from its kind, name and payload — state and priority labels, never raw codes.

`internal=False` is the student's view: what concerns them, without the desk's internal details
(coverage reasoning, RMA and order references, costs unless the family pays them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from config import compiled_sql
from repairs.models import Ticket, TimelineEntry
from repairs.pricing import euros
from repairs.states import TRANSITIONS_BY_NAME, Coverage, Priority, State

COST_ENTRIES = frozenset({"part_added", "part_removed", "labour"})
# Desk-only entries a student does not need to read.
INTERNAL_ENTRIES = frozenset({"resolution_due", "status_link", "manufacturer_return"})


@dataclass
class Line:
    entry: TimelineEntry
    title: str
    details: list[str] = field(default_factory=list)
    who: str = ""


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "—")


def _day(value: str | None) -> str:
    day = parse_date(value) if value else None
    return date_format(day, "SHORT_DATE_FORMAT") if day else "—"


def _moment(value: str | None) -> str:
    moment = parse_datetime(value) if value else None
    return date_format(localtime(moment), "SHORT_DATETIME_FORMAT") if isinstance(moment, dt.datetime) else "—"


def _transition_details(payload: dict, *, internal: bool) -> list[str]:
    details = []
    if internal and payload.get("coverage_proposed"):
        details.append(
            _("Coverage proposed: %(coverage)s") % {"coverage": _label(Coverage, payload["coverage_proposed"])}
        )
    if internal and isinstance(payload.get("coverage"), dict):
        change = payload["coverage"]
        details.append(
            _("Coverage changed: %(old)s → %(new)s (%(reason)s)")
            % {
                "old": _label(Coverage, change.get("from")) if change.get("from") else "—",
                "new": _label(Coverage, change.get("to")),
                "reason": change.get("reason", ""),
            }
        )
    if internal and payload.get("parts"):
        details.append(_("Parts ordered: %(parts)s") % {"parts": ", ".join(payload["parts"])})
    if internal and payload.get("rma_number"):
        details.append(_("Manufacturer RMA number: %(rma)s") % {"rma": payload["rma_number"]})
    if payload.get("police_report"):
        details.append(_("Police report: %(ref)s") % {"ref": payload["police_report"]})
    if payload.get("replacement"):
        details.append(_("Replacement laptop: %(serial)s") % {"serial": payload["replacement"]})
    if isinstance(payload.get("reimaged"), dict):
        image = payload["reimaged"]
        details.append(
            _("Re-imaged: %(old)s → %(new)s") % {"old": image.get("from") or "—", "new": image.get("to") or "—"}
        )
    if internal and payload.get("claim_counted"):
        details.append(_("One accidental-damage claim used"))
    if payload.get("tracking_number"):
        details.append(
            _("Carrier %(carrier)s, tracking number %(number)s")
            % {"carrier": payload.get("carrier", ""), "number": payload["tracking_number"]}
        )
    return details


def _edit(entry: TimelineEntry) -> tuple[str, list[str]]:
    payload, name = entry.payload or {}, entry.name
    change = payload.get(name) if isinstance(payload.get(name), dict) else {}
    if name == "assign":
        who = (payload.get("assignee") or {}).get("to")
        return (_("Assigned to %(who)s") % {"who": who}) if who else _("Unassigned"), []
    if name == "priority":
        return _("Priority changed"), [f"{_label(Priority, change.get('from'))} → {_label(Priority, change.get('to'))}"]
    if name == "resolution_due":
        return _("Resolution due date set by hand"), [f"{_moment(change.get('from'))} → {_moment(change.get('to'))}"]
    if name == "part_added":
        return _("Part added"), [
            _("%(label)s (%(reference)s) × %(quantity)s at %(price)s")
            % {
                "label": payload.get("label", ""),
                "reference": payload.get("part", ""),
                "quantity": payload.get("quantity", 1),
                "price": euros(payload.get("unit_price")),
            }
        ]
    if name == "part_removed":
        return _("Part removed"), [
            f"{payload.get('label', '')} ({payload.get('part', '')}) × {payload.get('quantity', 1)}"
        ]
    if name == "labour":
        minutes = payload.get("labour_minutes") or {}
        return _("Labour time"), [
            _("%(old)s min → %(new)s min") % {"old": minutes.get("from"), "new": minutes.get("to")}
        ]
    if name == "quote_issued":
        return _("Quote %(quote)s issued: %(total)s") % {
            "quote": payload.get("quote"),
            "total": euros(payload.get("total")),
        }, []
    if name in ("quote_accepted", "quote_refused"):
        title = _("Quote %(quote)s accepted") if name == "quote_accepted" else _("Quote %(quote)s refused")
        via = (
            _("by the family, through the status link")
            if payload.get("via") == "status_link"
            else _("recorded by staff")
        )
        return title % {"quote": payload.get("quote")}, [via]
    if name == "status_link":
        return _("Status link renewed: the previous link no longer works"), []
    if name == "manufacturer_return":
        return _("Laptop back from the manufacturer, into the spare pool"), [
            _("Manufacturer RMA number: %(rma)s") % {"rma": payload.get("rma_number", "")}
        ]
    return str(entry.get_kind_display()), []


def _loaner(entry: TimelineEntry) -> tuple[str, list[str]]:
    payload = entry.payload or {}
    device = payload.get("device", "")
    if entry.name == "lend_loaner":
        details = [_("Due back on %(date)s") % {"date": _day(payload["due_on"])}] if payload.get("due_on") else []
        return _("Loaner lent: %(device)s") % {"device": device}, details
    if entry.name == "loaner_due":
        due = payload.get("due_on") or {}
        return _("Loaner due date changed"), [f"{_day(due.get('from'))} → {_day(due.get('to'))}"]
    return _("Loaner collected: %(device)s") % {"device": device}, []


def hidden_from(entry: TimelineEntry, *, internal: bool, costs_shown: bool) -> bool:
    """A desk-only entry, for a reader who is not on the desk (the API's timeline follows this too)."""
    desk_only = entry.name in INTERNAL_ENTRIES or (entry.name in COST_ENTRIES and not costs_shown)
    return entry.kind == TimelineEntry.Kind.EDIT and not internal and desk_only


def describe(entry: TimelineEntry, *, internal: bool, costs_shown: bool) -> Line | None:
    """The entry in words, or None when this reader does not see it."""
    if hidden_from(entry, internal=internal, costs_shown=costs_shown):
        return None
    if entry.kind == TimelineEntry.Kind.TRANSITION:
        spec = TRANSITIONS_BY_NAME.get(entry.name)
        title = _("%(action)s: %(old)s → %(new)s") % {
            "action": spec.label if spec else entry.name,
            "old": _label(State, entry.source),
            "new": _label(State, entry.target),
        }
        return Line(entry, title, _transition_details(entry.payload or {}, internal=internal))
    if entry.kind == TimelineEntry.Kind.DECLARED:
        return Line(entry, _("Fault declared"))
    if entry.kind == TimelineEntry.Kind.COMMENT:
        return Line(entry, _("Comment"))
    if entry.kind == TimelineEntry.Kind.ATTACHMENT:
        return Line(entry, _("File added"))
    if entry.kind == TimelineEntry.Kind.LOANER:
        return Line(entry, *_loaner(entry))
    return Line(entry, *_edit(entry))


def _who(entry: TimelineEntry) -> str:
    if entry.actor is not None:
        return entry.actor.get_full_name() or entry.actor.get_username()
    # Only the family acts without an account (through the status link); anything else is the system.
    return _("the family") if entry.name in ("quote_accepted", "quote_refused") else _("system")


def _entries(ticket_id: int):
    return TimelineEntry.objects.filter(ticket_id=ticket_id).select_related("actor").order_by("at", "pk")


def timeline_lines(ticket: Ticket, *, internal: bool, costs_shown: bool) -> list[Line]:
    lines = []
    # Compiled once per process (config/compiled_sql.py), the ticket's id a parameter.
    for entry in compiled_sql.evaluate(("ticket timeline",), _entries, ticket.pk):
        line = describe(entry, internal=internal, costs_shown=costs_shown)
        if line is not None:
            line.who = _who(entry)
            lines.append(line)
    return lines
