"""Benchmark of `import_devices`: the region's 61,000 laptops from a spreadsheet's CSV.

Writes the file a French spreadsheet would (UTF-8 with BOM, `;`, DD/MM/YYYY, French headers, an
extra column) into a temporary directory, imports it into a fresh SQLite database — and into a
throwaway database on the PostgreSQL server of DATABASE_URL when that is set — then imports the
same file again (nothing to write), then a copy where one row in ten changed, and prints the figures.

Each database is measured with two writers, in the same run: the hand-built SQL that the import
uses (multi-row `INSERT`, `UNNEST` arrays on PostgreSQL, `executemany` `UPDATE`), and the ORM's
upsert (`bulk_create(update_conflicts=True, ...)`), kept here only to be measured against it.
The baseline is one bare `executemany` INSERT of as many device rows, rolled back.

    .venv/bin/python bench/import_devices.py [--rows 61000] [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_devices.py

Each measurement runs in its own process on its own new database: settings read DATABASE_URL
once, at startup, and no run inherits another's caches. With --repeat, the best run is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

DEPARTEMENTS = ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82")
ESTABLISHMENTS = 370
MODELS = (("Dell", "Latitude 3140"), ("Lenovo", "ThinkPad 11e Gen 6"), ("HP", "ProBook x360 11 G7"))
IMAGE_VERSION = "2026.1"
HEADER = (
    "N° de série;Numéro d'inventaire;Marque;Modèle;UAI établissement;Date de livraison;Fin de garantie;"
    "Version image;Statut;Commentaire"
)


def establishment_uais() -> list[tuple[str, str]]:
    """(UAI, département) of the benchmark's establishments; the parent and the children agree on them."""
    return [
        (f"{DEPARTEMENTS[n % len(DEPARTEMENTS)]}{n:05d}{'ABCDEFGHJK'[n % 10]}", DEPARTEMENTS[n % len(DEPARTEMENTS)])
        for n in range(ESTABLISHMENTS)
    ]


def write_csv(path: Path, *, rows: int, changed_every: int = 0) -> None:
    uais = [uai for uai, _dep in establishment_uais()]
    statuses = ["Affecté"] * 17 + ["En stock", "Prêt", "En réparation"]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(HEADER + "\r\n")
        for n in range(rows):
            changed = changed_every and n % changed_every == 0
            manufacturer, model = MODELS[n % len(MODELS)]
            delivered = dt.date(2023, 8, 21) + dt.timedelta(days=n % 700)
            warranty_end = delivered + dt.timedelta(days=(4 if changed else 3) * 365 - 1)
            at_depot = n % 33 == 0
            cells = [
                f"pf{n:07d}",  # lower case: the import normalises serials
                f"RO-{n:06d}",
                manufacturer,
                model,
                "" if at_depot else uais[n % len(uais)],
                f"{delivered:%d/%m/%Y}",
                f"{warranty_end:%d/%m/%Y}",
                IMAGE_VERSION,
                "En réparation" if changed else ("En stock" if at_depot else statuses[n % len(statuses)]),
                "",
            ]
            handle.write(";".join(cells) + "\r\n")


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def orm_upsert(*, model, rows, unique_fields, update_fields, progress) -> None:
    """The ORM's upsert, as a drop-in for devices.importing.writing.upsert (the hand-built SQL)."""
    fields = [(field.attname, field.get_default()) for field in model._meta.concrete_fields]
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        model.objects.bulk_create(
            [model(*[row.get(name, default) for name, default in fields]) for row in chunk],
            update_conflicts=True,
            unique_fields=unique_fields,
            update_fields=update_fields,
        )
        progress(len(chunk))


def child(*, database_url: str, writer: str, first: Path, changed: Path) -> dict:
    """Runs in a fresh process whose settings point at a throwaway database."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_ENV"] = "local"
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from devices.importing import devices_import, writing
    from devices.models import DEPARTEMENT_ACADEMIE, Device, DeviceModel, Establishment, MasterImage, Zone

    if writer == "orm":
        writing.upsert = orm_upsert

    # Without run_syncdb: only the migrated apps, which are all the import touches.
    call_command("migrate", verbosity=0)
    zones = {dep: Zone.objects.create(code=f"zone-{dep}", name=f"Zone {dep}") for dep in DEPARTEMENTS}
    Establishment.objects.bulk_create(
        Establishment(
            uai=uai,
            name=f"Lycée {uai}",
            city="Ville",
            departement=dep,
            academie=DEPARTEMENT_ACADEMIE[dep],
            zone=zones[dep],
        )
        for uai, dep in establishment_uais()
    )
    DeviceModel.objects.bulk_create(DeviceModel(manufacturer=m, name=n) for m, n in MODELS)
    for academie in ("toulouse", "montpellier"):
        MasterImage.objects.create(
            name="Mon cartable numérique", version=IMAGE_VERSION, academie=academie, released_on=dt.date(2026, 8, 20)
        )

    # Baseline: as many device rows in one executemany, the cheapest way in, rolled back.
    model_id = DeviceModel.objects.values_list("id", flat=True).first()
    with first.open(encoding="utf-8-sig") as handle:
        rows = sum(1 for _line in handle) - 1
    values = [(f"BASE{n:07d}", f"BASE-{n:06d}", model_id, "in_stock") for n in range(rows)]
    table = connection.ops.quote_name(Device._meta.db_table)
    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (serial_number, asset_tag, model_id, status) VALUES (%s, %s, %s, %s)",  # noqa: S608
                values,
            )
        baseline_seconds = time.perf_counter() - started
        transaction.set_rollback(True)

    baseline = rss_mib()
    timings = {}
    for name, path in (("first", first), ("again", first), ("changed", changed)):
        started, cpu = time.perf_counter(), time.process_time()
        report = devices_import(path=path)
        timings[name] = {
            "seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": len(report.errors),
        }
        if name == "first":
            timings[name]["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return {
        "backend": connection.vendor,
        "writer": writer,
        "rows": report.rows,
        "devices": Device.objects.count(),
        "baseline_insert_seconds": round(baseline_seconds, 2),
        "baseline_rss_mib": round(baseline, 1),
        **timings,
    }


def throwaway_postgres(url: str) -> tuple[str, str]:
    """A new database on the server of `url`: never benchmark into someone's real database."""
    parts = urlsplit(url)
    name = f"repairs_bench_{os.getpid()}"
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{name}"))


