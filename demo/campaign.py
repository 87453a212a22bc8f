"""The current distribution campaign, part-way, so that the dashboard is alive on `make run`.

The campaign is the one of the school year holding today. In September it opened on the first
school day; at any other time of year it opened eight working days ago, so that the demo always
shows a campaign in progress. Each establishment receives a cohort of new students (about a
third of its students, as the new secondes are) and their laptops, delivered to the school
beforehand; students who kept last year's laptop are the starting level. By now:

- most establishments are on track (a little above the straight line to 90 % on day 14),
- about one in six is behind (well under the line; the Montpellier demo student's school always),
- one establishment is done (over 90 %).

Written in bulk, as `devices.services.assignment_hand_over` would have left it: an on-site
assignment delivered at its hand-over, by a staff member of the school, the laptop `assigned`;
the laptops not yet handed over wait `in_stock` at their school. Idempotent: an establishment
that has its cohort keeps its campaign as it is (its dates do not move on a later run); only its
target is recomputed, from the students holding a laptop at the start and the cohort.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Q

from demo.fleet.identifiers import months_later
from demo.fleet.names import LAST_NAMES, STUDENT_FIRST_NAMES
from demo.fleet.rows import PARIS
from demo.fleet.writer import SeedContext, insert
from devices.models import (
    Assignment,
    Device,
    DeviceModel,
    DistributionCampaign,
    Establishment,
    MasterImage,
    Profile,
    Role,
    WarrantyCoverage,
)
from distribution.dates import add_working_days, is_working_day, school_year_of
from distribution.progress import DEADLINE_DAYS, TARGET_PCT

CAMPAIGN_WEEKS = 4
DAYS_AGO_OUTSIDE_SEPTEMBER = 8  # working days
COHORT_SHARE = 0.5  # of the students already equipped: a third of the target
MIN_COHORT = 16
BEHIND_SHARE = 1 / 6


def cohort_prefix(year: int) -> str:
    return f"rentree{year}-"


def campaign_dates(today: dt.date) -> tuple[int, dt.date, dt.date]:
    """(first year of the school year, first day, last day) of the demo's current campaign."""
    year = school_year_of(today)
    first_school_day = dt.date(year, 9, 1)
    while not is_working_day(first_school_day):
        first_school_day += dt.timedelta(days=1)
    if today.month == 9 and add_working_days(first_school_day, 2) <= today:
        starts_on = first_school_day
    else:
        starts_on = today
        for _ in range(DAYS_AGO_OUTSIDE_SEPTEMBER):
            starts_on -= dt.timedelta(days=1)
            while not is_working_day(starts_on):
                starts_on -= dt.timedelta(days=1)
    return year, starts_on, starts_on + dt.timedelta(weeks=CAMPAIGN_WEEKS, days=-1)


def _start_instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=PARIS)


def _holders_at(start_by_establishment: dict[int, dt.date]) -> dict[int, int]:
    """Students of each establishment who held a laptop when its campaign opened and hold one now:
    one query. A swap since the opening closed their laptop's assignment and opened another, and
    the campaign's figures count them through that one, so the starting level must count them too
    (missed, an establishment seeded one under 90 % showed as done on some days)."""
    rows = list(
        Assignment.objects.filter(
            Q(returned_at__isnull=True) | Q(returned_at__gte=_start_instant(min(start_by_establishment.values()))),
            student__profile__establishment_id__in=list(start_by_establishment),
        ).values_list("student__profile__establishment_id", "student_id", "delivered_at", "returned_at")
    )
    holding_now = {student_id for _place, student_id, _delivered, returned_at in rows if returned_at is None}
    held = set()
    for establishment_id, student_id, delivered_at, returned_at in rows:
        start = _start_instant(start_by_establishment[establishment_id])
        if student_id in holding_now and delivered_at < start and (returned_at is None or returned_at >= start):
            held.add((establishment_id, student_id))
    return dict(Counter(establishment_id for establishment_id, _student in held))


