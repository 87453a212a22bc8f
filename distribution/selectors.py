"""Reads of the distribution campaign: how far each establishment, département and académie is
from equipping its students, and the curve of the share equipped day by day.

Who counts as equipped: a student of the establishment (their profile's establishment) from the
moment the laptop is in their hands (`Assignment.delivered_at`: at once at the desk, on delivery
for a parcel), while the assignment is open or if it was returned after the campaign's end.
Students who kept last year's laptop are therefore equipped from the first day: they are the
campaign's starting level.

Two queries whatever the size of the region: the campaigns with their establishment, then the
students equipped per establishment and day, summed from the counts the database keeps as
assignments are written (EquippedDay, distribution/triggers.py) rather than counted over every
assignment. Départements, académies and the region are sums of the establishments' rows, done in
Python over a few hundred rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.outages import cache_outage_errors
from devices import permissions as fleet
from devices.models import Academie, Assignment, Departement, DistributionCampaign, Profile, Role
from distribution.dates import day_start, school_year_label
from distribution.models import EquippedDay
from distribution.progress import CampaignProgress, ProgressRow, derive, order

# Who sees the dashboard


def progress_readable(user) -> bool:
    """Managers and the region's supervisors see every establishment; school staff their own."""
    return fleet.role_of(user) in (Role.MANAGER, Role.SUPERVISOR, Role.STAFF)


def visible_campaigns(*, user, year: int):
    """The campaigns of a school year the user may follow (none for other roles)."""
    qs = DistributionCampaign.objects.filter(school_year=school_year_label(year))
    if not progress_readable(user):
        return qs.none()
    scope = fleet.establishment_filter(user, prefix="establishment__")
    return qs if scope is None else qs.filter(scope)


