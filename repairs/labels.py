"""QR labels for the September distribution: one per laptop, linking to its declaration page."""

from __future__ import annotations

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from devices.models import Device, Establishment
from repairs.pdf import html_to_pdf


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
    html = render_to_string(
        "repairs/labels.html",
        {"establishment": establishment, "labels": labels, "generated_at": timezone.localtime()},
    )
    pdf, _pages = html_to_pdf(html)
    return pdf
