"""QR labels for the September distribution: one per laptop, linking to its declaration page.

The sheet is laid out page by page here (LABELS_PER_PAGE labels of fixed size on each A4 page, the
title in the page's margin): weasyprint then has nothing to paginate itself, so no page is blank
and no label is ever cut across two pages.
"""

from __future__ import annotations

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from devices.models import Device, Establishment
from repairs.pdf import html_to_pdf

# 3 columns of 63 mm × 7 rows of 36 mm fill the 190 × 277 mm inside A4's 10 mm margins.
COLUMNS, ROWS = 3, 7
LABELS_PER_PAGE = COLUMNS * ROWS


def qr_svg(url: str) -> str:
    # segno writes the SVG itself (no user text inside but the URL, which it escapes).
    return segno.make(url, error="m").svg_inline(scale=3, border=1)


def labels_pdf(*, establishment: Establishment, base_url: str) -> bytes:
    devices = (
        Device.objects.filter(establishment=establishment)
        .exclude(status__in=[Device.Status.RETIRED, Device.Status.LOST])
        .select_related("model")
        .order_by("asset_tag")
    )
    labels = [
        {"device": device, "qr": mark_safe(qr_svg(f"{base_url.rstrip('/')}/d/{device.asset_tag}"))}  # noqa: S308
        for device in devices
    ]
    pages = [labels[start : start + LABELS_PER_PAGE] for start in range(0, len(labels), LABELS_PER_PAGE)]
    html = render_to_string(
        "repairs/labels.html",
        {"establishment": establishment, "pages": pages, "generated_at": timezone.localtime()},
    )
    pdf, _pages = html_to_pdf(html)
    return pdf
