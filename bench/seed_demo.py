"""Time `seed_demo --scale region` (370 establishments, 61,000 laptops) in a throwaway database.

    .venv/bin/python bench/seed_demo.py [--scale small|region]

SQLite in a temporary directory by default. With DATABASE_URL pointing at PostgreSQL, a throwaway
database is created on that server (the one named in the URL is left alone) and dropped afterwards.
Prints the seconds of each phase (fleet generated, fleet written, tickets drafted and written with their
SLA), the idempotent re-run, a bare INSERT of as many timeline rows as a baseline, and the row counts.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import throwaway  # noqa: E402  (bench/throwaway.py)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["small", "region"], default="region")
    args = parser.parse_args()

    original = os.environ.get("DATABASE_URL", "")
    throwaway_pg: tuple[str, str] | None = None  # (admin URL, database name) to drop at the end
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
        if original.startswith(("postgres://", "postgresql://", "pgsql://")):
            url, admin_url, name = throwaway.postgres_create(original, prefix="repairs_bench_seed")
            throwaway_pg = (admin_url, name)
            backend = f"PostgreSQL (throwaway database {name})"
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            backend = "SQLite (temporary file)"
        # Before django.setup(): the settings read DATABASE_URL once, at import.
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ.setdefault("DJANGO_ENV", "local")
        sys.path.insert(0, str(ROOT))
        try:
            return _run(scale=args.scale, backend=backend)
        finally:
            if throwaway_pg is not None:
                from django.db import connections

                connections.close_all()
                throwaway.postgres_drop(*throwaway_pg)


def _run(*, scale: str, backend: str) -> int:
    import django

    django.setup()
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from demo import seed
    from demo.fleet.generator import demo_data_generate
    from demo.fleet.writer import NoProgress, SeedContext
    from repairs.models import Ticket, TimelineEntry

    print(f"seed_demo --scale {scale} on {backend}, {os.cpu_count()} CPU(s)")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  {'migrate':<29}{time.perf_counter() - started:6.1f} s")

    # The first run, phase by phase (what demo.seed.demo_data_write does, timed).
    phases = {}
    with transaction.atomic():
        started = time.perf_counter()
        ctx = SeedContext(dataset=demo_data_generate(scale=scale), progress=NoProgress())
        phases["generate the fleet"] = time.perf_counter() - started
        started = time.perf_counter()
        for _name, step in seed.FLEET_STEPS:
            step(ctx)
        phases["write the fleet"] = time.perf_counter() - started
        started = time.perf_counter()
        seed.seed_demo_tickets(ctx)
        phases["tickets (draft, write, SLA)"] = time.perf_counter() - started
    for label, seconds in phases.items():
        print(f"  {label:<29}{seconds:6.1f} s")
    first = sum(phases.values())
    print(f"  seed_demo first run          {first:6.1f} s")
    started = time.perf_counter()
    call_command("seed_demo", scale=scale, stdout=io.StringIO())
    print(f"  seed_demo second run         {time.perf_counter() - started:6.1f} s (adds nothing)")

    # Baseline, same run: the bare bulk INSERT of as many timeline rows as the tickets have, rolled back.
    entries = list(TimelineEntry.objects.all()[:1]) * TimelineEntry.objects.count()
    with transaction.atomic():
        started = time.perf_counter()
        for entry in entries:
            entry.pk = None
        TimelineEntry.objects.bulk_create(entries, batch_size=2000)
        baseline = time.perf_counter() - started
        transaction.set_rollback(True)
    tickets_phase = phases["tickets (draft, write, SLA)"]
    print(
        f"  baseline: bare INSERT of {len(entries):,} timeline rows {baseline:.1f} s; "
        f"the tickets phase takes {tickets_phase / baseline:.1f}× that"
    )

    models = [get_user_model(), *apps.get_app_config("devices").get_models(), Ticket, TimelineEntry]
    counts = {model._meta.label: model.objects.count() for model in models}
    total = sum(counts.values())
    print(f"  rows: {total:,} ({total / first:,.0f} rows/s on the first run)")
    for label, count in counts.items():
        print(f"    {label:<32}{count:>8,}")
    swapped = Ticket.objects.filter(replacement__isnull=False).count()
    lent = Ticket.objects.filter(loaner__isnull=False)
    out = lent.filter(loaner_returned_at=None).count()
    print(f"  swaps: {swapped:,}; loaners: {lent.count():,} lent, {out:,} out now")
    if scale == "region":
        establishments, devices = counts["devices.Establishment"], counts["devices.Device"]
        ok = establishments == 370 and devices == 61_000
        print(f"  region size: {establishments} establishments, {devices:,} devices: {'OK' if ok else 'MISMATCH'}")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
