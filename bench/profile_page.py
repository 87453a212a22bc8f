"""Where one page's CPU goes: cProfile of the whole request (middleware, session, queries,
template) through the test client, on a region built by bench/region_figures.py.

    .venv/bin/python bench/profile_page.py sqlite:////tmp/region100k.sqlite3 manager /tickets/
    .venv/bin/python bench/profile_page.py sqlite:////tmp/region100k.sqlite3 home_student / --runs 300

Who: manager, technician, staff, supervisor or home_student (as in bench/region_data.py). Prints
the functions by cumulative and by own time, and the request's median with and without the
profiler (the profiler inflates small calls: read the shares, not the milliseconds).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import throwaway  # bench/throwaway.py

warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("who")
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--callees", metavar="REGEX", help="also what the functions matching REGEX call")
    parser.add_argument("--callers", metavar="REGEX", help="also who calls the functions matching REGEX")
    args = parser.parse_args()
    with throwaway.bench_database("profile", given=args.database_url):
        import django

        django.setup()
        import region_data
        from django.test import Client

        logging.getLogger("config.request").setLevel(logging.WARNING)  # gunicorn's log is a file; here, quiet
        region = region_data.find()
        client = Client()
        client.force_login(getattr(region, args.who))
        for _ in range(5):
            assert client.get(args.url).status_code == 200
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(args.url)
            times.append(time.perf_counter() - started)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            client.get(args.url)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.lines)
        stats.sort_stats("tottime").print_stats(args.lines)
        if args.callees:
            stats.sort_stats("cumulative").print_callees(args.callees)
        if args.callers:
            stats.sort_stats("cumulative").print_callers(args.callers)
        print(out.getvalue().replace(str(Path(sys.executable).parents[1]), "venv"))
        print(f"{args.who} {args.url}: median {statistics.median(times) * 1000:.2f} ms without the profiler")
    return 0


if __name__ == "__main__":
    sys.exit(main())