def seed_demo_campaign(ctx: SeedContext, *, now: dt.datetime | None = None) -> None:
    """The demo step: the current campaign, its cohorts and their hand-overs so far."""
    now = now or dt.datetime.now(tz=PARIS)
    today = now.astimezone(PARIS).date()
    year, starts_on, ends_on = campaign_dates(today)
    school_year = f"{year}-{year + 1}"
    uais = [row.uai for row in ctx.dataset.establishments]
    ids = {uai: ctx.establishment_ids[uai] for uai in uais}
    campaigns = {c.establishment_id: c for c in DistributionCampaign.objects.filter(school_year=school_year)}
    prefix = cohort_prefix(year)
    cohorts: dict[int, int] = defaultdict(int)
    for establishment_id in Profile.objects.filter(user__username__startswith=prefix).values_list(
        "establishment_id", flat=True
    ):
        cohorts[establishment_id] += 1

    fresh = [uai for uai in uais if not cohorts[ids[uai]]]
    starts = {
        ids[uai]: (starts_on if uai in fresh or ids[uai] not in campaigns else campaigns[ids[uai]].starts_on)
        for uai in uais
    }
    holders = _holders_at(starts)
    if fresh:
        planned = _write_cohorts(ctx, fresh=fresh, year=year, starts_on=starts_on, now=now, holders=holders)
        cohorts.update(planned)

    missing, changed = [], []
    for uai in uais:
        establishment_id = ids[uai]
        target = holders.get(establishment_id, 0) + cohorts[establishment_id]
        campaign = campaigns.get(establishment_id)
        if campaign is None:
            missing.append(
                DistributionCampaign(
                    school_year=school_year,
                    establishment_id=establishment_id,
                    target_students=target,
                    starts_on=starts_on,
                    ends_on=ends_on,
                )
            )
            continue
        if uai in fresh:  # a campaign the fleet wrote for this year: it becomes the running one
            campaign.starts_on, campaign.ends_on = starts_on, ends_on
        campaign.target_students = target
        changed.append(campaign)
    insert(ctx, DistributionCampaign, missing, counts_as_rows=False)
    DistributionCampaign.objects.bulk_update(changed, ["target_students", "starts_on", "ends_on"], batch_size=2000)


def _pace(uai: str, *, ctx: SeedContext, done_uai: str, rng: random.Random) -> str:
    if uai == done_uai:
        return "done"
    if uai == ctx.dataset.other_establishment_uai:
        return "behind"
    if uai == ctx.dataset.demo_establishment_uai:
        return "on_track"
    return "behind" if rng.random() < BEHIND_SHARE else "on_track"


