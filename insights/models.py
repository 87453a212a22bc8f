"""Fleet intelligence: what the weekly failing-batch job raised, and the re-image campaigns.

Spare-pool sizing and image drift store nothing: they are read from the fleet and the tickets
each time (insights/selectors.py).
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
