"""PDF reports rendered by the worker: the requester's download, the monthly email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportExport(models.Model):
    """A PDF report rendered by a Celery task: the requester's "your report is ready" page, and the
    record that makes the monthly email go out once per month."""

    class Kind(models.TextChoices):
        ON_DEMAND = "on_demand", _("On demand")
        MONTHLY = "monthly", _("Monthly")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    token = models.CharField(max_length=32, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ON_DEMAND)
    label = models.CharField(_("label"), max_length=64, blank=True)
    params = models.JSONField(_("parameters"), default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True, max_length=255)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "label"], condition=Q(kind="monthly"), name="reportexport_one_monthly_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label or self.token}"
