"""HTML → PDF with weasyprint, fetching nothing but the app's own static files."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousOperation

STATIC_PREFIX = "/static/"


def static_only_fetcher(url: str, *args, **kwargs) -> dict:
    """weasyprint's url_fetcher: only /static/… files of this app; no file://, no network."""
    from weasyprint.urls import default_url_fetcher

    path = url.split("://", 1)[-1]
    path = path[path.index("/") :] if "/" in path else path
    if not path.startswith(STATIC_PREFIX) or ".." in path:
        raise SuspiciousOperation(f"PDF rendering may not fetch {url!r}")
    found = finders.find(path[len(STATIC_PREFIX) :])
    if not found:
        raise SuspiciousOperation(f"No static file {path!r}")
    return default_url_fetcher(f"file://{found}")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="http://app.invalid/", url_fetcher=static_only_fetcher).write_pdf()
