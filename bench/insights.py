"""Fleet intelligence at region scale: each selector alone, and each page and API answer, against
a bare one-query view.

    .venv/bin/python bench/insights.py                                   # SQLite, 100,000 tickets
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/insights.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/insights.py --tickets 1000000
    .venv/bin/python bench/insights.py --reuse postgres://postgres@127.0.0.1:5432/COPY_OF_A_REGION

Builds the region of bench/region_data.py (370 establishments, 61,000 laptops, `--tickets`
tickets over three school years) in a throwaway database, adds a third of the laptops on an older
master image and spreads their delivery dates over four summers (so that drift and batches have
something to find), then times: the selectors called directly (pool plan of the region, one
establishment's pool, batch analysis, drift), and the pages and JSON answers through the test
client, each request right after a bare request (bench/bare.py). Read the ratios and medians.

`--reuse DATABASE_URL` measures a region built earlier (`bench/region_figures.py --keep`; measure
a copy, `createdb -T`, as this one migrates it and spreads its fleet): it is migrated (the insights
migration derives the weekly counts from its tickets: the time is printed), found, and spread
unless an earlier run did it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import throwaway  # noqa: E402  (bench/throwaway.py)

warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--reuse", metavar="DATABASE_URL", help="measure a region built earlier (a copy: it is changed)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database built (for --reuse)")
    args = parser.parse_args()
    with throwaway.bench_database("insights", given=args.reuse, keep=args.keep) as (backend, _tmp):
        return run(args, backend=backend)


def _spread_fleet() -> bool:
    """Older images on a third of the laptops, deliveries over four summers (bench set-up only);
    False when an earlier run on this database did it."""
    import datetime as dt

    from django.db import connection

    from devices.models import Device, MasterImage

    if MasterImage.objects.filter(version__endswith="-old").exists():
        return False
    for current in MasterImage.objects.filter(is_current=True):
        old = MasterImage.objects.create(
            name=current.name, version=f"{current.version}-old", academie=current.academie,
            released_on=current.released_on - dt.timedelta(days=365), program_count=current.program_count,
        )  # fmt: skip
        ids = list(Device.objects.filter(image=current).order_by("id").values_list("id", flat=True))[::3]
        for start in range(0, len(ids), 5000):
            Device.objects.filter(id__in=ids[start : start + 5000]).update(image=old)
    ids = list(Device.objects.order_by("id").values_list("id", flat=True))
    for position, year in enumerate((2023, 2024, 2025, 2026)):
        chosen = ids[position::4]
        for start in range(0, len(chosen), 5000):
            Device.objects.filter(id__in=chosen[start : start + 5000]).update(delivered_on=dt.date(year, 8, 20))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE devices_device")
            cursor.execute("ANALYZE insights_failureweek")
            cursor.execute("ANALYZE insights_batchweek")
            cursor.execute("ANALYZE insights_turnaroundweek")
    return True


def run(args, *, backend: str) -> int:
    import django

    django.setup()
    import region_data
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from region_figures import measure, print_table

    settings.ROOT_URLCONF = "bare"
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(
        f"Fleet intelligence on {backend}, {connection.vendor}, {os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.1f}"
    )
    print(f"  migrate {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    region = region_data.find() if args.reuse else region_data.build(tickets=args.tickets)
    print(
        f"  {region.tickets:,} tickets, {'found' if args.reuse else 'built'} in {time.perf_counter() - started:.0f} s"
    )
    started = time.perf_counter()
    if _spread_fleet():
        print(f"  fleet spread over four summers and two images in {time.perf_counter() - started:.0f} s")
    from insights.models import BatchWeek, FailureWeek, TurnaroundWeek

    kept = [model.objects.count() for model in (FailureWeek, BatchWeek, TurnaroundWeek)]
    print("  weekly counts: {:,} failure rows, {:,} batch rows, {:,} turnaround rows".format(*kept))

    from django.test import Client

    from insights.batches import batch_analysis
    from insights.drift import drift_by_establishment
    from insights.pools import pool_plan

    manager, staff, bare_client = Client(), Client(), Client()
    manager.force_login(region.manager)
    staff.force_login(region.staff)

    def bare():
        return bare_client.get("/bench/bare/")

    class Done:
        status_code = 200

    def call(function):
        def request():
            function()
            return Done()

        return request

    establishment = region.staff.profile.establishment
    rows = [
        measure("selector: pool plan, whole region", call(lambda: pool_plan()), bare=bare, runs=args.runs),
        measure(
            "selector: one establishment's pool",
            call(lambda: pool_plan(establishment=establishment)),
            bare=bare,
            runs=args.runs,
        ),
        measure("selector: batch analysis", call(lambda: batch_analysis()), bare=bare, runs=args.runs),
        measure(
            "selector: drift by establishment",
            call(lambda: drift_by_establishment(user=region.manager)),
            bare=bare,
            runs=args.runs,
        ),
    ]
    for label, client, url in [
        ("page: spare pools (manager)", manager, "/insights/pools/"),
        ("page: failing batches", manager, "/insights/batches/"),
        ("page: image drift", manager, "/insights/drift/"),
        ("page: staff establishment (with its pool)", staff, "/establishment/"),
        ("API: pools", manager, "/api/v1/insights/pools/"),
        ("API: batches", manager, "/api/v1/insights/batches/"),
        ("API: drift", manager, "/api/v1/insights/drift/"),
    ]:
        rows.append(measure(label, lambda c=client, u=url: c.get(u), bare=bare, runs=args.runs))
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
