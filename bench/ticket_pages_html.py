"""The HTML of ticket pages, for every role and both languages, written to files to compare two
checkouts byte for byte.

    .venv/bin/python bench/ticket_pages_html.py sqlite:////tmp/demo.sqlite3 /tmp/ticket-pages-after
    diff -r /tmp/ticket-pages-before /tmp/ticket-pages-after

On any database the demo (`seed_demo`) or bench/region_data.py built: people of every role (two
of each, the demo's named accounts, and the reporters and holders of the tickets chosen), and
tickets of every state, with loaners, quotes, files, parts lines, comments and re-images where
there are any. Each page is requested twice (the second from whatever a process keeps); a page a
person may not see is written too (its 404). CSRF tokens, which change on every request, are
blanked, and so are the relative times ("il y a 3 heures"), which change with the clock.
"""

from __future__ import annotations

import logging
import re
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import throwaway  # bench/throwaway.py
from pages_html import signed_in, write_twice  # bench/pages_html.py

warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")

RELATIVE_TIME = re.compile(rb"(il y a|dans) [^<)]+|[^>(]+ (ago|from now)")  # changes with the clock
PER_KIND = 3  # tickets of each state and of each kind of link


def chosen_tickets():
    from repairs.models import Ticket

    tickets = Ticket.objects.order_by("pk")
    picked: dict[int, None] = {}
    for state in tickets.values_list("state", flat=True).distinct().order_by():
        picked.update(dict.fromkeys(tickets.filter(state=state).values_list("pk", flat=True)[:PER_KIND]))
    for linked in (
        {"loaner__isnull": False},
        {"quote_state__gt": ""},
        {"attachments__isnull": False},
        {"part_lines__isnull": False},
        {"timeline__kind": "comment"},
        {"timeline__payload__has_key": "reimaged"},
        {"replacement__isnull": False},
        {"coverage": "family"},
    ):
        ids = tickets.filter(**linked).values_list("pk", flat=True).distinct()[:PER_KIND]
        picked.update(dict.fromkeys(ids))
    return list(Ticket.objects.filter(pk__in=picked).select_related("reporter", "device").order_by("pk"))


def chosen_people(tickets):
    from django.contrib.auth import get_user_model

    from devices.models import Assignment, Profile, Role

    users = get_user_model().objects
    people: dict[int, None] = {}
    for role in Role.values:
        people.update(
            dict.fromkeys(Profile.objects.filter(role=role).order_by("pk").values_list("user_id", flat=True)[:2])
        )
    people.update(dict.fromkeys(users.filter(username__startswith="demo-").values_list("pk", flat=True)))
    people.update(dict.fromkeys(ticket.reporter_id for ticket in tickets))
    holders = Assignment.objects.filter(device__in=[t.device_id for t in tickets], returned_at__isnull=True)
    people.update(dict.fromkeys(holders.values_list("student_id", flat=True)))
    return list(users.filter(pk__in=people, is_active=True).order_by("pk"))


def main() -> int:
    database_url, out = sys.argv[1], Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    with throwaway.bench_database("ticket-pages", given=database_url):
        import django

        django.setup()
        logging.getLogger("config.request").setLevel(logging.WARNING)
        logging.getLogger("django.request").setLevel(logging.ERROR)
        tickets = chosen_tickets()
        people = chosen_people(tickets)
        written = seen = 0
        for person in people:
            for language in ("fr", "en"):
                client = signed_in(person, language)
                for ticket in tickets:
                    name = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{person.username}_{language}_{ticket.reference}")
                    status = write_twice(client, f"/tickets/{ticket.reference}/", out, name, blank=(RELATIVE_TIME,))
                    written += 2
                    seen += 2 * (status == 200)
        print(
            f"{written} pages ({seen} shown, the rest 404) of {len(tickets)} tickets for {len(people)} people in {out}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
