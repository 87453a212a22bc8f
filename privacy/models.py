"""Personal data of minors: who read a student's file, and the privacy notice's text.

The access log is written on every read of a student's ticket, device or export by someone
else, so it must cost one statement: one row per reader, student, object and hour, inserted
with "on conflict do nothing" against the unique key below (privacy/services.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    class Kind(models.TextChoices):
        TICKET = "ticket", _("Ticket")
        DEVICE = "device", _("Laptop")
        EXPORT = "export", _("Export of the personal data")

    # SET_NULL: the row stays (with the reader's role) when a reader's account is deleted.
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
    )
    # The role at the time of the read: what the student is shown, even after the reader moved on.
    reader_role = models.CharField(_("reader's role"), max_length=16)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("what"), max_length=8, choices=Kind.choices)
    object_ref = models.CharField(_("reference"), max_length=64, blank=True)
    # The hour the reads fall in (UTC, minutes cut): the unique key's bucket.
    hour = models.DateTimeField(_("hour"))
    at = models.DateTimeField(_("first read at"))

    class Meta:
        verbose_name = _("read of a student's file")
        verbose_name_plural = _("access log")
        ordering = ["-hour", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "student", "kind", "object_ref", "hour"], name="accesslog_one_per_hour"
            ),
        ]
        indexes = [
            models.Index(fields=["student", "hour"], name="accesslog_student_hour"),
            models.Index(fields=["hour"], name="accesslog_hour"),
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} → {self.student_id} {self.kind} {self.object_ref} {self.hour:%Y-%m-%d %H}h"


class PrivacyNotice(models.Model):
    """The privacy notice's text, edited in the admin. One row at most; without it the page shows
    the default text shipped with the code (privacy/notice.py)."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    body = models.TextField(
        _("text"),
        help_text=_("Plain text; a blank line starts a new paragraph, a line starting with “# ” is a heading."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notice")
        constraints = [models.CheckConstraint(name="privacynotice_singleton", condition=models.Q(singleton=1))]

    def __str__(self) -> str:
        return str(_("Privacy notice"))
