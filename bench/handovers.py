"""September at region scale: hand-overs recorded through the API by many desks at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/handovers.py
        [--count 61000] [--clients 16] [--rate 0] [--web-workers 4] [--baseline-seconds 15] [--explain]

On a throwaway PostgreSQL database (next to DATABASE_URL's, dropped at the end) it builds the
region's fleet (bench/region_fleet.py: 370 establishments, 61,000 laptops and their students), then turns
it into a first day of term: last year's loans are returned, every laptop without an open repair
is back in stock (one in ten on last year's master image), and students without a laptop are
added where an establishment has more laptops than students. Each establishment's member of staff
gets an API token. gunicorn (--web-workers sync workers) serves the site plus the bare one-query
view (bench/bare.py).

First the bare view is requested by --clients threads for --baseline-seconds; then the same
number of threads, each one desk serving its own establishments, POST --count hand-overs to
/api/v1/distribution/handovers/ (charter signed; `reimage: true`, which re-images the laptops on
last year's image). Closed loop by default (each desk posts its next hand-over as soon as the
last one is answered: the saturation measurement, where a hand-over's time is mostly its wait
for a worker); with --rate R the desks together start R hand-overs a second, each on its own
jittered schedule, and a hand-over's time runs from its scheduled start (open loop: a desk kept
waiting by a slow answer counts the wait). It prints hand-overs per second, the median, p95 and
p99 of a hand-over and their ratio to the bare view's, the rate and p95 of each tenth of the run
(a cost growing with the tables shows there), every answer that was not 201 (an error), and then
checks the database: one open assignment per hand-over, no laptop and no student with two, every
laptop handed over `assigned`, one history row each. --explain also runs every statement of one
hand-over under EXPLAIN (ANALYZE, BUFFERS) before and after the run, side by side. The machine is
shared: read the ratios.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import throwaway  # noqa: E402  (bench/throwaway.py)
from throughput import Server  # noqa: E402  (bench/throughput.py: gunicorn serving bare:make_application())

warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
URL = "/api/v1/distribution/handovers/"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=61_000, help="hand-overs to record (default: the region's 61,000)")
    parser.add_argument("--clients", type=int, default=16, help="desks posting at once")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--baseline-seconds", type=float, default=15)
    parser.add_argument("--solo", type=int, default=300, help="hand-overs by one desk alone first (no queueing)")
    parser.add_argument(
        "--max-seconds", type=float, default=0, help="stop posting after this long and report what was done (0: never)"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="paced (open loop): the clients together start this many hand-overs a second, each on its own "
        "jittered schedule, latency counted from the scheduled start (0: closed loop, each client posts the "
        "next one as soon as the last answered — the saturation measurement)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="EXPLAIN (ANALYZE, BUFFERS) every statement of one hand-over before and after the run",
    )
    args = parser.parse_args()
    original = os.environ.get("DATABASE_URL", "")
    if not original.startswith(("postgres://", "postgresql://")):
        print("bench/handovers.py needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    url, admin_url, name = throwaway.postgres_create(original, prefix="wt_handover_bench")
    with tempfile.TemporaryDirectory(prefix="bench-handovers-") as tmp:
        os.environ.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_DEBUG="false",
            MEDIA_ROOT=f"{tmp}/media",
            # Sixteen desks of one bench share a few staff tokens' worth of traffic per second.
            API_THROTTLE_USER="100000/min",
        )
        try:
            return run(args, backend=f"PostgreSQL (throwaway database {name})", log=Path(tmp) / "gunicorn.log")
        finally:
            from django.db import connections

            connections.close_all()
            throwaway.postgres_drop(admin_url, name)


def run(args, *, backend: str, log: Path) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from region_fleet import fleet_build

    settings.ROOT_URLCONF = "bare"
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Hand-overs on {backend}, {os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.1f}")
    # The region's fleet and people (bench/region_fleet.py); no repair tickets: the bulk ticket
    # writer of bench/region_data.py currently gives every ticket the same status-link token.
    with transaction.atomic():
        fleet_build(random.Random(2026))
    desks = first_day_of_term(count=args.count)
    planned = sum(len(pairs) for _token, pairs in desks)
    with connection.cursor() as cursor:  # autocommit: what autovacuum would have done by the first day
        cursor.execute("VACUUM ANALYZE")
    print(f"  region built and ready for {planned:,} hand-overs in {time.perf_counter() - started:.0f} s")
    queries = queries_per_handover(desks)
    print(f"  one hand-over through the API: {queries} queries")

    # Two pairs kept off the plans: one hand-over's statements explained on the empty campaign and
    # again on the full one, each time in a transaction rolled back.
    probe_token, probes = desks[-1][0], [desks[-1][1].pop() for _ in range(2)] if args.explain else []
    before = explain_handover(probe_token, probes[0]) if args.explain else []

    server = Server(log=log, workers=args.web_workers)
    try:
        solo_desks, desks = split_solo(desks, args.solo)
        solo_bare = baseline(server.port, clients=1, seconds=min(args.baseline_seconds, 5))
        solo = hand_overs(server.port, solo_desks, clients=1, max_seconds=0)
        report("one desk alone", clients=1, bare=solo_bare, result=solo)
        bare = baseline(server.port, clients=args.clients, seconds=args.baseline_seconds)
        result = hand_overs(server.port, desks, clients=args.clients, max_seconds=args.max_seconds, rate=args.rate)
        mode = f"paced at {args.rate:g}/s" if args.rate else "closed loop, no pause"
        report(f"{args.clients} desks at once ({mode})", clients=args.clients, bare=bare, result=result)
    finally:
        server.stop()
    print(f"  load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.explain:
        after = explain_handover(probe_token, probes[1])
        explain_report(before, after, done=len(result["times"]) + len(solo["times"]) + 1)
    for key in ("times", "errors", "created"):
        result[key] += solo[key]
    result["statuses"].update(solo["statuses"])
    errors = check(result)
    if result["errors"] or errors:
        print("\n".join(f"  log: {line}" for line in log.read_text().splitlines()[-20:]))
    return 1 if result["errors"] or errors else 0


def first_day_of_term(*, count: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """Make the region a first day of term; returns, per establishment, its staff member's token
    and the (student login, laptop serial) pairs its desk will hand over, `count` in all."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from devices.models import Assignment, Device, Establishment, MasterImage, Profile, Role
    from repairs.models import Ticket
    from repairs.states import OPEN_STATES

    User = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        blocked = set(Ticket.objects.filter(state__in=OPEN_STATES).values_list("device_id", flat=True))
        # Last year's loans end in June; this bench's writes are set-up, not the product's.
        Assignment.objects.filter(returned_at__isnull=True).update(returned_at=now - dt.timedelta(days=60))
        free = Device.objects.filter(establishment__isnull=False).exclude(pk__in=blocked)
        free.update(status=Device.Status.IN_STOCK)
        for image in MasterImage.objects.filter(is_current=True):
            old = MasterImage.objects.create(
                name=image.name, version="2025.2", academie=image.academie, released_on=dt.date(2025, 8, 20)
            )
            ids = list(free.filter(establishment__academie=image.academie).values_list("pk", flat=True)[::10])
            Device.objects.filter(pk__in=ids).update(image=old)
        laptops: dict[int, list[str]] = defaultdict(list)
        for pk, serial in free.order_by("pk").values_list("establishment_id", "serial_number"):
            laptops[pk].append(serial)
        establishments = list(Establishment.objects.order_by("pk").values_list("pk", flat=True))
        # More laptops than the region has: the extra ones arrive in stock, spread over the schools.
        model_id, extra = Device.objects.values_list("model_id", flat=True).first(), []
        total = sum(len(v) for v in laptops.values())
        for n in range(max(0, count - total)):
            establishment = establishments[n % len(establishments)]
            extra.append(
                Device(
                    serial_number=f"PN{n:08d}",
                    asset_tag=f"RN-{n:06d}",
                    model_id=model_id,
                    establishment_id=establishment,
                    status=Device.Status.IN_STOCK,
                    image=MasterImage.objects.get(is_current=True, academie=academie_of(establishment)),
                    delivered_on=dt.date(2026, 8, 24),
                )
            )
        for device in Device.objects.bulk_create(extra, batch_size=5000):
            laptops[device.establishment_id].append(device.serial_number)
        students: dict[int, list[str]] = defaultdict(list)
        for establishment, username in Profile.objects.filter(role=Role.STUDENT).values_list(
            "establishment_id", "user__username"
        ):
            students[establishment].append(username)
        # Students without a laptop yet, where a school has more laptops than students.
        password, new_users, new_profiles = make_password("bench"), [], []
        for establishment, serials in laptops.items():
            for n in range(len(students[establishment]), len(serials)):
                username = f"nouveau{establishment:03d}-{n:04d}"
                new_users.append(
                    User(username=username, first_name="Nouvel", last_name=f"Élève {n}", password=password)
                )
                new_profiles.append((username, establishment))
                students[establishment].append(username)
        created = {u.username: u for u in User.objects.bulk_create(new_users, batch_size=5000)}
        Profile.objects.bulk_create(
            [Profile(user=created[u], role=Role.STUDENT, establishment_id=e) for u, e in new_profiles], batch_size=5000
        )
        staff = dict(Profile.objects.filter(role=Role.STAFF).values_list("establishment_id", "user_id"))
        Token.objects.bulk_create([Token(user_id=user_id, key=Token.generate_key()) for user_id in staff.values()])
        tokens = dict(Token.objects.values_list("user_id", "key"))
    # Round-robin over the schools, so that every desk is busy, until `count` pairs are planned.
    queues = {e: list(zip(students[e], laptops[e], strict=False)) for e in establishments}
    plan: dict[int, list[tuple[str, str]]] = defaultdict(list)
    planned, index = 0, 0
    while planned < count and any(queues.values()):
        establishment = establishments[index % len(establishments)]
        index += 1
        if queues[establishment]:
            plan[establishment].append(queues[establishment].pop())
            planned += 1
    return [(tokens[staff[e]], plan[e]) for e in establishments if plan[e]]


