"""The SLA clock applied to tickets: policy choice, calendar, and the fields stored on the ticket.

- `ticket_sla_update` recomputes one ticket in memory (the caller saves): at declaration and at
  every transition, inside the service's transaction.
- `tickets_sla_recompute` recomputes many in bulk (policy or closure changed, tickets written in bulk, the
  `sla_recompute` command): a few queries per 2,000 tickets, one UPDATE per changed ticket.
- `sla_flags_refresh` turns the stored 80 % and due instants into flags as time passes: set-based
  UPDATEs, no per-ticket work, because the instants already are the clock's answer until the
  next change recomputes them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from repairs.models import Closure, SlaPolicy, Ticket, TimelineEntry, default_pause_states
from repairs.sla.calendar import BusinessCalendar
from repairs.sla.clock import Clock, Rules, Step, clock_compute
from repairs.states import OPEN_STATES, State

# The ticket fields the engine owns; a recomputation rewrites all of them.
SLA_FIELDS = (
    "sla_policy_id",
    "sla_key",
    "first_response_due_at",
    "first_response_warn_at",
    "first_response_breached",
    "resolution_due_at",
    "resolution_warn_at",
    "resolution_breached",
    "sla_at_risk",
    "sla_paused_since",
    "first_response_seconds",
    "resolution_seconds",
    "manufacturer_seconds",
)
STEP_KINDS = (TimelineEntry.Kind.TRANSITION,)


def sla_key(*, priority: str, category: str) -> str:
    return f"{priority}/{category}"


def sla_key_expression() -> Concat:
    """The same key in SQL, to find tickets whose priority changed since their last computation."""
    return Concat(F("priority"), Value("/"), F("category"))


def policies_load() -> list[SlaPolicy]:
    return list(SlaPolicy.objects.all())


def policy_choose(*, policies: Sequence[SlaPolicy], priority: str, category: str) -> SlaPolicy | None:
    """The most specific policy: priority and category, then category, then priority, then catch-all."""
    best, best_rank = None, -1
    for policy in policies:
        if policy.priority not in ("", priority) or policy.category not in ("", category):
            continue
        rank = 2 * bool(policy.category) + bool(policy.priority)
        if rank > best_rank:
            best, best_rank = policy, rank
    return best


def _hours(value: Decimal) -> dt.timedelta:
    return dt.timedelta(seconds=round(float(value) * 3600))


def rules_for(policy: SlaPolicy | None) -> Rules:
    if policy is None:
        return Rules(first_response=None, resolution=None, pause_states=frozenset(default_pause_states()))
    return Rules(
        first_response=_hours(policy.first_response_hours),
        resolution=_hours(policy.resolution_hours),
        pause_states=frozenset(policy.pause_states or ()),
    )


def calendar_for(
    *, policy: SlaPolicy | None, academie: str | None, closures: Iterable[tuple[dt.date, dt.date]]
) -> BusinessCalendar:
    if policy is None:
        start, end = dt.time.fromisoformat(settings.SLA_WORKDAY_START), dt.time.fromisoformat(settings.SLA_WORKDAY_END)
        days, school = settings.SLA_WORKING_DAYS, False
    else:
        start, end, days, school = (
            policy.workday_start,
            policy.workday_end,
            policy.working_days,
            policy.skip_school_holidays,
        )
    zone = settings.SLA_SCHOOL_HOLIDAY_ZONES.get(academie or "") if school else None
    return BusinessCalendar(
        start=start,
        end=end,
        weekdays=frozenset(int(d) for d in days),
        school_zone=zone,
        closures=tuple(sorted(set(closures))),
    )


def _seconds(value: dt.timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def clock_fields(*, clock: Clock, policy: SlaPolicy | None, key: str) -> dict:
    """The ticket's SLA fields for a computed clock."""
    first, resolution = clock.first_response, clock.resolution
    return {
        "sla_policy_id": policy.pk if policy else None,
        "sla_key": key,
        "first_response_due_at": first.due_at,
        "first_response_warn_at": first.warn_at,
        "first_response_breached": first.breached,
        "resolution_due_at": resolution.due_at,
        "resolution_warn_at": resolution.warn_at,
        "resolution_breached": resolution.breached,
        "sla_at_risk": clock.at_risk,
        "sla_paused_since": clock.paused_since,
        "first_response_seconds": _seconds(first.measured),
        "resolution_seconds": _seconds(resolution.measured),
        "manufacturer_seconds": _seconds(clock.manufacturer),
    }


def _closure_filter(establishment_ids: Iterable[int | None]) -> Q:
    ids = [pk for pk in establishment_ids if pk is not None]
    return Q(establishment__isnull=True) | Q(establishment_id__in=ids)


