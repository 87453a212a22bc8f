"""Reads of tickets. `visible_tickets` is the one place where "who may see which ticket" is applied."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from config import compiled_sql
from devices import permissions as fleet
from devices.models import Device, Role, normalise_serial
from devices.selectors import current_holdings, current_image, device_by_identifier, device_holder_assignment
from repairs import permissions
from repairs.keyset import DEFAULT_ORDER
from repairs.listrows import as_rows
from repairs.loaner_reminders import overdue_filter
from repairs.models import StateCount, Ticket
from repairs.states import OPEN_STATES, TRANSITIONS, State, TransitionSpec


def visible_tickets(*, user) -> QuerySet[Ticket]:
    scope = permissions.ticket_filter(user)
    qs = Ticket.objects.all()
    return qs if scope is None else qs.filter(scope)


# What a list shows (the web's rows, the API's list): the rest of a ticket stays in the database,
# because reading and converting fifty rows of fifty columns cost more than the query itself.
LIST_FIELDS = (
    "reference", "state", "category", "priority", "declared_at", "first_response_due_at", "resolution_due_at",
    "due_key", "first_response_breached", "resolution_breached", "sla_at_risk", "version", "reporter_id",
    "device__serial_number", "device__asset_tag", "device__model__manufacturer", "device__model__name",
    "establishment__uai", "establishment__name", "establishment__zone_id",
    "assignee__username", "assignee__first_name", "assignee__last_name",
)  # fmt: skip


def ticket_list(*, user) -> QuerySet[Ticket]:
    """The queue: what the lists need in one query, open tickets with the nearest due date first."""
    return (
        visible_tickets(user=user)
        .select_related("device__model", "establishment", "assignee")
        .only(*LIST_FIELDS)
        .order_by(*DEFAULT_ORDER.fields)
    )


def ticket_detail(*, user, reference: str) -> Ticket | None:
    return (
        visible_tickets(user=user)
        .select_related(
            "device__model",
            "device__image",
            "establishment__zone",
            "assignee",
            "reporter",
            "replacement",
            "loaner",
            "warranty",
        )
        .filter(reference=reference)
        .first()
    )


def available_transitions(*, ticket: Ticket, user) -> list[TransitionSpec]:
    """The transitions this person may fire on this ticket now (conditions on fields aside)."""
    return [
        spec
        for spec in TRANSITIONS
        if ticket.state in spec.sources and permissions.may_fire(user=user, ticket=ticket, name=spec.name)
    ]


def sla_filter(status: str) -> Q:
    """ "breached" (a target missed), "at_risk" (80 % of a target reached on an open ticket) or
    "ok" (neither, nor at risk): the database stores the answer (Ticket.sla_state)."""
    return Q(sla_state=status if status in ("breached", "at_risk") else "ok")


def state_counts(*, queryset: QuerySet[Ticket]) -> dict[str, int]:
    """Open tickets per state among `queryset`, in one aggregate query (one read per ticket)."""
    rows = queryset.filter(is_open=True).values("state").annotate(n=Count("pk")).order_by()
    return {row["state"]: row["n"] for row in rows}


# A search for a common word matches tens of thousands of open tickets at region scale; counting
# them all would read every match (over a second at a million tickets) for figures nobody reads
# past "a lot". Past this many, the page says so instead of counting.
SEARCH_COUNT_CAP = 1000


def capped_state_counts(*, queryset: QuerySet[Ticket], cap: int | None = None) -> tuple[dict[str, int], bool]:
    """Open tickets per state among the first `cap` + 1 of `queryset` in the queue's order (the
    walk of its index stops there), and whether there were more than `cap`: then the counts are
    those of a sample and must not be shown as totals."""
    cap = SEARCH_COUNT_CAP if cap is None else cap
    first = queryset.filter(is_open=True).order_by(*DEFAULT_ORDER.fields).values("pk")[: cap + 1]
    rows = Ticket.objects.filter(pk__in=first).values("state").annotate(n=Count("pk")).order_by()
    counts = {row["state"]: row["n"] for row in rows}
    return counts, sum(counts.values()) > cap


def scope_state_counts(*, user, establishment=None, uai: str | None = None, states=None) -> dict[str, int] | None:
    """Open tickets per state in `user`'s scope (optionally one establishment, some states), read
    from the rows of tickets per state: a few hundred rows at most, whatever the number of
    tickets. None for a student, whose few tickets are counted directly."""
    if fleet.role_of(user) == Role.STUDENT:
        return None
    states = None if states is None else sorted(states)

    def build():
        rows = StateCount.objects.filter(state__in=OPEN_STATES, tickets__gt=0)
        scope = permissions.place_filter(user, by_id=True)
        if scope is not None:
            rows = rows.filter(scope)
        if establishment is not None:
            rows = rows.filter(establishment=establishment)
        if uai:
            rows = rows.filter(establishment__uai=uai.strip().upper())  # as the queue's filter reads it
        if states is not None:
            rows = rows.filter(state__in=states)
        return rows.values("state").annotate(n=Sum("tickets")).order_by()

    # Compiled once per scope and filter (config/compiled_sql.py); the rows are read each time.
    place = getattr(establishment, "pk", None)
    key = ("scope state counts", fleet.scope_key(user), place, uai, states and tuple(states))
    totals = compiled_sql.evaluate(key, build)
    return {row["state"]: row["n"] for row in totals if row["n"]}


# The homes that show the open tickets by state (templates/repairs/_partials/home_<role>.html); a
# student's and a staff member's list their tickets instead, and were counted for nothing.
HOMES_WITH_COUNTS = frozenset({Role.TECHNICIAN, Role.MANAGER, Role.SUPERVISOR})


def home_summary(*, user) -> dict:
    """What this person has to do next: their open tickets, or their scope's, by state."""
    role = fleet.role_of(user)
    open_tickets = as_rows(ticket_list(user=user).filter(is_open=True))  # read by the tables only
    summary = {"role": role, "states": State}
    if role in HOMES_WITH_COUNTS:
        counts = scope_state_counts(user=user)
        summary["counts"] = state_counts(queryset=visible_tickets(user=user)) if counts is None else counts
    if role == Role.STUDENT:
        summary["my_tickets"] = open_tickets[:20]
        summary["devices"] = list(fleet.visible_devices(user=user).select_related("model"))
    elif role == Role.TECHNICIAN:
        summary["my_tickets"] = open_tickets.filter(assignee=user)[:20]
        summary["unassigned"] = open_tickets.filter(assignee__isnull=True)[:10]
        summary["overdue_loaners"] = overdue_loaners(user=user)[:20]
    elif role == Role.STAFF:
        summary["to_receive"] = open_tickets.filter(state=State.AWAITING_DEVICE)[:20]
        summary["to_hand_over"] = open_tickets.filter(state=State.READY_FOR_RETURN)[:20]
    else:
        summary["breached"] = open_tickets.filter(sla_filter("breached"))[:10]
    return summary