_ACADEMIES: dict[int, str] = {}


def academie_of(establishment_id: int) -> str:
    from devices.models import Establishment

    if not _ACADEMIES:
        _ACADEMIES.update(Establishment.objects.values_list("pk", "academie"))
    return _ACADEMIES[establishment_id]


def queries_per_handover(desks) -> int:
    """The queries of one hand-over through the API (taken off the first desk's plan)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    token, pairs = desks[0]
    student, serial = pairs.pop()
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, body(student, serial), format="json")
    if response.status_code != 201:
        raise RuntimeError(f"the first hand-over answered {response.status_code}: {response.content[:300]!r}")
    if os.environ.get("BENCH_SHOW_QUERIES"):
        for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:6]:
            print(f"    {query['time']} s  {query['sql'][:300]}")
    return len(captured)


def body(student: str, serial: str) -> dict:
    return {"student": student, "device": serial, "channel": "desk", "charter_signed": True, "reimage": True}


def request(port: int, method: str, path: str, *, token: str = "", payload: dict | None = None):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if payload is not None:
        data, headers["Content-Type"] = json.dumps(payload).encode(), "application/json"
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    return response.status, raw, time.perf_counter() - started


def baseline(port: int, *, clients: int, seconds: float) -> list[float]:
    times, lock, until = [], threading.Lock(), time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < until:
            status, _raw, elapsed = request(port, "GET", "/bench/bare/")
            if status == 200:
                with lock:
                    times.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def split_solo(desks, count: int):
    """`count` pairs taken off the desks' plans, for one desk alone; and what remains."""
    solo = []
    for token, pairs in desks:
        if count <= 0:
            break
        taken, pairs[:] = pairs[:count], pairs[count:]
        solo.append((token, taken))
        count -= len(taken)
    return solo, [(token, pairs) for token, pairs in desks if pairs]


