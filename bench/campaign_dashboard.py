"""The campaign dashboard at region scale (its JSON, its live part and its page), against a bare view.

    .venv/bin/python bench/campaign_dashboard.py                                  # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/campaign_dashboard.py

Builds, in a throwaway database (a temporary SQLite file, or a new database next to the one of
DATABASE_URL, dropped at the end), the region of bench/region_fleet.py — 370 establishments,
61,000 laptops, a student holding each assigned one — then a campaign for the current school year
opened ten days ago: a campaign row per establishment, a third of the students equipped before
it opened (kept last year's laptop), the others over the past working days or not yet, some
laptops given back, parcels on their way: 61,000 assignments in all. Each URL is requested
through the test client (middleware, session, queries, template) after a bare one-query JSON view
(bench/bare.py), and its median, 95th percentile, queries and ratio to the bare view are printed.
Target: 100 ms for the JSON and the page, also when the figures must be computed: `--figures cold`
(and the second table of the default `both`) bypasses the figures' shared cache, so that every
request computes them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import throwaway  # noqa: E402  (bench/throwaway.py)

warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")

ASSIGNMENTS = 61_000
CAMPAIGN_DAYS_AGO = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per figure")
    parser.add_argument(
        "--sqlite", metavar="PATH", help="build into this SQLite file and keep it; reuse it if it exists"
    )
    parser.add_argument(
        "--keep-in", metavar="DATABASE_URL", help="build into this (empty) database and keep it; reuse it if built"
    )
    parser.add_argument(
        "--figures",
        choices=("shared", "cold", "both"),
        default="both",
        help="shared: the figures as the site serves them (computed at most once per scope every "
        "CAMPAIGN_PROGRESS_CACHE_SECONDS); cold: computed on every request (the cache bypassed); both: one table each",
    )
    args = parser.parse_args()
    with throwaway.bench_database("campaign", given=args.keep_in, sqlite_path=args.sqlite) as (backend, _tmp):
        return run(args, backend=backend)


def build_campaign(fleet: dict, rng: random.Random) -> tuple[int, int]:
    """Campaign rows and the assignments' dates; returns (school year, assignments)."""
    from django.db import connection
    from django.utils import timezone

    from devices.models import Assignment, Device, DistributionCampaign, Establishment
    from distribution.dates import school_year_label, school_year_of

    now = timezone.now()
    today = timezone.localdate()
    year = school_year_of(today)
    starts_on = today - dt.timedelta(days=CAMPAIGN_DAYS_AGO)
    start = dt.datetime.combine(starts_on, dt.time(8), tzinfo=timezone.get_current_timezone())
    held = Assignment.objects.values_list("pk", "student__profile__establishment_id")
    per_establishment: dict[int, int] = {}
    updates = []
    for pk, establishment_id in held:
        per_establishment[establishment_id] = per_establishment.get(establishment_id, 0) + 1
        u = rng.random()
        if u < 0.33:  # kept last year's laptop
            at, delivered = start - dt.timedelta(days=rng.randint(60, 400)), True
        elif u < 0.92:  # during the campaign, more at first
            at, delivered = start + (now - start) * rng.random() ** 1.6, True
        else:  # a parcel on its way
            at, delivered = start + (now - start) * rng.random(), False
        updates.append((at, at if delivered else None, "on_site" if delivered else "carrier", pk))
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE devices_assignment SET handed_over_at = %s, delivered_at = %s, channel = %s WHERE id = %s", updates
        )
    # History up to 61,000: laptops given back (before the campaign, and a few during it).
    devices = list(Device.objects.values_list("pk", flat=True))
    students = list(fleet["students"])
    extra = []
    for _ in range(ASSIGNMENTS - len(updates)):
        handed = start - dt.timedelta(days=rng.randint(300, 700))
        returned = start - dt.timedelta(days=rng.randint(1, 60)) if rng.random() < 0.9 else now
        extra.append(
            Assignment(
                device_id=rng.choice(devices),
                student_id=rng.choice(students),
                handed_over_at=handed,
                delivered_at=handed,
                returned_at=returned,
            )
        )
    Assignment.objects.bulk_create(extra, batch_size=5000)
    DistributionCampaign.objects.bulk_create(
        [
            DistributionCampaign(
                school_year=school_year_label(year),
                establishment_id=pk,
                target_students=round(per_establishment.get(pk, 0) * 1.04),
                starts_on=starts_on,
                ends_on=starts_on + dt.timedelta(days=27),
            )
            for pk in Establishment.objects.values_list("pk", flat=True)
        ]
    )
    return year, Assignment.objects.count()


def run(args, *, backend: str) -> int:
    import django

    django.setup()
    import region_figures
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from region_fleet import fleet_build

    settings.ROOT_URLCONF = "bare"  # the site plus /bench/bare/
    call_command("migrate", verbosity=0)
    load = os.getloadavg()[0]
    print(f"Campaign dashboard on {backend}, {connection.vendor}, {os.cpu_count()} CPU(s), load {load:.1f}")
    started = time.perf_counter()
    from devices.models import Assignment, DistributionCampaign, Profile, Role

    if DistributionCampaign.objects.exists():  # a kept --sqlite file
        year = int(DistributionCampaign.objects.values_list("school_year", flat=True)[0][:4])
        assignments = Assignment.objects.count()
        people = {p.role: p.user for p in Profile.objects.filter(role__in=[Role.MANAGER, Role.STAFF]).order_by("-pk")}
        fleet = {"people": {"manager": people[Role.MANAGER], "staff": people[Role.STAFF]}}
    else:
        rng = random.Random(2026)
        fleet = fleet_build(rng)
        year, assignments = build_campaign(fleet, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  {assignments:,} assignments, 370 campaigns, built in {time.perf_counter() - started:.0f} s")

    manager, staff = Client(), Client()
    manager.force_login(fleet["people"]["manager"])
    staff.force_login(fleet["people"]["staff"])
    bare_client = Client()

    def bare():
        return bare_client.get("/bench/bare/")

    fingerprint = manager.get("/distribution/dashboard/live/", {"year": year}).json()["fingerprint"]
    pages = [
        ("progress JSON by establishment (manager)", manager, "/api/v1/distribution/progress/", {"year": year}),
        ("progress JSON by académie (manager)", manager, "/api/v1/distribution/progress/",
         {"year": year, "group_by": "academie"}),
        ("dashboard page, whole region (manager)", manager, "/distribution/dashboard/", {"year": year}),
        ("dashboard page, one département (manager)", manager, "/distribution/dashboard/",
         {"year": year, "departement": "31"}),
        ("live poll, unchanged (manager)", manager, "/distribution/dashboard/live/",
         {"year": year, "since": fingerprint}),
        ("live poll, changed: figures' HTML (manager)", manager, "/distribution/dashboard/live/", {"year": year}),
        ("dashboard page, one establishment (staff)", staff, "/distribution/dashboard/", {"year": year}),
    ]  # fmt: skip
    shared_seconds = settings.CAMPAIGN_PROGRESS_CACHE_SECONDS
    for figures in ("shared", "cold") if args.figures == "both" else (args.figures,):
        # 0 makes every request compute the figures (see distribution.selectors.campaign_progress_shared).
        settings.CAMPAIGN_PROGRESS_CACHE_SECONDS = 0 if figures == "cold" else shared_seconds
        print(f"\nFigures {figures}: " + ("computed on every request" if figures == "cold" else "shared per scope"))
        rows = [
            region_figures.measure(label, lambda c=client, u=url, q=query: c.get(u, q), bare=bare, runs=args.runs)
            for label, client, url, query in pages
        ]
        region_figures.print_table(rows)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