def technicians() -> QuerySet:
    """Technicians a manager may assign work to (everyone with the technician role)."""
    return (
        get_user_model()
        .objects.filter(profile__role=Role.TECHNICIAN, is_active=True)
        .select_related("profile__zone")
        .order_by("last_name", "first_name", "username")
    )


def technician_choices() -> list[tuple[str, str, str]]:
    """(username, name, zone) of the technicians, for a list to pick from: tuples, not users."""
    # Compiled once per process (config/compiled_sql.py); the technicians are read each time.
    rows = compiled_sql.evaluate(
        ("technician choices",),
        lambda: technicians().values_list("username", "first_name", "last_name", "profile__zone__name"),
    )
    return [(username, f"{first} {last}".strip() or username, zone) for username, first, last, zone in rows]


def device_page(*, device, user) -> dict:
    """A device with its holder, coverages (active or not today), image status, tickets, loans."""
    today = timezone.localdate()
    coverages = [
        {"coverage": c, "active": c.starts_on <= today <= c.ends_on} for c in device.coverages.order_by("starts_on")
    ]
    image_current = None
    if device.image_id:
        image_current = device.image.is_current
    tickets = ticket_list(user=user).filter(device=device).order_by("-declared_at")
    loans = ticket_list(user=user).filter(loaner=device).order_by("-loaner_lent_at")
    at_manufacturer = None
    if device.status == Device.Status.AT_MANUFACTURER:
        # Which RMA it is under: the ticket that sent it (visible or not, the number is the device's).
        at_manufacturer = Ticket.objects.filter(device=device).exclude(rma_number="").order_by("-declared_at").first()
    return {
        "at_manufacturer": at_manufacturer,
        "device": device,
        "holder": device_holder_assignment(device=device),
        "coverages": coverages,
        "image_current": image_current,
        "current_image": current_image(academie=device.establishment.academie) if device.establishment_id else None,
        "tickets": tickets,
        "loans": loans,
        "can_declare": permissions.may_declare(user=user, device=device),
    }


