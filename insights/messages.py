"""Who is told about a failing batch, rendered and handed to the outbox (in the caller's transaction)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from devices.models import FaultCategory, Role
from devices.permissions import profile_of
from insights.models import BatchNotice
from notifications.models import Notification
from notifications.rendering import message_render
from notifications.services import outbox_add

EVENT = "insights.failing_batch"


def notice_link(notice: BatchNotice) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("insights:batch_notice", args=[notice.pk])


def announce_batch_notice(*, notice: BatchNotice, serials: list[str]) -> int:
    """An email to each active manager with an address; once per notice and person (the key)."""
    managers = (
        get_user_model()
        .objects.filter(is_active=True, profile__role=Role.MANAGER)
        .exclude(email="")
        .select_related("profile")
        .order_by("pk")
    )
    link = notice_link(notice)
    context = {
        "model": str(notice.model),
        "month": notice.delivered_month.strftime("%m/%Y"),
        "category": FaultCategory(notice.category).label,
        "failures": notice.failures,
        "expected": notice.expected,
        "devices": notice.devices,
        "weeks": round((notice.window_end - notice.window_start).days / 7),
        "batch_rate": notice.batch_rate,
        "fleet_rate": notice.fleet_rate,
        # Read by people, not statisticians: four decimals, and "< 0.0001" below that.
        "p_value": max(notice.p_value, 0.0001),
        "p_compare": "<" if notice.p_value < 0.0001 else "=",
        "serials": ", ".join(serials[:20]) + (" …" if len(serials) > 20 else ""),
    }
    told = 0
    for user in managers:
        profile = profile_of(user)
        if profile is not None and not profile.notify_by_email:
            continue
        language = (profile and profile.language) or settings.LANGUAGE_CODE
        rendered = message_render(
            template_name="notifications/insights/failing_batch.txt",
            context=context,
            language=language,
            recipient_name=user.first_name or user.get_username(),
            link=link,
        )
        outbox_add(
            recipient=user,
            channel=Notification.Channel.EMAIL,
            event=EVENT,
            subject=rendered.subject,
            body=rendered.body,
            html_body=rendered.html_body,
            idempotency_key=f"batch-notice:{notice.pk}:{user.pk}:email",
            link=link,
            language=language,
        )
        told += 1
    return told
