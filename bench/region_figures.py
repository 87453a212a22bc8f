"""Every figure of the queue, search and report table at region scale, against a bare view.

    .venv/bin/python bench/region_figures.py                              # SQLite, 100,000 tickets
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/region_figures.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/region_figures.py --tickets 1000000

Builds the region (bench/region_data.py: 370 establishments, 61,000 laptops, about 36 % of the
tickets open, timelines of 4 to 12 rows) in a throwaway database — a temporary SQLite file, or
a new database next to the one of DATABASE_URL, dropped at the end — then requests each page
through the test client (the whole request: middleware, session, queries, template) and prints
its median, its 95th percentile, its number of queries and its ratio to a bare one-query JSON
view (bench/bare.py) timed request for request in the same run. The machine is shared: read the
ratios and medians, not single requests. Then the requests per second of the queue and of the
bare view under gunicorn (2 sync workers), if gunicorn is installed.

Building takes minutes (a million tickets on PostgreSQL: 4 to 7, with the triggers off and what
they keep derived afterwards, bench/region_derive.py; about 97 through them): `--keep` keeps the PostgreSQL
database and `--sqlite PATH` builds into a SQLite file that is kept, both for `--reuse URL`;
`--only report,declaration` measures only the figures whose label has one of those words (an A/B
of two checkouts on the same data).

Declarations write their notifications (the outbox rows) but do not deliver them: the wake-up
of the worker after commit is left out, as a broker would take it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import throwaway  # noqa: E402  (bench/throwaway.py)

# The site serves its static files from the collected directory, which a bench run does not build.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")

SCHOOL_YEAR = {"from": "2025-09-01", "to": "2026-08-31"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per figure (reports: a third)")
    parser.add_argument("--seconds", type=float, default=10, help="seconds of load per URL under gunicorn")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database and print its URL")
    parser.add_argument("--reuse", metavar="DATABASE_URL", help="measure a database built by an earlier --keep run")
    parser.add_argument("--only", metavar="WORDS", help="only the figures whose label has one of these words (a,b)")
    parser.add_argument("--sqlite", metavar="PATH", help="build into this SQLite file and keep it (for --reuse)")
    args = parser.parse_args()
    if args.sqlite and Path(args.sqlite).exists():
        parser.error(f"{args.sqlite} exists: measure it with --reuse sqlite:///{Path(args.sqlite).resolve()}")
    with throwaway.bench_database("region", given=args.reuse, sqlite_path=args.sqlite, keep=args.keep) as (
        backend,
        _tmp,
    ):
        return run(args, backend=backend, build=not args.reuse)


def run(args, *, backend: str, build: bool) -> int:
    import django

    django.setup()
    import region_data
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ROOT_URLCONF = "bare"  # the site plus /bench/bare/
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Region figures on {backend}, {connection.vendor}, {os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.1f}")
    print(f"  migrate {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    region = region_data.build(tickets=args.tickets) if build else region_data.find()
    what = "built" if build else "found"
    print(
        f"  {region.tickets:,} tickets ({region.open_tickets / region.tickets:.0%} open), "
        f"{region.timeline_rows:,} timeline rows, {what} in {time.perf_counter() - started:.0f} s"
    )
    if region.steps:
        print(
            "  " + ", ".join(f"{k} {v:.1f} s" if isinstance(v, float) else f"{k} {v}" for k, v in region.steps.items())
        )
    only = [word.strip().lower() for word in (args.only or "").split(",") if word.strip()]
    rows = figures(region, runs=args.runs, only=only)
    print_table(rows)
    if args.seconds:
        gunicorn_figures(region, seconds=args.seconds, log=Path(os.environ["MEDIA_ROOT"]).parent / "gunicorn.log")
    return 0


def _stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[18] if len(ordered) > 1 else ordered[0]
    return statistics.median(ordered), p95


def measure(label: str, request, *, bare, runs: int) -> dict:
    """Time `request` `runs` times, each right after a bare request, and count its queries once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        request()
    times, bares = [], []
    for _ in range(runs):
        started = time.perf_counter()
        bare()
        bares.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = request()
        times.append(time.perf_counter() - started)
        if response.status_code not in (200, 302) or getattr(response, "bench_failed", False):
            raise RuntimeError(f"{label}: HTTP {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        request()
    median, p95 = _stats(times)
    bare_median, _ = _stats(bares)
    return {
        "label": label,
        "median": median,
        "p95": p95,
        "bare": bare_median,
        "ratio": median / bare_median,
        "queries": len(queries),
    }


def figures(region, *, runs: int, only: list[str] | None = None) -> list[dict]:
    from django.test import Client

    from repairs.models import Ticket
    from repairs.states import OPEN_STATES

    clients = {}
    for name in ("manager", "technician", "home_student"):
        clients[name] = Client()
        clients[name].force_login(getattr(region, name))
    bare_client = Client()

    def bare():
        return bare_client.get("/bench/bare/")

    manager, technician = clients["manager"], clients["technician"]
    in_zone = Ticket.objects.filter(establishment__zone=region.technician.profile.zone, state__in=OPEN_STATES)
    reference = in_zone.order_by("pk").values_list("reference", flat=True)[0]
    open_states = "&".join(f"state={state}" for state in OPEN_STATES)
    # Page 2,000 of the whole list (50 a page, 25 in the API), or the last one of a smaller run.
    deep = min(2000, max(2, region.tickets // 50))
    deep_api = min(2000, max(2, region.tickets // 25))
    pages = [
        ("technician queue, page 1", technician, "/tickets/"),
        ("manager queue, page 1", manager, "/tickets/"),
        ("one state (diagnosing)", manager, "/tickets/?state=diagnosing"),
        ("search 'ecran' within open tickets", manager, f"/tickets/?search=ecran&{open_states}"),
        (
            "search a student's name within open tickets",
            manager,
            f"/tickets/?search={quote(region.name)}&{open_states}",
        ),
        # The deep pages' own list (every ticket by due date): "≤ 2× page 1" compares them with it.
        ("all tickets by due date, page 1", manager, "/tickets/?sort=due"),
        (f"deep page {deep:,} (page number)", manager, f"/tickets/?sort=due&page={deep}"),
        ("technician home", technician, "/"),
        ("manager home", manager, "/"),
        ("ticket page", technician, f"/tickets/{reference}/"),
        ("API list, page 1", manager, "/api/v1/tickets/"),
        (f"API list, page {deep_api:,} (page number)", manager, f"/api/v1/tickets/?page={deep_api}"),
    ]
    cursor_page = deep_cursor_url(page=deep)
    if cursor_page:
        pages.insert(7, (f"deep page {deep:,} (cursor)", manager, cursor_page))

    def wanted(label: str) -> bool:
        return not only or any(word in label.lower() for word in only)

    rows = [
        measure(label, lambda c=client, u=url: c.get(u), bare=bare, runs=runs)
        for label, client, url in pages
        if wanted(label)
    ]
    if wanted("region school-year report, HTML"):
        rows.append(
            measure(
                "region school-year report, HTML",
                lambda: manager.get("/reports/", SCHOOL_YEAR),
                bare=bare,
                runs=max(runs // 3, 5),
            )
        )
    if wanted("declaration POST (student)"):
        rows.append(measure("declaration POST (student)", declaration(region, count=runs + 3), bare=bare, runs=runs))
    if wanted("student home"):
        rows.append(measure("student home", lambda: clients["home_student"].get("/"), bare=bare, runs=runs))
    return rows


def deep_cursor_url(page: int = 2000, size: int = 50) -> str | None:
    """The URL of a deep page of the manager's list by due date as its "next" links reach it
    (the cursor of the row before it), if the queue has cursors."""
    try:
        from repairs import keyset
    except ImportError:
        return None
    from repairs.models import Ticket

    before = Ticket.objects.order_by(*keyset.DEFAULT_ORDER.fields)[(page - 1) * size - 1]
    return f"/tickets/?sort=due&page={page}&cursor={keyset.cursor_of(before, keyset.DEFAULT_ORDER)}"


def declaration(region, *, count: int):
    """A POST per student: each one declares a screen fault on the laptop they hold, once. The
    students are logged in beforehand, outside the timed requests."""
    from django.test import Client

    from notifications import publish

    # Delivery is the worker's: its wake-up after commit is dropped. (Replacing the task module's
    # function, as this did, came after the apps had installed it: the e-mail went out in-process,
    # and was timed with the declaration.)
    publish.publisher_set(lambda notification_id: True)
    ready = []
    for student, category in region.students[:count]:
        client = Client()
        client.force_login(student)
        ready.append((client, student.assignments.get(returned_at__isnull=True).device.serial_number, category))
    if len(ready) < count:
        raise RuntimeError(f"{len(ready)} students can declare a fault, {count} needed")
    queue = iter(ready)

    def post():
        client, serial, category = next(queue)
        response = client.post(
            "/declare/", {"device": serial, "category": category, "description": "Ça ne marche plus."}
        )
        response.bench_failed = response.status_code != 302
        return response

    return post


def print_table(rows: list[dict]) -> None:
    print()
    print("| request | median | p95 | ratio to bare view | queries |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['label']} | {row['median'] * 1000:.1f} ms | {row['p95'] * 1000:.1f} ms "
            f"| {row['ratio']:.1f}× | {row['queries']} |"
        )
    bare = statistics.median(row["bare"] for row in rows)
    print(f"| bare one-query JSON view (median of the runs above) | {bare * 1000:.2f} ms | | 1× | 1 |")


def gunicorn_figures(region, *, seconds: float, log: Path) -> None:
    from django.conf import settings
    from django.test import Client
    from throughput import Server

    try:
        server = Server(log=log)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"\ngunicorn: not measured ({exc})")
        return
    try:
        cookies = {}
        for name in ("technician", "manager"):
            client = Client()
            client.force_login(getattr(region, name))
            cookies[name] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        print(f"\nUnder gunicorn (2 sync workers, 4 client threads, {seconds:.0f} s per URL)")
        print("  CPU per request: the workers' (and the client threads', in this process, on the same cores)")
        bare = server.measure("/bench/bare/", cookie="", seconds=seconds)
        print(
            f"  bare view               {bare['rate']:8.1f} req/s  "
            f"CPU {bare['server_ms']:.2f} ms (client {bare['client_ms']:.2f} ms)"
        )
        for name in ("technician", "manager"):
            page = server.measure("/tickets/", cookie=cookies[name], seconds=seconds)
            extra = f", {page['failed']} failed requests: see {log}" if page["failed"] else ""
            print(
                f"  {name} queue, page 1 {page['rate']:8.1f} req/s  ({page['rate'] / bare['rate']:.0%} of the bare "
                f"view{extra})  CPU {page['server_ms']:.2f} ms (client {page['client_ms']:.2f} ms), "
                f"{bare['server_ms'] / page['server_ms']:.0%} of the bare view's rate at equal CPU"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
