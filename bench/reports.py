"""Time the managers' reports on a large data set built in bulk, in a throwaway database.

    .venv/bin/python bench/reports.py                       # SQLite, 100,000 tickets
    .venv/bin/python bench/reports.py --tickets 20000       # a quicker run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py --tickets 1000000

The fleet is the region's (370 establishments in 13 départements, 61,000 laptops, 100
technicians); the tickets spread over the last `--years` school years (default 5, up to August
2026: about 20,000 a year at 100,000), with the stored SLA figures a real history leaves
(durations, due dates, breaches, outcomes, loaners), written with bulk inserts. `--years 1` puts
them all in 2025-2026: the worst case, every ticket in the report's scope.
Then each format is timed (the middle of three runs), the region-wide PDF of the school year is
rendered by département and by establishment (one page per section), and the SLA engine's bulk
recomputation and flag refresh are timed on the open tickets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import throwaway  # noqa: E402  (bench/throwaway.py)

YEAR_START, YEAR_END = dt.date(2025, 9, 1), dt.date(2026, 8, 31)  # the school year reported on


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=5, help="school years the tickets spread over")
    parser.add_argument("--skip-establishment-pdf", action="store_true", help="skip the 370-section PDF")
    args = parser.parse_args()
    original = os.environ.get("DATABASE_URL", "")
    to_drop = None
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        if original.startswith(("postgres://", "postgresql://", "pgsql://")):
            url, admin_url, name = throwaway.postgres_create(original, prefix="repairs_bench_reports")
            to_drop, backend = (admin_url, name), f"PostgreSQL (throwaway database {name})"
        else:
            url, backend = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "SQLite (temporary file)"
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ["MEDIA_ROOT"] = str(Path(tmp) / "media")
        sys.path.insert(0, str(ROOT))
        try:
            return _run(
                tickets=args.tickets,
                years=args.years,
                backend=backend,
                establishment_pdf=not args.skip_establishment_pdf,
            )
        finally:
            if to_drop:
                from django.db import connections

                connections.close_all()
                throwaway.postgres_drop(*to_drop)


def _timed(label: str, function, runs: int = 3):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    print(f"  {label:<52}{statistics.median(times):8.3f} s")
    return result, statistics.median(times)


def _run(*, tickets: int, years: int, backend: str, establishment_pdf: bool) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    print(f"Reports on {backend}, {tickets:,} tickets over {years} school year(s), {os.cpu_count()} CPU(s)")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  {'migrate':<52}{time.perf_counter() - started:8.1f} s")
    started = time.perf_counter()
    manager = _build(tickets=tickets, years=years)
    print(f"  {'data set (bulk inserts)':<52}{time.perf_counter() - started:8.1f} s")

    from repairs.models import Ticket
    from repairs.reports.formats import render_pdf, report_csv, report_json
    from repairs.reports.generator import report_build
    from repairs.reports.params import ReportParams
    from repairs.sla.engine import sla_flags_refresh, tickets_sla_recompute
    from repairs.states import OPEN_STATES

    translation.activate("fr")
    year = {"date_from": YEAR_START, "date_to": YEAR_END}
    month = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}
    for label, period in (("school year", year), ("one month (March)", month)):
        print(f" {label}")
        for group_by in ("establishment", "departement", "technician"):
            params = ReportParams(group_by=group_by, **period)
            _timed(f"JSON by {group_by}", lambda p=params: report_json(report_build(params=p)))
        params = ReportParams(group_by="establishment", **period)
        _timed("CSV by establishment", lambda p=params: report_csv(report_build(params=p, series=False)))
        client = Client()
        client.force_login(manager)
        query = {"from": period["date_from"].isoformat(), "to": period["date_to"].isoformat()}
        _timed("HTML page by establishment (whole request)", lambda q=query, c=client: c.get("/reports/", q))
        _timed("API JSON by département (whole request)", lambda q=query, c=client: c.get("/api/v1/reports/sla/", q))
        with CaptureQueriesContext(connection) as queries:
            report_build(params=params, breakdown=True)
        print(f"  {'queries for one report (with the PDF breakdown)':<52}{len(queries):8d}")

    print(" region-wide PDF, school year")
    for group_by in ("departement", "establishment") if establishment_pdf else ("departement",):
        params = ReportParams(group_by=group_by, **year)
        (pdf, pages), seconds = _timed(
            f"PDF by {group_by}", lambda p=params: render_pdf(report_build(params=p, breakdown=True)), runs=1
        )
        print(f"  {'':<52}{pages:8d} pages, {len(pdf) / 1024:,.0f} KiB, {pages / seconds:.1f} pages/s")

    print(" SLA engine")
    open_tickets = Ticket.objects.filter(state__in=OPEN_STATES)
    count = open_tickets.count()
    Ticket.objects.filter(state__in=OPEN_STATES).update(sla_key="")  # force a full recomputation
    _timed(f"recompute the {count:,} open tickets", lambda: tickets_sla_recompute(queryset=open_tickets), runs=1)
    _timed("refresh the flags (periodic task)", sla_flags_refresh)
    return 0


def _build(*, tickets: int, years: int = 5):
    """The region's fleet and `tickets` tickets, with bulk inserts; returns a manager."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from devices.models import (
        ACADEMIE_DEPARTEMENTS,
        Device,
        DeviceModel,
        Establishment,
        FaultCategory,
        MasterImage,
        Profile,
        Role,
        Zone,
    )
    from repairs.models import SlaPolicy, Ticket
    from repairs.states import OPEN_STATES, Coverage, State

    rng = random.Random(2026)
    User = get_user_model()
    password = make_password("bench")
    zones = Zone.objects.bulk_create([Zone(code=f"z{n}", name=f"Zone {n}") for n in range(26)])
    departements = [d for deps in ACADEMIE_DEPARTEMENTS.values() for d in deps]
    establishments = Establishment.objects.bulk_create(
        [
            Establishment(
                uai=f"{3100000 + n:07d}{chr(65 + n % 26)}",
                name=f"Lycée {n:03d}",
                city=f"Ville {n % 90}",
                departement=(dep := departements[n % len(departements)]),
                academie=next(a for a, deps in ACADEMIE_DEPARTEMENTS.items() if dep in deps),
                zone=zones[n % len(zones)],
            )
            for n in range(370)
        ]
    )
    models = DeviceModel.objects.bulk_create(
        [DeviceModel(manufacturer=m, name=n) for m, n in [("Dell", "3140"), ("HP", "G9"), ("Lenovo", "300e")]]
    )
    images = {}
    for academie in ACADEMIE_DEPARTEMENTS:
        for version, current in (("2025.2", False), ("2026.1", True)):
            images[academie, current] = MasterImage.objects.create(
                name="Mon cartable numérique",
                version=version,
                academie=academie,
                released_on=dt.date(2026, 1, 5),
                is_current=current,
            )
    devices = Device.objects.bulk_create(
        [
            Device(
                serial_number=f"SN{n:08d}",
                asset_tag=f"RO-{n:06d}",
                model=models[n % 3],
                establishment=(place := establishments[n % 370]),
                status=Device.Status.ASSIGNED,
                image=images[place.academie, rng.random() > 0.08],
            )
            for n in range(61_000)
        ],
        batch_size=5000,
    )
    staff = User.objects.bulk_create(
        [User(username=f"tech{n}", first_name="Tech", last_name=f"{n:03d}", password=password) for n in range(100)]
        + [User(username="manager", password=password, is_staff=True)]
    )
    Profile.objects.bulk_create(
        [Profile(user=u, role=Role.TECHNICIAN, zone=zones[n % len(zones)]) for n, u in enumerate(staff[:100])]
        + [Profile(user=staff[100], role=Role.MANAGER)]
    )
    policies = {p.priority: p for p in SlaPolicy.objects.all()}
    categories = FaultCategory.values
    coverages = Coverage.values
    first_day = YEAR_START.replace(year=YEAR_START.year - years + 1)
    days = (YEAR_END - first_day).days + 1
    finals = [State.RETURNED] * 8 + [State.CLOSED_NO_FAULT, State.CANCELLED]
    rows, open_devices = [], iter(range(61_000))
    for n in range(tickets):
        day = first_day + dt.timedelta(days=int(days * rng.random()))
        declared = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(600))
        priority = rng.choice(["low", "normal", "normal", "high", "urgent"])
        policy = policies[priority]
        first_h, resolution_h = float(policy.first_response_hours), float(policy.resolution_hours)
        first = rng.lognormvariate(1.0, 0.8)
        resolution = rng.lognormvariate(3.3, 0.7)
        open_ticket = day > YEAR_END - dt.timedelta(days=60) and rng.random() < 0.3  # the recent ones
        state = rng.choice(OPEN_STATES) if open_ticket else rng.choice(finals)
        device = devices[next(open_devices)] if open_ticket else devices[rng.randrange(61_000)]
        resolved = None if open_ticket else declared + dt.timedelta(hours=resolution * 2.4)
        measured = state in (State.RETURNED, State.CLOSED_NO_FAULT)
        swapped = state == State.RETURNED and rng.random() < 0.15
        manufacturer = state == State.RETURNED and not swapped and rng.random() < 0.2
        lent = declared + dt.timedelta(days=1) if rng.random() < 0.1 else None
        rows.append(
            Ticket(
                reference=f"R-{day.year}-{n:07d}",
                device=device,
                reporter=staff[n % 100],
                establishment_id=device.establishment_id,
                category=categories[n % len(categories)],
                description="bench",
                priority=priority,
                assignee=staff[rng.randrange(100)] if rng.random() < 0.9 else None,
                state=state,
                coverage=rng.choice(coverages),
                declared_at=declared,
                first_responded_at=None if state == State.DECLARED else declared + dt.timedelta(hours=first * 2),
                first_response_seconds=None if state in (State.DECLARED, State.CANCELLED) else int(first * 3600),
                first_response_due_at=declared + dt.timedelta(hours=first_h * 2.4),
                first_response_breached=first > first_h,
                resolved_at=resolved,
                resolution_seconds=int(resolution * 3600) if measured else None,
                resolution_due_at=declared + dt.timedelta(hours=resolution_h * 2.4),
                resolution_breached=measured and resolution > resolution_h,
                replacement=devices[rng.randrange(61_000)] if swapped else None,
                rma_number=f"RMA{n}" if manufacturer else "",
                manufacturer_seconds=int(rng.lognormvariate(13.5, 0.4)) if manufacturer else None,
                loaner=devices[rng.randrange(61_000)] if lent else None,
                loaner_lent_at=lent,
                loaner_returned_at=(resolved if lent and resolved else None),
                sla_policy=policy,
                sla_key=f"{priority}/{categories[n % len(categories)]}",
            )
        )
        if len(rows) == 5000:
            Ticket.objects.bulk_create(rows)
            rows = []
    Ticket.objects.bulk_create(rows)
    return staff[100]


if __name__ == "__main__":
    sys.exit(main())