def campaign_progress(
    *, user, year: int, academie: str = "", departement: str = "", now: dt.datetime | None = None
) -> CampaignProgress:
    """The campaign of school year `year`–`year + 1` as `user` may see it, optionally narrowed to
    an académie or a département. Two queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    campaigns = visible_campaigns(user=user, year=year)
    filters = {}
    if academie:
        campaigns = campaigns.filter(establishment__academie=academie)
        filters["academie"] = academie
    if departement:
        campaigns = campaigns.filter(establishment__departement=departement)
        filters["departement"] = departement
    found = list(
        campaigns.values_list(
            "establishment_id",
            "establishment__name",
            "establishment__uai",
            "establishment__academie",
            "establishment__departement",
            "target_students",
            "starts_on",
            "ends_on",
        )
    )
    if not found:
        total = ProgressRow(key="", label=str(_("Total")))
        return CampaignProgress(year, today, now, [], derive(total, days=[], today=today), [], [], [], filters)

    first = min(row[6] for row in found)
    last = max(row[7] for row in found)
    as_of = min(now, day_start(last + dt.timedelta(days=1)))
    days = [first + dt.timedelta(days=i) for i in range(max(0, (min(today, last) - first).days + 1))]
    counts = _counts(found, first=first, through=min(today, last), as_of=as_of)

    establishments = []
    for est_id, name, uai, academie_code, dep, target, starts_on, ends_on in found:
        mine = counts.get(est_id, {})
        establishments.append(
            ProgressRow(
                key=uai,
                label=name,
                target=target,
                starts_on=starts_on,
                ends_on=ends_on,
                at_start=mine.get(-1, 0),
                per_day=[mine.get(i, 0) for i in range(len(days))],
                academie=academie_code,
                departement=dep,
                establishments=1,
            )
        )
    groups: dict[str, dict[str, ProgressRow]] = {"academie": {}, "departement": {}}
    total = ProgressRow(key="", label=str(_("Total")), per_day=[0] * len(days))
    for row in establishments:
        for kind, code, choices in (
            ("academie", row.academie, Academie),
            ("departement", row.departement, Departement),
        ):
            group = groups[kind].get(code)
            if group is None:  # the label translated once per group, not once per establishment
                group = groups[kind][code] = ProgressRow(
                    key=code, label=str(choices(code).label), per_day=[0] * len(days), academie=row.academie
                )
                if kind == "departement":
                    group.departement = code
            group.absorb(row)
        total.absorb(row)
    every_row = [*establishments, *groups["academie"].values(), *groups["departement"].values(), total]
    windows: dict = {}
    for row in every_row:
        derive(row, days=days, today=today, windows=windows)
    return CampaignProgress(
        year=year,
        today=today,
        as_of=as_of,
        days=days,
        total=total,
        academies=order(groups["academie"].values()),
        departements=order(groups["departement"].values()),
        establishments=order(establishments),
        filters=filters,
    )


def _counts(found: list[tuple], *, first: dt.date, through: dt.date, as_of: dt.datetime) -> dict:
    """{establishment id: {day index (-1: before the first day): students equipped}}: one query.

    Reads the counts the database keeps per establishment, day of delivery and day of return
    (EquippedDay, distribution/triggers.py) — a few rows per establishment and day rather than
    every assignment — through the day `through` (today, or the campaigns' last day). When
    `as_of` falls within that day, the laptops delivered from `as_of` to its end are taken off:
    none in practice (a hand-over is dated when it is recorded), found through an index."""
    adapt_date, adapt = connection.ops.adapt_datefield_value, connection.ops.adapt_datetimefield_value
    ids = ", ".join(str(row[0]) for row in found)
    ends: dict[dt.date, list[int]] = defaultdict(list)
    for row in found:
        ends[row[7]].append(row[0])
    # Returned after the campaign's end still counts (the campaign was done); each establishment
    # has its own end, usually the region's one. A laptop still held is "returned" in 9999.
    kept, kept_params, late, late_params = [], [], [], []
    for end, group in ends.items():
        only = "" if len(ends) == 1 else f" AND {{place}}.establishment_id IN ({', '.join(map(str, group))})"
        kept.append(f"(e.returned_on > %s{only.format(place='e')})")
        kept_params.append(adapt_date(end))
        late.append(f"(a.returned_at >= %s{only.format(place='p')})")
        late_params.append(adapt(day_start(end + dt.timedelta(days=1))))
    if connection.vendor == "sqlite":
        index = "CAST(julianday(e.delivered_on) - julianday(%s) AS INTEGER)"
    else:
        index = "(e.delivered_on - CAST(%s AS date))"
    sql = f"""
        SELECT e.establishment_id, CASE WHEN e.delivered_on < %s THEN -1 ELSE {index} END AS day_index,
            SUM(e.students)
        FROM {EquippedDay._meta.db_table} e
        WHERE e.delivered_on <= %s AND ({" OR ".join(kept)}) AND e.establishment_id IN ({ids})
        GROUP BY e.establishment_id, day_index
    """  # noqa: S608 (only integers and the app's own table names are formatted in)
    params = [adapt_date(first), adapt_date(first), adapt_date(through), *kept_params]
    end_of_through = day_start(through + dt.timedelta(days=1))
    if as_of < end_of_through:
        # CROSS JOIN: SQLite would otherwise start from the establishments' students.
        join = "CROSS JOIN" if connection.vendor == "sqlite" else "INNER JOIN"
        sql += f"""
        UNION ALL
        SELECT p.establishment_id, {(through - first).days if through >= first else -1}, -COUNT(*)
        FROM {Assignment._meta.db_table} a {join} {Profile._meta.db_table} p ON p.user_id = a.student_id
        WHERE a.delivered_at >= %s AND a.delivered_at < %s AND (a.returned_at IS NULL OR {" OR ".join(late)})
            AND p.establishment_id IN ({ids})
        GROUP BY p.establishment_id
        """  # noqa: S608
        params += [adapt(as_of), adapt(end_of_through), *late_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for est_id, day, n in rows:
        counts[est_id][day] = counts[est_id].get(day, 0) + n
    return counts


def campaign_progress_shared(*, user, year: int, academie: str = "", departement: str = "") -> CampaignProgress:
    """`campaign_progress`, computed at most once every CAMPAIGN_PROGRESS_CACHE_SECONDS for each
    scope (the region, or one school's staff) and shared through the cache: every open dashboard
    polls, and without it each poll of each viewer recomputed the region (about 100 ms)."""
    seconds = settings.CAMPAIGN_PROGRESS_CACHE_SECONDS
    if not seconds:
        return campaign_progress(user=user, year=year, academie=academie, departement=departement)
    profile = fleet.profile_of(user)
    scope = "region" if fleet.reads_everything(user) else f"school-{profile.establishment_id if profile else 0}"
    key = f"campaign-progress:{scope}:{year}:{academie}:{departement}"
    try:
        found = cache.get(key)
        if found is None:
            found = campaign_progress(user=user, year=year, academie=academie, departement=departement)
            cache.set(key, found, timeout=seconds)
    except cache_outage_errors():  # a cache outage costs the sharing, not the page
        found = campaign_progress(user=user, year=year, academie=academie, departement=departement)
    return found