def _write_cohorts(
    ctx: SeedContext, *, fresh: list[str], year: int, starts_on: dt.date, now: dt.datetime, holders: dict[int, int]
) -> dict[int, int]:
    """Students, laptops and the hand-overs so far of the establishments without a cohort."""
    User = get_user_model()
    today = now.astimezone(PARIS).date()
    days = [starts_on + dt.timedelta(days=i) for i in range((today - starts_on).days + 1)]
    days = [day for day in days if is_working_day(day)]
    elapsed = min(DEADLINE_DAYS, (today - starts_on).days)
    establishments = {e.uai: e for e in Establishment.objects.filter(uai__in=fresh)}
    images = dict(MasterImage.objects.filter(is_current=True).values_list("academie", "pk"))
    model = DeviceModel.objects.order_by("-pk").first()
    staff: dict[int, int] = {}
    for establishment_id, user_id in (
        Profile.objects.filter(role=Role.STAFF, establishment__uai__in=fresh)
        .order_by("-pk")
        .values_list("establishment_id", "user_id")
    ):
        staff[establishment_id] = user_id
    done_uai = next(
        (uai for uai in fresh if uai not in (ctx.dataset.demo_establishment_uai, ctx.dataset.other_establishment_uai)),
        None,
    )
    password = ctx.password_hash(demo=False)
    delivered_on = starts_on - dt.timedelta(days=7)
    prefix = cohort_prefix(year)

    plans = []  # (establishment, students [(username, first, last)], serials, hand-over times)
    for uai in fresh:
        establishment = establishments[uai]
        rng = random.Random(f"campaign-{year}-{uai}")
        held = holders.get(establishment.pk, 0)
        size = max(MIN_COHORT, round(held * COHORT_SHARE))
        target = held + size
        start_pct = 100 * held / target
        expected = start_pct + (TARGET_PCT - start_pct) * elapsed / DEADLINE_DAYS
        pace = _pace(uai, ctx=ctx, done_uai=done_uai, rng=rng)
        on_line = math.ceil(expected * target / 100)  # the fewest equipped students on the line
        almost = math.ceil(TARGET_PCT * target / 100) - 1  # the most equipped students under 90 %
        if pace == "done":
            equipped = math.ceil(rng.uniform(93, 97) * target / 100)
        elif pace == "behind":
            equipped = held + round((on_line - held) * rng.uniform(0.2, 0.5))
        else:
            equipped = max(held, min(on_line + rng.randint(0, 2), almost))
        handed = max(0, min(size, equipped - held))
        students = []
        for n in range(size):
            first, last = rng.choice(STUDENT_FIRST_NAMES), rng.choice(LAST_NAMES)
            students.append((f"{prefix}{uai.lower()}-{n:03d}", first, last))
        # Earlier days busier than later ones; today's hand-overs happened before now.
        weights = [1 / (1 + i * 0.15) for i in range(len(days))]
        times = []
        for _ in range(handed):
            day = rng.choices(days, weights=weights)[0]
            latest = min(17 * 60, now.astimezone(PARIS).hour * 60 + now.astimezone(PARIS).minute - 1)
            minutes = rng.randint(8 * 60, 17 * 60) if day < today else rng.randint(8 * 60, max(8 * 60, latest))
            at = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=PARIS)
            times.append(min(at, now - dt.timedelta(minutes=1)))
        times.sort()
        plans.append((establishment, students, times))

    users = insert(
        ctx,
        User,
        (
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@eleves.example.org",
                password=password,
            )
            for _establishment, students, _times in plans
            for username, first, last in students
        ),
        counts_as_rows=False,
    )
    user_ids = {user.get_username(): user.pk for user in users}
    ctx.user_ids.update(user_ids)
    insert(
        ctx,
        Profile,
        (
            Profile(user_id=user_ids[username], role=Role.STUDENT, establishment_id=establishment.pk)
            for establishment, students, _times in plans
            for username, _first, _last in students
        ),
        counts_as_rows=False,
    )
    devices = insert(
        ctx,
        Device,
        (
            Device(
                serial_number=f"RC{year % 100:02d}{establishment.uai}{n:03d}",
                asset_tag=f"RO-{establishment.departement}-C{year % 100:02d}-{establishment.uai[3:7]}{n:03d}",
                model=model,
                establishment_id=establishment.pk,
                status=Device.Status.ASSIGNED if n < len(times) else Device.Status.IN_STOCK,
                image_id=images.get(establishment.academie),
                delivered_on=delivered_on,
            )
            for establishment, students, times in plans
            for n in range(len(students))
        ),
        counts_as_rows=False,
    )
    insert(
        ctx,
        WarrantyCoverage,
        (
            WarrantyCoverage(
                device_id=device.pk,
                kind=WarrantyCoverage.Kind.MANUFACTURER,
                provider=model.manufacturer,
                contract_ref=f"{model.manufacturer[:3].upper()}-{year}-RENTREE",
                starts_on=delivered_on,
                ends_on=months_later(delivered_on, model.warranty_months),
            )
            for device in devices
        ),
        counts_as_rows=False,
    )
    by_serial = {device.serial_number: device.pk for device in devices}
    insert(
        ctx,
        Assignment,
        (
            Assignment(
                device_id=by_serial[f"RC{year % 100:02d}{establishment.uai}{n:03d}"],
                student_id=user_ids[students[n][0]],
                handed_over_at=at,
                handed_over_by_id=staff.get(establishment.pk),
                channel=Assignment.Channel.ON_SITE,
                delivered_at=at,
            )
            for establishment, students, times in plans
            for n, at in enumerate(times)
        ),
        counts_as_rows=False,
    )
    return {establishment.pk: len(students) for establishment, students, _times in plans}
