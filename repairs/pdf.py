"""HTML → PDF with weasyprint, reading nothing but the app's own static files."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

PDF_BASE_URL = "https://report.invalid/"
# weasyprint announces every layout step at INFO: a 400-page report would flood the logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def static_fetcher():
    """weasyprint's URL fetcher, limited to this app's static files: no file://, no network, no
    data: URL. Whatever a document contains, rendering it reads nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    prefix = PDF_BASE_URL.rstrip("/") + "/" + settings.STATIC_URL.strip("/") + "/"

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(prefix):
                raise ValueError(f"PDFs fetch nothing but the app's static files, not {url[:80]!r}")
            relative = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
            if not relative or ".." in Path(relative).parts or relative.startswith("/"):
                raise ValueError(f"Refused static path {relative!r}")
            found = finders.find(relative)
            if not found:
                raise ValueError(f"No static file {relative!r}")
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher()


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of `html` and its number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=static_fetcher()).render()
    return document.write_pdf(), len(document.pages)
