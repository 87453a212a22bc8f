"""Time the technician queue, the ticket page and the API list on a large data set.

    .venv/bin/python bench/queue_pages.py                    # SQLite, 100,000 tickets
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/queue_pages.py --tickets 1000000

Builds the data set with bench/reports.py's bulk builder in a throwaway database, then requests
each page as a manager (the widest scope) and as a zone technician, and prints the median time of
five requests and the number of queries of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import reports as reports_bench  # bench/reports.py: the data set builder
import throwaway


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()
    original = os.environ.get("DATABASE_URL", "")
    if original.startswith("postgres"):
        url, admin_url, name = throwaway.postgres_create(original, prefix="repairs_bench_queue")
        os.environ["DATABASE_URL"] = url
        try:
            return run(tickets=args.tickets, backend="PostgreSQL")
        finally:
            from django.db import connections

            connections.close_all()
            throwaway.postgres_drop(admin_url, name)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        return run(tickets=args.tickets, backend="SQLite")


def run(*, tickets: int, backend: str) -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from devices.models import Profile, Role
    from repairs.models import Ticket

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    manager = reports_bench._build(tickets=tickets)
    print(f"Queue on {backend}: {Ticket.objects.count():,} tickets (built in {time.perf_counter() - started:.0f} s)")
    technician = get_user_model().objects.get(pk=Profile.objects.filter(role=Role.TECHNICIAN).values("user")[:1])
    in_zone = Ticket.objects.filter(establishment__zone=technician.profile.zone)
    reference = in_zone.values_list("reference", flat=True)[0]
    pages = [
        "/tickets/",
        "/tickets/?sla=breached",
        "/tickets/?state=returned&sort=-declared&page=40",
        "/tickets/?category=screen&priority=high&assigned_to=none",
        "/api/v1/tickets/?page=20",
        f"/tickets/{reference}/",
    ]
    print(f"  {'page':<58}{'manager':>16}{'technician':>16}")
    for url in pages:
        cells = []
        for user in (manager, technician):
            client = Client()
            client.force_login(user)
            status = client.get(url).status_code
            times = []
            for _ in range(5):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    client.get(url)
                    times.append(time.perf_counter() - started)
            figure = f"{statistics.median(times) * 1000:6.0f} ms {len(queries):2d} q"
            cells.append(figure if status == 200 else str(status))
        print(f"  {url:<58}{cells[0]:>16}{cells[1]:>16}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