def hand_overs(port: int, desks, *, clients: int, max_seconds: float, rate: float = 0) -> dict:
    """Each client is a desk serving its share of the establishments. Closed loop (`rate` 0): one
    hand-over after another, no pause. Paced (`rate` R): the clients together start R a second,
    each on its own schedule (a mean gap of clients/R seconds, jittered ±50 %) that does not wait
    for the answers; a hand-over's time runs from its scheduled start, so a request that had to
    wait for its client's previous one counts that wait too."""
    shares = [desks[i::clients] for i in range(clients)]
    times, done_at, errors, statuses, lock = [], [], [], Counter(), threading.Lock()
    created: list[tuple[str, str]] = []
    started = time.monotonic()
    deadline = started + max_seconds if max_seconds else None
    gap = clients / rate if rate else 0.0

    def client(number: int, share) -> None:
        pending = [(token, pair) for token, pairs in share for pair in pairs]
        # Interleave the schools of this desk: the order a region's morning has.
        random.Random(len(pending)).shuffle(pending)
        jitter = random.Random(number)
        scheduled = started + jitter.uniform(0, gap)
        for token, (student, serial) in pending:
            now = time.monotonic()
            if deadline and now > deadline:
                return
            if gap:
                if scheduled > now:
                    time.sleep(scheduled - now)
                began, scheduled = scheduled, scheduled + gap * jitter.uniform(0.5, 1.5)
            else:
                began = now
            try:
                status, raw, _elapsed = request(port, "POST", URL, token=token, payload=body(student, serial))
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(f"{student} {serial}: {exc.__class__.__name__}")
                continue
            finished = time.monotonic()
            with lock:
                statuses[status] += 1
                if status == 201:
                    times.append(finished - began)
                    done_at.append(finished - started)
                    created.append((student, serial))
                else:
                    errors.append(f"{student} {serial}: {status} {raw[:160]!r}")

    threads = [threading.Thread(target=client, args=(n, share)) for n, share in enumerate(shares)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "seconds": time.monotonic() - started,
        "times": times,
        "done_at": done_at,
        "errors": errors,
        "statuses": statuses,
        "created": created,
    }


