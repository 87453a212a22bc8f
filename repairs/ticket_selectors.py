"""Reads of the ticket page: the ticket with what its page would otherwise ask in queries of
their own (`ticket_for_page`), then what it shows this person beyond the ticket's fields
(`ticket_page`). Who may see the ticket is decided by repairs.selectors.visible_tickets."""

from __future__ import annotations

import functools
from types import SimpleNamespace

from django.db import router
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from config import compiled_sql
from devices import permissions as fleet
from devices.models import Device, Establishment, MasterImage, Role, WarrantyCoverage
from devices.selectors import current_holdings, current_images
from repairs import permissions
from repairs.models import Attachment, LabourRate, Part, Quote, Ticket, TicketPart
from repairs.selectors import manufacturer_return_pending, visible_tickets
from repairs.states import QUOTE_STATES, Coverage
from repairs.timeline import timeline_lines


def _current_image() -> QuerySet[MasterImage]:
    """The current master image of the académie of the ticket it is read with (the ticket's
    establishment's, else its laptop's), from the ticket's own columns."""
    academie = Coalesce(
        Subquery(Establishment.objects.filter(pk=OuterRef(OuterRef("establishment_id"))).order_by().values("academie")),
        Subquery(
            Device.objects.filter(pk=OuterRef(OuterRef("device_id"))).order_by().values("establishment__academie")
        ),
    )
    return current_images(academie=academie).order_by("academie", "-released_on")


def _page_columns(*, student: bool) -> dict:
    rate = LabourRate.objects.filter(coverage=OuterRef("coverage")).values("hourly_rate")[:1]
    columns = {
        "page_labour_rate": Subquery(rate),
        "page_has_files": Exists(Attachment.objects.filter(ticket=OuterRef("pk"))),
        "page_has_lines": Exists(TicketPart.objects.filter(ticket=OuterRef("pk"))),
    }
    if student:
        holder = current_holdings(devices=None).filter(device=OuterRef("device")).values("student_id")[:1]
        return {**columns, "device_holder_id": Subquery(holder)}
    return {
        **columns,
        "page_image_id": Subquery(_current_image().values("pk")[:1]),
        "page_image_version": Subquery(_current_image().values("version")[:1]),
    }


@functools.cache
def _page_columns_sql(using: str, *, student: bool) -> dict[str, RawSQL]:
    """The page's subqueries as SQL, compiled by Django once per database and process: building
    and compiling them on each request cost as much as the queries they replace. They read only
    the ticket's own columns (no table the page's query joins), so their SQL is the same whatever
    query they are put in."""
    query = Ticket.objects.annotate(**_page_columns(student=student)).query
    compiler = query.get_compiler(using)
    return {
        name: RawSQL(*compiler.compile(expression), output_field=expression.output_field)  # noqa: S611 - Django's SQL
        for name, expression in query.annotations.items()
    }


def ticket_for_page(*, user, reference: str) -> Ticket | None:
    """`ticket_detail` with what its page would otherwise ask in queries of their own, as columns of
    the same row: its académie's current master image, the hourly rate of its coverage, whether it
    has files and parts lines (most have neither: no query for an empty list), and for a student
    the laptop's holder now (to know without a query whether they hold it)."""
    student = fleet.role_of(user) == Role.STUDENT
    using = router.db_for_read(Ticket)

    def build(reference: str) -> QuerySet[Ticket]:
        # Not the zone nor the warranty of ticket_detail: the page reads neither (the zone's id is
        # the establishment's column), and every joined table is columns to compile. No ORDER BY
        # (first() would add one, which SQLite could read through the declaration order's index).
        return (
            visible_tickets(user=user)
            .select_related(
                "device__model", "device__image", "establishment", "assignee", "reporter", "replacement", "loaner"
            )
            .annotate(**_page_columns_sql(using, student=student))
            .filter(reference=reference)
            .order_by()[:2]
        )

    if student:
        # A student's scope is their own (their id in it twice): one kept statement per student
        # would fill the process's store of statements (config/compiled_sql.py), emptying it for
        # the desk's pages. Compiled each time, as before.
        rows = list(build(reference))
    else:
        # About 120 columns over seven tables: compiled once per scope, the reference a parameter;
        # the row is read each time.
        rows = compiled_sql.evaluate(("ticket for page", using, fleet.scope_key(user)), build, reference)
    return rows[0] if len(rows) == 1 else None


