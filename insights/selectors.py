"""Reads of the fleet intelligence, scoped to the person: staff their establishment, technicians
their zone (the depot zone: everything), managers and supervisors everything.

The computations live in `pools`, `batches` and `drift`; this module decides who sees what of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from devices import permissions as fleet
from devices.models import Establishment, Role
from insights.batches import BatchAnalysis, batch_analysis
from insights.drift import (
    campaign_items,
    campaigns_with_progress,
    drift_by_establishment,
    outdated_devices,
    visible_campaigns,
)
from insights.models import BatchNotice
from insights.pools import PoolPlan, pool_plan
from repairs.selectors import visible_tickets

__all__ = [
    "batch_analysis_for",
    "batch_notice_tickets",
    "campaign_items",
    "campaigns_with_progress",
    "drift_by_establishment",
    "outdated_devices",
    "pool_plan_for",
    "reads_fleet_reports",
    "visible_campaigns",
    "visible_notices",
]


def reads_fleet_reports(user) -> bool:
    """Pools of the region, batches and notices: managers, supervisors, technicians."""
    return fleet.role_of(user) in (Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN)


def pool_plan_for(*, user, now: dt.datetime | None = None) -> PoolPlan | None:
    """The pools a person may see, with the moves between them; None for anyone else."""
    role = fleet.role_of(user)
    if role == Role.STAFF:
        establishment = fleet.profile_of(user).establishment
        return pool_plan(now=now, establishment=establishment)
    if role not in (Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN):
        return None
    plan = pool_plan(now=now)
    scope = fleet.establishment_filter(user)
    if scope is None:
        return plan
    visible = set(Establishment.objects.filter(scope).values_list("pk", flat=True))
    return replace(
        plan,
        pools=[p for p in plan.pools if p.establishment_id in visible or p.is_depot],
        moves=[m for m in plan.moves if m.target_id in visible],
    )


def establishment_pool(*, establishment: Establishment, now: dt.datetime | None = None):
    """One establishment's pool and its recommendation: the staff page."""
    return pool_plan(now=now, establishment=establishment).pools[0]


def batch_analysis_for(*, user, now: dt.datetime | None = None) -> BatchAnalysis | None:
    return batch_analysis(now=now) if reads_fleet_reports(user) else None


def visible_notices(*, user):
    return BatchNotice.objects.select_related("model") if reads_fleet_reports(user) else BatchNotice.objects.none()


def batch_notice_tickets(*, notice: BatchNotice, user):
    """The tickets behind a notice, among those the person may see."""
    return (
        visible_tickets(user=user)
        .filter(pk__in=notice.ticket_ids)
        .select_related("device", "establishment")
        .order_by("-declared_at", "pk")
    )