def establishment_page(*, establishment, user) -> dict:
    """What staff need at hand: open tickets, devices to receive and to hand back, the spare pool."""
    open_tickets = ticket_list(user=user).filter(is_open=True, establishment=establishment)
    counts = scope_state_counts(user=user, establishment=establishment)
    if counts is None:
        counts = state_counts(queryset=visible_tickets(user=user).filter(establishment=establishment))
    return {
        "establishment": establishment,
        "to_receive": open_tickets.filter(state=State.AWAITING_DEVICE),
        "to_hand_over": open_tickets.filter(state=State.READY_FOR_RETURN),
        "open_tickets": open_tickets.exclude(state__in=[State.AWAITING_DEVICE, State.READY_FOR_RETURN])[:100],
        "counts": counts,
        "spares": Device.objects.filter(establishment=establishment, status=Device.Status.SPARE).select_related(
            "model", "image"
        ),
        "loaned": Device.objects.filter(establishment=establishment, status=Device.Status.ON_LOAN).select_related(
            "model"
        ),
        "overdue_loaners": overdue_loaners(user=user).filter(establishment=establishment),
        "can_act": fleet.can_act_for_establishment(user=user, establishment=establishment),
    }


def declarable_devices(*, user) -> QuerySet[Device]:
    """The devices a person may see, with what a declaration reads about them, in one query:
    model, establishment, and who holds each now (`current_holder_id`)."""
    holder = current_holdings(devices=None).filter(device=OuterRef("pk")).values("student_id")[:1]
    return (
        fleet.visible_devices(user=user)
        .select_related("model", "establishment")
        .annotate(current_holder_id=Subquery(holder))
    )


def declarable_device(*, user, identifier: str, among: list[Device] | None = None) -> Device | None:
    """The device a person names to declare a fault, among those they may see: a laptop of
    another school and a serial that exists nowhere get the same answer (no existence oracle).
    `among`: the person's devices already read (a student's), searched without a query."""
    if among is not None:
        value = (identifier or "").strip()
        serial = normalise_serial(value)
        return (
            next((d for d in among if d.serial_number == serial), None)
            or next((d for d in among if d.asset_tag == value), None)
            or next((d for d in sorted(among, key=lambda d: d.pk) if d.asset_tag.lower() == value.lower()), None)
        )
    return device_by_identifier(identifier=identifier, queryset=declarable_devices(user=user))


def overdue_loaners_shown(*, user, limit: int = 20) -> list[Ticket]:
    """The first `limit` overdue loaners, as a technician's queue lists them: the statement is
    compiled once per scope and day (config/compiled_sql.py), the tickets read each time."""
    today = timezone.localdate()
    key = ("overdue loaners", fleet.scope_key(user), today, limit)
    return compiled_sql.evaluate(key, lambda: overdue_loaners(user=user, today=today)[:limit])


def overdue_loaners(*, user, today=None) -> QuerySet[Ticket]:
    """Loaners past their due date on the tickets this person sees, the longest overdue first."""
    return (
        visible_tickets(user=user)
        .filter(overdue_filter(today or timezone.localdate()))
        .select_related("loaner", "establishment")
        # What the list of overdue loaners shows: a ticket has some sixty columns to compile and read.
        .only("reference", "state", "loaner_due_on", "loaner__asset_tag", "establishment__name")
        .order_by("loaner_due_on", "pk")
    )


def manufacturer_return_pending(ticket: Ticket) -> bool:
    """The ticket's laptop went to the manufacturer, was swapped meanwhile, and is not back yet."""
    return bool(
        ticket.rma_number
        and ticket.replacement_id
        and ticket.state != State.AT_MANUFACTURER
        and ticket.device.status == Device.Status.AT_MANUFACTURER
    )


def ticket_by_status_token(*, token: str) -> Ticket | None:
    """The ticket a status link points to; None for anything else (a revoked or made-up token)."""
    if not token or len(token) > 64:
        return None
    return Ticket.objects.select_related("loaner").filter(status_token=token).first()