def _image_status(ticket: Ticket) -> dict:
    """The device's master image against its académie's current one (the ticket's establishment's),
    as `ticket_for_page` read it."""
    device = ticket.device
    current = None
    if ticket.page_image_id:
        current = SimpleNamespace(pk=ticket.page_image_id, version=ticket.page_image_version)
    return {
        "image": device.image,
        "current": current,
        "is_current": bool(device.image_id and current and device.image_id == current.pk),
    }


def _warranties(ticket: Ticket) -> list[dict]:
    on = timezone.localdate(ticket.declared_at)
    return [
        {
            "coverage": coverage,
            "active_then": coverage.starts_on <= on <= coverage.ends_on,
            "used": coverage.pk == ticket.warranty_id,
        }
        for coverage in compiled_sql.evaluate(("page warranties",), _coverages, ticket.device_id)
    ]


def _coverages(device_id: int) -> QuerySet[WarrantyCoverage]:
    return WarrantyCoverage.objects.filter(device_id=device_id).order_by("starts_on", "pk")


def ticket_costs(ticket: Ticket) -> dict:
    """The parts lines, labour, rate and totals of a ticket, and its quotes (latest first), of a
    ticket read by `ticket_for_page`: a ticket never quoted has no quote (its quote_state says so)."""
    lines = list(TicketPart.objects.filter(ticket=ticket).select_related("part")) if ticket.page_has_lines else []
    quotes = list(ticket.quotes.order_by("-number")) if ticket.quote_state else []  # each knows its ticket
    return {
        "lines": lines,
        "rate": ticket.page_labour_rate if ticket.coverage else None,
        "quotes": quotes,
    }


def ticket_page(*, ticket: Ticket, user) -> dict:
    """What the ticket page shows this person, beyond the ticket's own fields: its links (device,
    image, warranties, re-images, costs and quotes) where their role needs them, and the history
    in words."""
    internal = fleet.role_of(user) != Role.STUDENT
    costs_shown = permissions.may_see_costs(user=user, ticket=ticket)
    timeline = timeline_lines(ticket, internal=internal, costs_shown=costs_shown)
    page = {
        "internal": internal,
        "timeline": timeline,
        "reimages": [line.entry.payload["reimaged"] for line in timeline if "reimaged" in (line.entry.payload or {})],
        "costs_shown": costs_shown,
        "may_record_costs": not ticket.is_final and permissions.may_record_costs(user=user, ticket=ticket),
        "may_record_quote_decision": permissions.may_record_quote_decision(user=user, ticket=ticket),
        "may_renew_status_link": permissions.may_renew_status_link(user=user, ticket=ticket),
        "loaner_overdue": bool(
            ticket.loaner_out and ticket.loaner_due_on and ticket.loaner_due_on < timezone.localdate()
        ),
        "manufacturer_return": internal
        and permissions.is_operator(user=user, ticket=ticket)
        and manufacturer_return_pending(ticket),
    }
    if internal:
        page.update(image=_image_status(ticket), warranties=_warranties(ticket))
    if costs_shown:
        page.update(ticket_costs(ticket))
        page["pending_quote"] = next((q for q in page["quotes"] if q.status == Quote.Status.PENDING), None)
    if page["may_record_costs"]:
        page["price_list"] = compiled_sql.evaluate(
            ("price list",), lambda: Part.objects.filter(active=True).order_by("reference")
        )
    page["may_issue_quote"] = (
        page["may_record_costs"] and ticket.coverage == Coverage.FAMILY and ticket.state in QUOTE_STATES
    )
    return page
