"""Time `seed_demo --scale region` (SPEC §1: 370 establishments, 61,000 laptops) in a throwaway database.

    .venv/bin/python bench/seed_demo.py [--scale small|region]

SQLite in a temporary directory by default. With DATABASE_URL pointing at PostgreSQL, a throwaway
database is created on that server (the one named in the URL is left alone) and dropped afterwards.
Prints the seconds of each phase and the row counts; a second run measures the idempotent re-run.
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

    print(f"seed_demo --scale {scale} on {backend}, {os.cpu_count()} CPU(s)")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrate            {time.perf_counter() - started:6.1f} s")

    timings = []
    for label in ("first run", "second run"):
        started = time.perf_counter()
        call_command("seed_demo", scale=scale, stdout=io.StringIO())
        timings.append(time.perf_counter() - started)
        print(f"  seed_demo {label:<9}{timings[-1]:6.1f} s")

    models = [get_user_model(), *apps.get_app_config("devices").get_models()]
    counts = {model._meta.label: model.objects.count() for model in models}
    total = sum(counts.values())
    print(f"  rows: {total:,} ({total / timings[0]:,.0f} rows/s on the first run)")
    for label, count in counts.items():
        print(f"    {label:<32}{count:>8,}")
    if scale == "region":
        establishments, devices = counts["devices.Establishment"], counts["devices.Device"]
        ok = establishments == 370 and devices == 61_000
        print(f"  SPEC §1: {establishments} establishments, {devices:,} devices: {'OK' if ok else 'MISMATCH'}")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