def run_child(*, label: str, url: str, admin_url: str | None, writer: str, first: Path, changed: Path) -> dict:
    if admin_url:
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    else:
        Path(urlsplit(url).path).unlink(missing_ok=True)
    try:
        out = subprocess.run(  # noqa: S603 - this very script, with arguments built above
            [sys.executable, __file__, "--child", url, writer, str(first), str(changed)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    finally:
        if admin_url:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return json.loads(out.stdout.strip().splitlines()[-1])


def best_run(runs: list[dict]) -> dict:
    """The lowest time of each measure over the runs: on a machine that other work shares, the
    least disturbed run is the one that says what the code costs (the median still wanders)."""
    result = dict(runs[0])
    for phase in ("first", "again", "changed"):
        result[phase] = dict(runs[0][phase])
        for measure in ("seconds", "cpu_seconds"):
            result[phase][measure] = min(run[phase][measure] for run in runs)
    result["first"]["peak_rss_mib"] = round(statistics.median(run["first"]["peak_rss_mib"] for run in runs), 1)
    result["baseline_insert_seconds"] = min(run["baseline_insert_seconds"] for run in runs)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=61_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the best is printed")
    parser.add_argument("--writers", default="orm,sql", help="orm (the import's), sql (hand-built), or both")
    parser.add_argument(
        "--child", nargs=4, metavar=("DATABASE_URL", "WRITER", "FIRST", "CHANGED"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        url, writer, first, changed = args.child
        print(json.dumps(child(database_url=url, writer=writer, first=Path(first), changed=Path(changed))))
        return

    writers = args.writers.split(",")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        tmp_path = Path(tmp)
        first, changed = tmp_path / "parc.csv", tmp_path / "parc-modifie.csv"
        write_csv(first, rows=args.rows)
        write_csv(changed, rows=args.rows, changed_every=10)
        print(f"{args.rows:,} rows, {first.stat().st_size / 1e6:.1f} MB: {first}")

        targets = [("SQLite", f"sqlite:///{tmp_path / 'bench.sqlite3'}", None)]
        if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            admin_url, bench_url = throwaway_postgres(os.environ["DATABASE_URL"])
            targets.append(("PostgreSQL", bench_url, admin_url))

        results = []
        # Writers alternate inside each repetition, so that a busy moment of the machine does not
        # fall on one writer only.
        for label, url, admin_url in targets:
            runs: dict[str, list[dict]] = {writer: [] for writer in writers}
            for _ in range(args.repeat):
                for writer in writers:
                    runs[writer].append(
                        run_child(
                            label=label, url=url, admin_url=admin_url, writer=writer, first=first, changed=changed
                        )
                    )
            results.extend((label, best_run(runs[writer])) for writer in writers)

    names = {"orm": "ORM upsert", "sql": "hand-built SQL"}
    print()
    print(
        "| database | writer | first import (s) | rows/s | same file again (s) | 10 % changed (s) "
        "| bare INSERT (s) | peak RSS (MiB) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, r in results:
        first, again, changed = (r[phase] for phase in ("first", "again", "changed"))
        print(
            f"| {label} | {names[r['writer']]} | {first['seconds']} (CPU {first['cpu_seconds']}) "
            f"| {r['rows'] / first['seconds']:,.0f} | {again['seconds']} (CPU {again['cpu_seconds']}) "
            f"| {changed['seconds']} (CPU {changed['cpu_seconds']}) | {r['baseline_insert_seconds']} "
            f"| {first['peak_rss_mib']} (before: {r['baseline_rss_mib']}) |"
        )
    print()
    by_key = {(label, r["writer"]): r for label, r in results}
    for label in dict.fromkeys(label for label, _r in results):
        orm, sql = by_key.get((label, "orm")), by_key.get((label, "sql"))
        if orm and sql:
            ratios = ", ".join(
                f"{phase} {orm[phase]['seconds'] / sql[phase]['seconds']:.2f}×"
                for phase in ("first", "again", "changed")
            )
            print(f"{label}: ORM upsert time / hand-built SQL time: {ratios} (above 1.5 would favour the SQL)")
        for r in (orm, sql):
            if r:
                print(
                    f"{label}, {names[r['writer']]}: first import = "
                    f"{r['first']['seconds'] / r['baseline_insert_seconds']:.1f}× the bare INSERT"
                )
    for label, r in results:
        print(f"{label}: {json.dumps(r)}")


if __name__ == "__main__":
    main()