def ticket_sla_update(*, ticket: Ticket, now: dt.datetime | None = None, pending: Step | None = None) -> Clock:
    """Recompute `ticket`'s SLA fields in memory from its timeline; the caller saves.

    `pending` is the state change being fired, whose timeline entry is written after the save.
    Three queries: policies, closures, timeline (none for a ticket not saved yet)."""
    now = now or timezone.now()
    policy = policy_choose(policies=policies_load(), priority=ticket.priority, category=ticket.category)
    establishment = ticket.establishment if ticket.establishment_id else None
    closures = Closure.objects.filter(_closure_filter([ticket.establishment_id])).values_list("starts_on", "ends_on")
    steps = []
    if ticket.pk:
        entries = ticket.timeline.filter(kind__in=STEP_KINDS).order_by("at", "pk").values_list("at", "name", "target")
        steps = [Step(at=at, name=name, target=target) for at, name, target in entries]
    if pending:
        steps.append(pending)
    clock = clock_compute(
        declared_at=ticket.declared_at,
        steps=steps,
        rules=rules_for(policy),
        calendar=calendar_for(policy=policy, academie=establishment and establishment.academie, closures=closures),
        now=now,
        resolution_due_by_hand=ticket.resolution_due_manual,
    )
    for name, value in clock_fields(
        clock=clock, policy=policy, key=sla_key(priority=ticket.priority, category=ticket.category)
    ).items():
        setattr(ticket, name, value)
    return clock


def _write(changes: list[tuple[int, int, dict]]) -> int:
    """One UPDATE per changed ticket, sent together (executemany). The version check skips a ticket
    saved by someone else meanwhile (its save recomputed it), and the bump makes a form read
    before this recomputation fail instead of writing the old due dates back."""
    if not changes:
        return 0
    meta = Ticket._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name) for name in SLA_FIELDS]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments}, {quote('version')} = {quote('version')} + 1 "  # noqa: S608
        f"WHERE {quote('id')} = %s AND {quote('version')} = %s"
    )
    rows = [
        [field.get_db_prep_save(values[name], connection) for field, name in zip(fields, SLA_FIELDS, strict=True)]
        + [pk, version]
        for pk, version, values in changes
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def tickets_sla_recompute(
    *, queryset: QuerySet[Ticket] | None = None, now: dt.datetime | None = None, batch: int = 2000
) -> int:
    """Recompute the SLA of the tickets of `queryset` (default: every open ticket) in bulk.
    Returns how many tickets changed."""
    now = now or timezone.now()
    queryset = Ticket.objects.filter(state__in=OPEN_STATES) if queryset is None else queryset
    policies = policies_load()
    closures: dict[int | None, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for establishment_id, starts_on, ends_on in Closure.objects.values_list("establishment_id", "starts_on", "ends_on"):
        closures[establishment_id].append((starts_on, ends_on))
    pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    calendars: dict[tuple, BusinessCalendar] = {}
    changed = 0
    for offset in range(0, len(pks), batch):
        chunk = pks[offset : offset + batch]
        rows = Ticket.objects.filter(pk__in=chunk).values(
            "pk", "version", "priority", "category", "declared_at", "resolution_due_manual",
            "establishment_id", "establishment__academie", *SLA_FIELDS,
        )  # fmt: skip
        steps: dict[int, list[Step]] = defaultdict(list)
        entries = (
            TimelineEntry.objects.filter(ticket_id__in=chunk, kind__in=STEP_KINDS)
            .order_by("ticket_id", "at", "pk")
            .values_list("ticket_id", "at", "name", "target")
        )
        for ticket_id, at, name, target in entries:
            steps[ticket_id].append(Step(at=at, name=name, target=target))
        changes = []
        for row in rows:
            policy = policy_choose(policies=policies, priority=row["priority"], category=row["category"])
            place = (policy.pk if policy else None, row["establishment_id"], row["establishment__academie"])
            if place not in calendars:
                days = closures[None] + (closures[row["establishment_id"]] if row["establishment_id"] else [])
                calendars[place] = calendar_for(policy=policy, academie=row["establishment__academie"], closures=days)
            clock = clock_compute(
                declared_at=row["declared_at"],
                steps=steps[row["pk"]],
                rules=rules_for(policy),
                calendar=calendars[place],
                now=now,
                resolution_due_by_hand=row["resolution_due_manual"],
            )
            values = clock_fields(
                clock=clock, policy=policy, key=sla_key(priority=row["priority"], category=row["category"])
            )
            if any(values[name] != row[name] for name in SLA_FIELDS):
                changes.append((row["pk"], row["version"], values))
        changed += _write(changes)
    return changed


def sla_flags_refresh(*, now: dt.datetime | None = None) -> int:
    """Flip the breach and at-risk flags of open tickets whose stored instants `now` has passed.

    Equal to recomputing each clock at `now`: between two changes the due and 80 % instants do
    not move. A paused resolution clock is judged at the start of its pause, so it never breaches
    while paused. Flags written back by a stale save are put right again by the next run."""
    now = now or timezone.now()
    open_tickets = Ticket.objects.filter(state__in=OPEN_STATES)
    point = Coalesce(F("sla_paused_since"), Value(now))
    count = open_tickets.filter(
        state=State.DECLARED, first_response_breached=False, first_response_due_at__lt=now
    ).update(first_response_breached=True)
    count += open_tickets.filter(resolution_breached=False, resolution_due_at__lt=point).update(
        resolution_breached=True
    )
    at_risk = Q(state=State.DECLARED, first_response_breached=False, first_response_warn_at__lte=now) | Q(
        resolution_breached=False, resolution_warn_at__lte=point
    )
    count += open_tickets.filter(at_risk, sla_at_risk=False).update(sla_at_risk=True)
    count += open_tickets.filter(sla_at_risk=True).exclude(at_risk).update(sla_at_risk=False)
    return count
