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
import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.outages import cache_outage_errors
from devices import permissions as fleet
from devices.models import Academie, Assignment, Departement, DistributionCampaign, Profile, Role
from distribution.models import EquippedDay

TARGET_PCT = 90
DEADLINE_DAYS = 14  # "90 % of students equipped within two weeks of the start"
RATE_WINDOW_DAYS = 3  # working days
GROUP_BY_CHOICES = (
    ("academie", _("Académie")),
    ("departement", _("Département")),
    ("establishment", _("Establishment")),
)
GROUP_BY_KEYS = tuple(key for key, _label in GROUP_BY_CHOICES)
RATE_WINDOW_TEXT = _("per working day, over the last 3 working days before today (today's count on the first day)")


def school_year_of(day: dt.date) -> int:
    """The first calendar year of the school year holding `day`: August already belongs to the
    coming year, since campaigns are prepared then."""
    return day.year if day.month >= 8 else day.year - 1


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}"


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `day` (Monday to Friday)."""
    while count > 0:
        day += dt.timedelta(days=1)
        count -= is_working_day(day)
    return day


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


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


# Figures


@dataclass
class ProgressRow:
    """One establishment, département, académie or the whole scope."""

    key: str
    label: str
    target: int = 0
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    at_start: int = 0  # equipped before the first day
    per_day: list[int] = field(default_factory=list)  # students equipped on each day of `days`
    academie: str = ""
    departement: str = ""
    establishments: int = 0
    # Derived by `_derive`
    equipped: int = 0
    pct: float | None = None
    today: int = 0
    rate: float = 0.0
    expected_pct: float | None = None
    behind: bool = False
    reached_on: dt.date | None = None
    projected_on: dt.date | None = None
    curve: list[tuple[dt.date, float]] = field(default_factory=list)

    def absorb(self, other: ProgressRow) -> None:
        self.target += other.target
        self.at_start += other.at_start
        self.establishments += other.establishments
        if not self.per_day:
            self.per_day = [0] * len(other.per_day)
        self.per_day = [a + b for a, b in zip(self.per_day, other.per_day, strict=True)]
        if other.starts_on and (self.starts_on is None or other.starts_on < self.starts_on):
            self.starts_on = other.starts_on
        if other.ends_on and (self.ends_on is None or other.ends_on > self.ends_on):
            self.ends_on = other.ends_on

    @property
    def start_pct(self) -> float | None:
        return 100 * self.at_start / self.target if self.target else None

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "target": self.target,
            "equipped": self.equipped,
            "pct": None if self.pct is None else round(self.pct, 1),
            "handed_over_today": self.today,
            "rate_per_day": round(self.rate, 1),
            "projected_on": self.projected_on.isoformat() if self.projected_on else None,
            "reached_on": self.reached_on.isoformat() if self.reached_on else None,
            "expected_pct": None if self.expected_pct is None else round(self.expected_pct, 1),
            "behind_schedule": self.behind,
            "starts_on": self.starts_on.isoformat() if self.starts_on else None,
        }


@dataclass
class CampaignProgress:
    year: int
    today: dt.date
    as_of: dt.datetime
    days: list[dt.date]
    total: ProgressRow
    academies: list[ProgressRow]
    departements: list[ProgressRow]
    establishments: list[ProgressRow]
    filters: dict[str, str]

    @property
    def school_year(self) -> str:
        return school_year_label(self.year)

    @property
    def empty(self) -> bool:
        return not self.establishments

    def rows(self, group_by: str) -> list[ProgressRow]:
        return {"academie": self.academies, "departement": self.departements, "establishment": self.establishments}[
            group_by
        ]

    def fingerprint(self) -> str:
        """Changes whenever a figure the dashboard shows changes (for its live updates); short, as
        the page sends it back in its polling URL."""
        figures = f"{self.today}:{self.total.target}:{self.total.per_day}:" + ",".join(
            f"{r.key}={r.equipped}/{r.target}/{r.today}" for r in self.establishments
        )
        return hashlib.blake2b(figures.encode(), digest_size=12).hexdigest()


def _derive(row: ProgressRow, *, days: list[dt.date], today: dt.date, windows: dict | None = None) -> ProgressRow:
    """Everything a row shows, from its target, starting level and counts per day. `windows`
    keeps the rate's working days per first day across the rows of one computation (most rows
    share their first day)."""
    cumulative, running = [], row.at_start
    for count in row.per_day:
        running += count
        cumulative.append(running)
    row.equipped = running
    target = row.target
    needed = math.ceil(target * TARGET_PCT / 100)
    row.pct = 100 * row.equipped / target if target else None
    row.today = row.per_day[days.index(today)] if today in days else 0
    start = row.starts_on or (days[0] if days else today)
    row.curve = [(day, 100 * n / target) for day, n in zip(days, cumulative, strict=True)] if target else []

    window = None if windows is None else windows.get(start)
    if window is None:
        completed = [i for i, day in enumerate(days) if day < today and day >= start and is_working_day(day)]
        window = completed[-RATE_WINDOW_DAYS:]
        if windows is not None:
            windows[start] = window
    # Kept as a fraction (done, days) so that the projection divides integers exactly.
    if window:
        done, span = sum(row.per_day[i] for i in window), len(window)
    else:  # the first day: what has been done so far today is all there is to go by
        done, span = row.today, 1
    row.rate = done / span

    if not target:
        return row
    if row.at_start >= needed:
        row.reached_on = start
    else:
        row.reached_on = next((day for day, n in zip(days, cumulative, strict=True) if n >= needed), None)
    if row.reached_on:
        row.projected_on = row.reached_on
    elif done > 0:
        row.projected_on = add_working_days(today, -(-(needed - row.equipped) * span // done))
    # The schedule: a straight line from the starting level on the first day to 90 % on day 14.
    start_pct = row.start_pct
    elapsed = min(DEADLINE_DAYS, max(0, (today - start).days))
    row.expected_pct = max(start_pct, start_pct + (TARGET_PCT - start_pct) * elapsed / DEADLINE_DAYS)
    row.behind = row.reached_on is None and row.pct < row.expected_pct
    return row


def _order(rows: Iterable[ProgressRow]) -> list[ProgressRow]:
    """Behind schedule first, the furthest behind its line first; then the others, least equipped first."""
    return sorted(
        rows,
        key=lambda r: (
            not r.behind,
            (r.pct - r.expected_pct) if r.behind else (r.pct if r.pct is not None else math.inf),
            r.label,
        ),
    )


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
        return CampaignProgress(year, today, now, [], _derive(total, days=[], today=today), [], [], [], filters)

    first = min(row[6] for row in found)
    last = max(row[7] for row in found)
    as_of = min(now, _day_start(last + dt.timedelta(days=1)))
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
    derive = [*establishments, *groups["academie"].values(), *groups["departement"].values(), total]
    windows: dict = {}
    for row in derive:
        _derive(row, days=days, today=today, windows=windows)
    return CampaignProgress(
        year=year,
        today=today,
        as_of=as_of,
        days=days,
        total=total,
        academies=_order(groups["academie"].values()),
        departements=_order(groups["departement"].values()),
        establishments=_order(establishments),
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
        late_params.append(adapt(_day_start(end + dt.timedelta(days=1))))
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
    end_of_through = _day_start(through + dt.timedelta(days=1))
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
