"""The outbox: one row per message to one person on one channel.

A row is written in the same transaction as the change that causes it, so a notification exists
if and only if the change was committed. Celery only wakes a worker up; the row says what is left
to do, which is why a lost broker message, a crashed worker or a re-run can never lose a message
or send it twice. This app knows nothing of tickets or devices: callers hand it rendered text.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        # Collected by the daily digest task into one email; never delivered on its own.
        DIGEST = "digest", _("Daily digest")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BUNDLED = "bundled", _("Included in a digest")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    # Where it goes, as known when the event happened: a resend goes to the same place.
    address = models.CharField(_("address"), max_length=254)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    event = models.CharField(_("event"), max_length=64)
    language = models.CharField(_("language"), max_length=8, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)

    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # A pending row is due at this time; the sweep re-enqueues it when that is long past.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # When a worker took the row (status "sending"); a claim older than the lease is a dead worker's.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    digest = models.ForeignKey(
        "self",
        verbose_name=_("sent in digest"),
        on_delete=models.SET_NULL,
        related_name="bundled",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep: rows still to deliver, oldest first. Partial, so it stays small.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="notification_due",
            ),
            # The daily digest: each recipient's collected rows.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(channel="digest", status="pending"),
                name="notification_digest_pending",
            ),
            models.Index(fields=["status", "channel", "event"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.address} ({self.get_channel_display()}, {self.get_status_display()})"
