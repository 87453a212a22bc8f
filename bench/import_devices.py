"""Benchmark of `import_devices` (SPEC §6): the region's 61,000 laptops from a spreadsheet's CSV.

Writes the file a French spreadsheet would (UTF-8 with BOM, `;`, DD/MM/YYYY, French headers, an
extra column) into a temporary directory, imports it into a fresh SQLite database — and into a
throwaway database on the PostgreSQL server of DATABASE_URL when that is set — then imports the
same file again (nothing to write), then a copy where one row in ten changed, and prints the figures.

    .venv/bin/python bench/import_devices.py [--rows 61000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_devices.py

Each database is measured in its own process: settings read DATABASE_URL once, at startup.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
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


def child(*, database_url: str, first: Path, changed: Path) -> dict:
    """Runs in a fresh process whose settings point at a throwaway database."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_ENV"] = "local"
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from devices.importing import devices_import
    from devices.models import DEPARTEMENT_ACADEMIE, Device, DeviceModel, Establishment, MasterImage, Zone

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

    baseline = rss_mib()
    timings = {}
    for name, path in (("first", first), ("again", first), ("changed", changed)):
        started = time.perf_counter()
        report = devices_import(path=path)
        timings[name] = {
            "seconds": round(time.perf_counter() - started, 2),
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": len(report.errors),
        }
        if name == "first":
            timings[name]["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return {
        "backend": connection.vendor,
        "rows": report.rows,
        "devices": Device.objects.count(),
        "baseline_rss_mib": round(baseline, 1),
        **timings,
    }


def throwaway_postgres(url: str) -> tuple[str, str]:
    """A new database on the server of `url`: never benchmark into someone's real database."""
    parts = urlsplit(url)
    name = f"repairs_bench_{os.getpid()}"
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=61_000)
    parser.add_argument("--child", nargs=3, metavar=("DATABASE_URL", "FIRST", "CHANGED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, first, changed = args.child
        print(json.dumps(child(database_url=url, first=Path(first), changed=Path(changed))))
        return

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
        for label, url, admin_url in targets:
            if admin_url:
                import psycopg

                name = urlsplit(url).path.lstrip("/")
                with psycopg.connect(admin_url, autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{name}"')
            try:
                out = subprocess.run(  # noqa: S603 - this very script, with arguments built above
                    [sys.executable, __file__, "--child", url, str(first), str(changed)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
            finally:
                if admin_url:
                    with psycopg.connect(admin_url, autocommit=True) as admin:
                        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            results.append((label, json.loads(out.stdout.strip().splitlines()[-1])))

    print()
    print("| database | rows | first import (s) | rows/s | same file again (s) | 10 % changed (s) | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, r in results:
        print(
            f"| {label} | {r['rows']:,} | {r['first']['seconds']} | {r['rows'] / r['first']['seconds']:,.0f} "
            f"| {r['again']['seconds']} | {r['changed']['seconds']} "
            f"| {r['first']['peak_rss_mib']} (before: {r['baseline_rss_mib']}) |"
        )
    for label, r in results:
        print(f"{label}: {json.dumps(r)}")


if __name__ == "__main__":
    main()
