"""The HTML of the pages people see most, written to files, to compare two checkouts byte for byte.

    .venv/bin/python bench/pages_html.py sqlite:////tmp/region5k.sqlite3 /tmp/pages-after
    diff -r /tmp/pages-before /tmp/pages-after

For each person of bench/region_data.py (manager, technician, staff, supervisor, home_student), in
French and English: the home and the queue unfiltered, filtered, searched, paged, with a wrong
page number and an unknown establishment, each requested twice (the second from whatever a
process keeps). CSRF tokens, which change on every request, are blanked.
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

warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")

URLS = [
    "/",
    "/tickets/",
    "/tickets/?state=diagnosing",
    "/tickets/?search=ecran",
    "/tickets/?page=2",
    "/tickets/?sort=-declared",
    "/tickets/?assigned_to=me",
    "/tickets/?sla=breached&priority=high",
    "/tickets/?state=declared&state=in_repair&category=screen",
    "/tickets/?establishment=XXX",
    "/tickets/?page=abc",
]


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def signed_in(person, language: str):
    """A test client signed in as `person`, asking for pages in `language`."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def write_twice(client, url: str, out: Path, name: str, *, blank: tuple[re.Pattern, ...] = ()) -> int:
    """`url` requested twice (the second from whatever a process keeps), each answer written to
    `out` with its status first and its CSRF token (and what `blank` matches) blanked. Returns
    the status."""
    for attempt in range(2):
        response = client.get(url)
        body = CSRF.sub(b"CSRF", response.content)
        for pattern in blank:
            body = pattern.sub(b"WHEN", body)
        (out / f"{name}_{attempt}").write_bytes(f"{response.status_code}\n".encode() + body)
    return response.status_code


def main() -> int:
    database_url, out = sys.argv[1], Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    with throwaway.bench_database("pages", given=database_url):
        import django

        django.setup()
        import region_data

        logging.getLogger("config.request").setLevel(logging.WARNING)
        region = region_data.find()
        written = 0
        for who in ("manager", "technician", "staff", "supervisor", "home_student"):
            person = getattr(region, who, None)
            if person is None:
                continue
            for language in ("fr", "en"):
                client = signed_in(person, language)
                for url in URLS:
                    write_twice(client, url, out, re.sub(r"[^a-z0-9]+", "_", f"{who}_{language}_{url}").rstrip("_"))
                    written += 2
        print(f"{written} pages in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
