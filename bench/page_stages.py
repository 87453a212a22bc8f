"""CPU time of one page's request and of its stages, without a profiler, on a region built by
bench/region_figures.py.

    .venv/bin/python bench/page_stages.py sqlite:////tmp/region100k.sqlite3 technician /tickets/
    .venv/bin/python bench/page_stages.py sqlite:////tmp/region100k.sqlite3 home_student / --runs 300

Each stage (session, person, filters, counts, rows, template…) is a function wrapped with a timer
of the thread's CPU time; stages nest (the table is drawn inside the template), so they do not add
up. The request's median is its thread CPU time through the test client, whole: on a shared
machine it moves far less than the milliseconds on the clock. Stages a checkout does not have are
left out, so two checkouts can be compared on the same data.
"""

from __future__ import annotations

import argparse
import collections
import functools
import importlib
import logging
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import throwaway  # bench/throwaway.py

warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")

STAGES = [
    ("django.contrib.auth", "get_user", "session and person"),
    ("config.sessions", "SessionStore.load", "  session"),
    ("django.contrib.sessions.backends.db", "SessionStore.load", "  session"),
    ("config.auth", "DemoAwareModelBackend.get_user", "  person"),
    ("repairs.filters", "TicketFilter.__init__", "filters"),
    ("repairs.selectors", "scope_state_counts", "counts by state"),
    ("repairs.keyset", "page_of", "rows"),
    ("repairs.selectors", "technician_choices", "technicians to assign to"),
    ("repairs.selectors", "home_summary", "home summary"),
    ("repairs.ticket_selectors", "ticket_for_page", "ticket with its links"),
    ("repairs.ticket_selectors", "ticket_page", "ticket page's facts"),
    ("repairs.ticket_selectors", "timeline_lines", "  history in words"),
    ("repairs.selectors", "available_transitions", "transitions allowed"),
    ("repairs.views.ticket", "transition_fields", "transition forms"),
    ("repairs.views.ticket", "ticket_content", "ticket's content (Python)"),
    ("repairs.report_views", "report_build", "report: figures"),
    ("repairs.reports.queries", "grouped", "  grouped pass"),
    ("repairs.reports.generator", "percentile_figures", "  percentiles"),
    ("repairs.reports.queries", "fleet", "  fleet"),
    ("repairs.reports.queries", "loaners", "  loaners"),
    ("repairs.reports.generator", "opened_closed_series", "  series"),
    ("repairs.report_views", "report_context", "report: page's context"),
    ("repairs.reports.formats", "table_body", "  table rows"),
    ("django.template.loader", "render_to_string", "template"),
    ("repairs.ticket_table", "ticket_rows", "  ticket table"),
    ("django.forms.boundfield", "BoundField.as_widget", "  filter widgets"),
    ("django.db.models.sql.compiler", "SQLCompiler.as_sql", "SQL compilation (all queries)"),
    ("django.db.backends.utils", "CursorWrapper._execute", "SQL execution (all queries)"),
]


def wrap(totals: collections.Counter, module: str, attribute: str, label: str) -> bool:
    try:
        owner = importlib.import_module(module)
    except ImportError:
        return False
    name = attribute
    if "." in attribute:
        cls, name = attribute.split(".")
        owner = getattr(owner, cls, None)
    original = getattr(owner, name, None)
    if original is None or getattr(original, "_staged", False):
        return False

    @functools.wraps(original)
    def timed(*args, **kwargs):
        started = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            totals[label] += time.thread_time() - started

    timed._staged = True
    setattr(owner, name, timed)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("who", help="manager, technician, staff, supervisor or home_student")
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with throwaway.bench_database("stages", given=args.database_url):
        import django

        django.setup()
        import region_data
        from django import shortcuts
        from django.template import loader
        from django.test import Client

        logging.getLogger("config.request").setLevel(logging.WARNING)
        totals: collections.Counter = collections.Counter()
        labels = [label for module, attribute, label in STAGES if wrap(totals, module, attribute, label)]
        shortcuts.render_to_string = loader.render_to_string  # render() imported it before the wrapping
        region = region_data.find()
        client = Client()
        client.force_login(getattr(region, args.who))
        for _ in range(5):
            assert client.get(args.url).status_code == 200
        totals.clear()
        times = []
        for _ in range(args.runs):
            started = time.thread_time()
            client.get(args.url)
            times.append(time.thread_time() - started)
        print(f"{args.who} {args.url}: median {statistics.median(times) * 1000:.2f} ms of CPU per request")
        for label in dict.fromkeys(labels):
            print(f"  {label:32s} {totals[label] / args.runs * 1000:6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
