"""Printed documents of a ticket, rendered by weasyprint (repairs/pdf.py): the receipt handed to the
family at declaration or drop-off (with the status link and its QR code), and a quote."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from repairs.labels import qr_svg
from repairs.models import Quote, Ticket
from repairs.pdf import html_to_pdf
from repairs.public_status import next_step


def receipt_pdf(*, ticket: Ticket, status_url: str) -> tuple[bytes, int]:
    html = render_to_string(
        "repairs/receipt.html",
        {
            "ticket": ticket,
            "status_url": status_url,
            "qr": mark_safe(qr_svg(status_url)),  # noqa: S308 (segno's own SVG: the URL is escaped)
            "next_step": next_step(ticket),
            "printed_at": timezone.localtime(),
        },
    )
    return html_to_pdf(html)


def quote_pdf(*, quote: Quote, status_url: str) -> tuple[bytes, int]:
    html = render_to_string(
        "repairs/quote_pdf.html",
        {"quote": quote, "ticket": quote.ticket, "status_url": status_url, "printed_at": timezone.localtime()},
    )
    return html_to_pdf(html)