def stats(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    if len(ordered) < 2:
        return (ordered[0],) * 3 if ordered else (float("nan"),) * 3
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return statistics.median(ordered), cuts[94], cuts[98]


def tenths(result: dict) -> list[tuple[float, float]]:
    """(hand-overs per second, p95) of each tenth of the run, in order of answer: a cost that grows
    with the tables shows as a falling rate (closed loop) or a rising p95 (paced)."""
    pairs = sorted(zip(result["done_at"], result["times"], strict=True))
    if len(pairs) < 20:
        return []
    out, previous = [], 0.0
    for n in range(10):
        part = pairs[len(pairs) * n // 10 : len(pairs) * (n + 1) // 10]
        end = part[-1][0]
        out.append((len(part) / max(end - previous, 1e-9), stats([t for _at, t in part])[1]))
        previous = end
    return out


def report(title: str, *, clients: int, bare: list[float], result: dict) -> None:
    b50, b95, _b99 = stats(bare)
    h50, h95, h99 = stats(result["times"])
    done, seconds = len(result["times"]), result["seconds"]
    print(f"  {title}:")
    print(
        f"  bare view: {len(bare):,} requests by {clients} clients, median {b50 * 1000:.1f} ms, p95 {b95 * 1000:.1f} ms"
    )
    print(
        f"  hand-overs: {done:,} recorded in {seconds:.0f} s by {clients} clients ({done / seconds:.0f}/s), "
        f"{len(result['errors'])} errors, answers {dict(result['statuses'])}"
    )
    print(
        f"  hand-over median {h50 * 1000:.1f} ms ({h50 / b50:.1f}× bare), "
        f"p95 {h95 * 1000:.1f} ms ({h95 / b95:.1f}× bare), "
        f"p99 {h99 * 1000:.1f} ms; target p95 ≤ 50 ms: {'met' if h95 <= 0.050 else 'not met'}"
    )
    parts = tenths(result)
    if parts:
        print("  by tenth of the run: " + ", ".join(f"{rate:.0f}/s p95 {p95 * 1000:.0f} ms" for rate, p95 in parts))
        last = sorted(zip(result["done_at"], result["times"], strict=True))[done * 9 // 10 :]
        print(f"  last tenth: p95 {stats([t for _at, t in last])[1] * 1000:.1f} ms")
    for line in result["errors"][:10]:
        print(f"    {line}")


def plan_outline(node: dict) -> str:
    """A plan in one line: its nodes, their index, the rows they read and threw away."""
    name = node["Node Type"]
    if node.get("Index Name"):
        name += f" using {node['Index Name']}"
    elif node.get("Relation Name"):
        name += f" on {node['Relation Name']}"
    name += f" ({node.get('Actual Rows', 0)} rows"
    if node.get("Rows Removed by Filter"):
        name += f", {node['Rows Removed by Filter']} filtered out"
    name += ")"
    children = [plan_outline(child) for child in node.get("Plans", [])]
    return name + (" ← " + " + ".join(children) if children else "")


def explain_handover(token: str, pair: tuple[str, str]) -> list[tuple[str, float, int, str]]:
    """Every statement of one hand-over through the API, each then run again under EXPLAIN
    (ANALYZE, BUFFERS) in order, all in a transaction rolled back: (statement, ms, shared buffers)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        response = client.post(URL, body(*pair), format="json")
        transaction.set_rollback(True)
    if response.status_code != 201:
        raise RuntimeError(f"the explained hand-over answered {response.status_code}: {response.content[:300]!r}")
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    rows = []
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
            (plan,) = cursor.fetchone()[0]
            node = plan["Plan"]
            buffers = node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
            rows.append((sql, plan["Execution Time"], buffers, plan_outline(node)))
        transaction.set_rollback(True)
    return rows


def explain_report(before, after, *, done: int) -> None:
    """Each statement's cost on the empty campaign and on the full one, side by side (matched by
    their text without numbers: one of the two laptops may have needed a re-image, the other not)."""

    def shape(sql: str) -> str:
        return re.sub(r"\d+", "N", " ".join(sql.split()))[:90]

    later = {shape(row[0]): row for row in after}
    print(f"  EXPLAIN (ANALYZE, BUFFERS) of one hand-over's statements, at 0 and at {done:,} hand-overs:")
    print("     buffers        ms        statement")
    for n, (sql, ms0, b0, _plan) in enumerate(before, 1):
        _sql, ms1, b1, plan = later.get(shape(sql), (sql, float("nan"), 0, ""))
        print(f"  {n:2d} {b0:4d} → {b1:<5d} {ms0:5.2f} → {ms1:<6.2f} {' '.join(sql.split())[:110]}")
        if b1 > 2 * b0 + 20 or b1 > 200:  # grows with the tables, or costly anyway: how it is read
            print(f"           plan: {plan}")
    print(
        f"     {sum(row[2] for row in before):4d} → {sum(row[2] for row in after):<5d} "
        f"{sum(row[1] for row in before):5.2f} → {sum(row[1] for row in after):<6.2f} in all"
        f" ({len(before)} and {len(after)} statements)"
    )


def check(result: dict) -> list[str]:
    """What the database says after the run: each 201 is one open assignment, nobody twice."""
    from django.db import connection
    from django.db.models import Count

    from devices.models import Assignment, Device
    from distribution.models import HandoverEvent

    connection.close()
    problems = []
    open_ = Assignment.objects.filter(returned_at__isnull=True)
    double_devices = open_.values("device_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    double_students = open_.values("student_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    serials = [serial for _student, serial in result["created"]]
    recorded = open_.filter(device__serial_number__in=serials).count()
    assigned = Device.objects.filter(serial_number__in=serials, status=Device.Status.ASSIGNED).count()
    events = HandoverEvent.objects.filter(kind="handed_over").count()
    expected = len(serials) + 1  # and the one measured for its queries
    if double_devices or double_students:
        problems.append(f"double assignments: {double_devices} laptops, {double_students} students")
    if recorded != len(serials) or assigned != len(serials) or events != expected:
        problems.append(f"{len(serials)} answered 201, {recorded} open assignments, {assigned} assigned, {events} rows")
    print(
        f"  check: {recorded:,} open assignments for {len(serials):,} answers 201, {assigned:,} laptops assigned, "
        f"{events:,} history rows; laptops held twice: {double_devices}, students equipped twice: {double_students}"
        + (" — PROBLEMS: " + "; ".join(problems) if problems else " — consistent")
    )
    return problems


if __name__ == "__main__":
    raise SystemExit(main())
