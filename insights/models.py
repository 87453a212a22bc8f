"""Fleet intelligence: what the weekly failing-batch job raised, the re-image campaigns, and the
weekly failure counts the database keeps for the pools and the batches (insights/triggers.py).

Spare-pool sizing and image drift store no result: they are computed each time
(insights/selectors.py), the pools and batches from the weekly counts and the tickets of the
window's first and last partial weeks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from devices.models import Device, DeviceModel, Establishment, FaultCategory, MasterImage


class BatchNotice(models.Model):
    """A delivery batch (a model's laptops delivered in one month) that failed significantly more
    than the rest of the fleet in one category. Unique per (batch, category): the weekly job raises
    it once, with the evidence as it stood that week."""

    model = models.ForeignKey(DeviceModel, verbose_name=_("model"), on_delete=models.PROTECT, related_name="+")
    delivered_month = models.DateField(_("delivery month"), help_text=_("First day of the month."))
    category = models.CharField(_("category"), max_length=20, choices=FaultCategory.choices)
    raised_at = models.DateTimeField(_("raised at"))
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    devices = models.PositiveIntegerField(_("devices in the batch"))
    failures = models.PositiveIntegerField(_("failures"))
    expected = models.FloatField(_("expected failures"))
    p_value = models.FloatField(_("p-value"))
    fleet_rate = models.FloatField(_("fleet rate per 1,000 devices a week"))
    batch_rate = models.FloatField(_("batch rate per 1,000 devices a week"))
    ticket_ids = models.JSONField(_("tickets"), default=list)

    class Meta:
        verbose_name = _("failing batch notice")
        verbose_name_plural = _("failing batch notices")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "delivered_month", "category"], name="batchnotice_once_per_batch_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.delivered_month:%Y-%m} {self.category}"


class ReimageCampaign(models.Model):
    """Re-image an establishment's laptops that are not on the académie's current master image.

    The list is the outdated laptops when the campaign started; progress is read from the devices
    themselves, however they were re-imaged (a repair, a swap, the hand-over desk, this page)."""

    establishment = models.ForeignKey(
        Establishment, verbose_name=_("establishment"), on_delete=models.PROTECT, related_name="+"
    )
    image = models.ForeignKey(MasterImage, verbose_name=_("target image"), on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("re-image campaign")
        verbose_name_plural = _("re-image campaigns")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment"], condition=Q(closed_at__isnull=True), name="reimagecampaign_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.establishment} → {self.image.version}"


class ReimageCampaignDevice(models.Model):
    campaign = models.ForeignKey(ReimageCampaign, on_delete=models.CASCADE, related_name="items")
    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="+")
    from_image = models.ForeignKey(
        MasterImage, verbose_name=_("image at start"), on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("laptop to re-image")
        verbose_name_plural = _("laptops to re-image")
        constraints = [models.UniqueConstraint(fields=["campaign", "device"], name="reimagecampaign_device_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.device_id}"


# The weekly counts. A week is the Monday (UTC) its instant falls in; rows are never read for the
# partial weeks at the edges of a window, which come from the tickets themselves (insights/weekly.py).
# Establishment and model are kept without database constraints, as repairs.StateCount is: the
# triggers write them, and a row at zero is harmless.


class FailureWeek(models.Model):
    """Failures (tickets neither cancelled nor closed without a fault) declared in a week, per
    establishment of the ticket and model of its laptop: the pools' demand."""

    week = models.DateField()
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="+", null=True, db_constraint=False
    )
    establishment_key = models.IntegerField()  # the establishment's id, 0 for the depot: the unique key
    model = models.ForeignKey(DeviceModel, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    failures = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week", "establishment_key", "model"], name="failureweek_unique"),
        ]
        indexes = [models.Index(fields=["establishment_key", "week"], name="failureweek_place")]

    def __str__(self) -> str:
        return f"{self.week} {self.establishment_key} {self.model_id}: {self.failures}"


class BatchWeek(models.Model):
    """Failures declared in a week, per model, delivery month of the laptop and category: the
    batches' counts."""

    week = models.DateField()
    model = models.ForeignKey(DeviceModel, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    delivered_month = models.DateField(null=True)  # first day of the month; None: no delivery date
    month_key = models.IntegerField()  # YYYYMM, 0 without a delivery date: the unique key
    category = models.CharField(max_length=20)
    failures = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week", "model", "month_key", "category"], name="batchweek_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.week} {self.model_id} {self.month_key} {self.category}: {self.failures}"


class TurnaroundWeek(models.Model):
    """Tickets returned in a week (by their resolution date), per model, and the sum of the time
    their laptops were away, in microseconds: a mean turnaround is a sum over a count."""

    week = models.DateField()
    model = models.ForeignKey(DeviceModel, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    returned = models.IntegerField(default=0)
    microseconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["week", "model"], name="turnaroundweek_unique")]

    def __str__(self) -> str:
        return f"{self.week} {self.model_id}: {self.returned}"
