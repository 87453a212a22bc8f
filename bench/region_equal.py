"""The region built with the triggers off and derived afterwards is the region built through them.

    .venv/bin/python bench/region_equal.py --tickets 20000                # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/region_equal.py --tickets 20000

Builds bench/region_data.py's region twice, with the same seed and the same "now", in two
throwaway databases (two PostgreSQL databases beside DATABASE_URL's, or two SQLite files): once
through the triggers, row by row, and once as the bench builds it (bench/region_derive.py). Then
compares, row for row, the tickets (every column but the status link's random token: the repeat
flags are there), the timelines, the search words, the counts per state, the weekly counts, the
campaign's counts and the triggers present afterwards. Prints each build's steps and each table's
rows, and exits 1 at the first difference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import throwaway  # noqa: E402  (bench/throwaway.py)

NOW = "2026-12-07T06:00:00+00:00"
# table → (its key columns, the columns left out: surrogate ids given in insertion order, random tokens)
TABLES = {
    "repairs_ticket": ("id", {"status_token"}),
    "repairs_timelineentry": ("id", set()),
    "repairs_ticket_search": ("", set()),
    "repairs_statecount": ("", {"id"}),
    "insights_failureweek": ("", {"id"}),
    "insights_batchweek": ("", {"id"}),
    "insights_turnaroundweek": ("", {"id"}),
    "distribution_equippedday": ("", {"id"}),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the two databases and print their URLs")
    parser.add_argument("--child", nargs=2, metavar=("URL", "WAY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], through_triggers=args.child[1] == "triggers", tickets=args.tickets)
    base = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="bench-equal-") as tmp:
        urls, drops = {}, []
        for way in ("triggers", "derived"):
            if base.startswith(("postgres://", "postgresql://")):
                url, admin, name = throwaway.postgres_create(base, prefix=f"bench_region_equal_{way}")
                drops.append((admin, name))
            else:
                url = f"sqlite:///{Path(tmp) / f'{way}.sqlite3'}"
            urls[way] = url
        try:
            for way, url in urls.items():
                result = subprocess.run(  # noqa: S603  (this script, with the URLs it made)
                    [sys.executable, __file__, "--tickets", str(args.tickets), "--child", url, way],
                    check=True,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                steps = json.loads(result.stdout.strip().splitlines()[-1])
                print(f"{way}: {url}")
                print(
                    "  " + ", ".join(f"{k} {v:.1f} s" if isinstance(v, float) else f"{k} {v}" for k, v in steps.items())
                )
            return compare(urls["triggers"], urls["derived"])
        finally:
            for admin, name in drops:
                if args.keep:
                    print(f"kept: {name}")
                else:
                    throwaway.postgres_drop(admin, name)


def child(url: str, *, through_triggers: bool, tickets: int) -> int:
    with throwaway.bench_database("region-equal", given=url):
        import django

        django.setup()
        import region_data
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        region = region_data.build(
            tickets=tickets, now=dt.datetime.fromisoformat(NOW), through_triggers=through_triggers
        )
        print(json.dumps(region.steps))
    return 0


class Database:
    def __init__(self, url: str):
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            import psycopg

            self.conn = psycopg.connect(url)
        else:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"))

    def columns(self, table: str) -> list[str]:
        if self.postgres:
            rows = self.conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
                [table],
            ).fetchall()
        elif table == "repairs_ticket_search":
            return ["rowid", "document"]
        else:
            rows = self.conn.execute(f"SELECT name FROM pragma_table_info('{table}') ORDER BY cid").fetchall()  # noqa: S608
        return [row[0] for row in rows]

    def rows(self, table: str, columns: list[str]) -> list[tuple]:
        shown = [f"{c}::text" if self.postgres and c == "document" else c for c in columns]
        return self.conn.execute(f"SELECT {', '.join(shown)} FROM {table} ORDER BY {', '.join(columns)}").fetchall()  # noqa: S608

    def close(self) -> None:
        self.conn.close()

    def triggers(self) -> list[tuple]:
        if self.postgres:
            sql = "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal"
        else:
            sql = "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'"
        return sorted(self.conn.execute(sql).fetchall())


def compare(reference_url: str, derived_url: str) -> int:
    with closing(Database(reference_url)) as reference, closing(Database(derived_url)) as derived:
        for table, (_key, left_out) in TABLES.items():
            columns = [c for c in reference.columns(table) if c not in left_out]
            if columns != [c for c in derived.columns(table) if c not in left_out]:
                print(f"{table}: the columns differ")
                return 1
            ours, theirs = reference.rows(table, columns), derived.rows(table, columns)
            digest = hashlib.sha256(repr(ours).encode()).hexdigest()[:16]
            if ours != theirs:
                print(f"{table}: {len(ours):,} rows through the triggers, {len(theirs):,} derived; first difference:")
                a, b = next(((a, b) for a, b in zip(ours, theirs, strict=False) if a != b), (None, None))
                if a and b:
                    print(
                        f"  {columns[0]} {a[0]}: "
                        + ", ".join(f"{c} {x!r} ≠ {y!r}" for c, x, y in zip(columns, a, b, strict=True) if x != y)
                    )
                return 1
            print(f"{table}: {len(ours):,} rows × {len(columns)} columns identical (sha256 {digest})")
        if reference.triggers() != derived.triggers():
            print("the triggers present afterwards differ")
            return 1
        print(f"triggers present afterwards: the same {len(reference.triggers())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
