"""The access log's cost: the ticket page, its API detail and the queue with and without it.

    .venv/bin/python bench/access_log.py                        # SQLite, 20,000 tickets
    .venv/bin/python bench/access_log.py --tickets 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/access_log.py

Builds the region (bench/region_data.py) in a throwaway database, then requests each page through
the test client as a zone technician, each request right after a bare one-query JSON view
(bench/bare.py), and prints medians, 95th percentiles, query counts and ratios to the bare view.
The log's receiver is disconnected for the "without" rows. A read is logged with one
INSERT … ON CONFLICT DO NOTHING: the "first read" rows open a different ticket each time (every
read inserts a row), the "read again" rows the same tickets within the hour (every read hits the
unique key and writes nothing). The queue is a list and is not logged: its two rows show that.
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

# The site serves its static files from the collected directory, which a bench run does not build.
warnings.filterwarnings("ignore", message="No directory at")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=60, help="timed requests per figure")
    args = parser.parse_args()
    with throwaway.bench_database("access-log", DJANGO_LOG_LEVEL="WARNING") as (backend, _tmp):
        return run(args, backend=backend)


def run(args, *, backend: str) -> int:
    import django

    django.setup()
    import region_data
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from region_figures import _stats

    from privacy.models import AccessLog
    from privacy.receivers import connect
    from repairs.models import Ticket
    from repairs.signals import file_read

    settings.ROOT_URLCONF = "bare"  # the site plus /bench/bare/
    call_command("migrate", verbosity=0)
    print(f"Access log on {backend}, {connection.vendor}, {os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.1f}")
    started = time.perf_counter()
    region = region_data.build(tickets=args.tickets)
    print(f"  {region.tickets:,} tickets built in {time.perf_counter() - started:.0f} s")
    tech, bare_client = Client(), Client()
    tech.force_login(region.technician)
    zone = region.technician.profile.zone
    runs = args.runs
    tickets = list(
        Ticket.objects.filter(establishment__zone=zone)
        .order_by("pk")
        .values_list("reference", flat=True)[: 3 * runs + 1]
    )
    if len(tickets) < 3 * runs + 1:
        raise SystemExit(f"the technician's zone has {len(tickets)} tickets: ask fewer --runs")

    def timed(url: str, *, log: bool) -> float:
        (connect if log else lambda: file_read.disconnect(dispatch_uid="privacy-access-log"))()
        started = time.perf_counter()
        response = tech.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        return elapsed

    def bare() -> float:
        started = time.perf_counter()
        bare_client.get("/bench/bare/")
        return time.perf_counter() - started

    # Paired: each round times the bare view and every variant one after the other, on the same
    # machine's minute, so that the ratios compare like with like.
    samples: dict[str, list[float]] = {}
    page, api = "/tickets/{}/", "/api/v1/tickets/{}/"
    for warm_up in tickets[:3]:
        timed(page.format(warm_up), log=False)
        timed("/tickets/", log=False)
    for i in range(runs):
        without, first = tickets[runs + i], tickets[2 * runs + i]
        for label, url, log in (
            ("bare", None, False),
            ("ticket page, without the log", page.format(without), False),
            ("ticket page, first read (a row written)", page.format(first), True),
            ("ticket page, read again in the hour (cache)", page.format(first), True),
            ("ticket API detail, without the log", api.format(without), False),
            ("ticket API detail, first read (a row written)", api.format(tickets[i]), True),
            ("queue, without the log", "/tickets/", False),
            ("queue, with the log", "/tickets/", True),
        ):
            samples.setdefault(label, []).append(bare() if url is None else timed(url, log=log))
    bare_median, _ = _stats(samples.pop("bare"))
    queries, unread = {}, tickets[-1]  # one ticket, so that the counts differ by the log alone
    for label, url, log in (
        ("ticket page, without the log", page.format(unread), False),
        ("ticket page, first read (a row written)", page.format(unread), True),
        ("ticket page, read again in the hour (cache)", page.format(unread), True),
        ("queue, with the log", "/tickets/", True),
    ):
        with CaptureQueriesContext(connection) as captured:
            timed(url, log=log)
        queries[label] = len(captured)
    print()
    print("| request | median | p95 | ratio to bare view | queries |")
    print("|---|---:|---:|---:|---:|")
    medians = {}
    for label, times in samples.items():
        median, p95 = _stats(times)
        medians[label] = median
        print(
            f"| {label} | {median * 1000:.1f} ms | {p95 * 1000:.1f} ms | {median / bare_median:.1f}× "
            f"| {queries.get(label, '')} |"
        )
    print(f"| bare one-query JSON view | {bare_median * 1000:.2f} ms | | 1× | 1 |")
    print()
    for without, with_log in (
        ("ticket page, without the log", "ticket page, first read (a row written)"),
        ("ticket page, without the log", "ticket page, read again in the hour (cache)"),
        ("ticket API detail, without the log", "ticket API detail, first read (a row written)"),
        ("queue, without the log", "queue, with the log"),
    ):
        print(f"  {with_log}: {medians[with_log] / medians[without] - 1:+.1%} against {without}")
    print(f"  access-log rows written: {AccessLog.objects.count():,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
