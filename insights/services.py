"""Writes of the fleet intelligence: failing-batch notices and re-image campaigns.

Checks run in the house's order: permission (403, `ActionForbidden`), then state (409,
`TransitionNotPossible`), then conditions (400, `ValidationError`); each use case is one
transaction, and the laptops themselves are written by `devices.services` only.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import permissions as fleet
from devices.models import Device, Establishment, MasterImage, Role
from devices.services import device_reimage
from insights.batches import batch_analysis, batch_tickets
from insights.drift import OUT_OF_SERVICE, outdated_devices
from insights.messages import announce_batch_notice
from insights.models import BatchNotice, ReimageCampaign, ReimageCampaignDevice
from repairs.exceptions import ActionForbidden, TransitionNotPossible


def batch_notices_raise(*, now: dt.datetime | None = None) -> list[BatchNotice]:
    """The weekly job: every flagged (batch, category) not raised before gets its notice and the
    managers' emails, in one transaction per notice. Run twice, it raises nothing the second time."""
    analysis = batch_analysis(now=now)
    raised_at = now or timezone.now()
    known = set(BatchNotice.objects.values_list("model_id", "delivered_month", "category"))
    raised = []
    for rate in analysis.flagged:
        if (rate.model_id, rate.delivered_month, rate.category) in known:
            continue
        tickets = list(
            batch_tickets(
                model_id=rate.model_id,
                month=rate.delivered_month,
                category=rate.category,
                since=analysis.since,
                until=analysis.until,
            ).values_list("pk", "device__serial_number")
        )
        try:
            with transaction.atomic():
                notice = BatchNotice.objects.create(
                    model_id=rate.model_id,
                    delivered_month=rate.delivered_month,
                    category=rate.category,
                    raised_at=raised_at,
                    window_start=analysis.since,
                    window_end=analysis.until,
                    devices=rate.devices,
                    failures=rate.failures,
                    expected=rate.expected,
                    p_value=rate.p_value,
                    batch_rate=rate.rate,
                    fleet_rate=rate.fleet_rate,
                    ticket_ids=[pk for pk, _serial in tickets],
                )
                announce_batch_notice(notice=notice, serials=sorted({serial for _pk, serial in tickets}))
        except IntegrityError:
            continue  # another run raised it a moment ago
        raised.append(notice)
    return raised


def _may_start(user) -> bool:
    return fleet.role_of(user) == Role.MANAGER


@transaction.atomic
def reimage_campaign_start(*, establishment: Establishment, actor) -> ReimageCampaign:
    """List the establishment's outdated laptops for its zone's technicians to re-image."""
    if not _may_start(actor):
        raise ActionForbidden(_("Only a manager may start a re-image campaign."))
    # Serialises two managers starting the same campaign: the second one sees the first's.
    Establishment.objects.select_for_update().filter(pk=establishment.pk).first()
    if ReimageCampaign.objects.filter(establishment=establishment, closed_at__isnull=True).exists():
        raise TransitionNotPossible(_("A re-image campaign is already under way in this establishment."))
    image = MasterImage.objects.filter(academie=establishment.academie, is_current=True).first()
    if image is None:
        raise ValidationError(_("The académie has no current master image to re-image with."))
    devices = list(outdated_devices(establishment=establishment).values_list("pk", "image_id"))
    if not devices:
        raise ValidationError(_("Every laptop of this establishment already runs the current master image."))
    campaign = ReimageCampaign.objects.create(
        establishment=establishment, image=image, started_by=actor, started_at=timezone.now()
    )
    ReimageCampaignDevice.objects.bulk_create(
        ReimageCampaignDevice(campaign=campaign, device_id=pk, from_image_id=image_id) for pk, image_id in devices
    )
    return campaign


@transaction.atomic
def reimage_campaign_close(*, campaign: ReimageCampaign, actor) -> ReimageCampaign:
    if not _may_start(actor):
        raise ActionForbidden(_("Only a manager may close a re-image campaign."))
    updated = ReimageCampaign.objects.filter(pk=campaign.pk, closed_at__isnull=True).update(closed_at=timezone.now())
    if not updated:
        raise TransitionNotPossible(_("This re-image campaign is already closed."))
    return ReimageCampaign.objects.get(pk=campaign.pk)


def may_reimage(*, user, campaign: ReimageCampaign) -> bool:
    return fleet.role_of(user) in (Role.TECHNICIAN, Role.MANAGER) and fleet.can_act_for_establishment(
        user=user, establishment=campaign.establishment
    )


@transaction.atomic
def campaign_device_reimage(*, campaign: ReimageCampaign, device: Device, actor) -> dict:
    """A technician re-imaged a listed laptop on site: recorded like any re-image (devices.services)."""
    if not may_reimage(user=actor, campaign=campaign):
        raise ActionForbidden(_("Only a technician of the establishment's zone may record a re-image."))
    if campaign.closed_at is not None:
        raise TransitionNotPossible(_("This re-image campaign is closed."))
    if not ReimageCampaignDevice.objects.filter(campaign=campaign, device=device).exists():
        raise ValidationError({"device": _("This laptop is not on the campaign's list.")})
    device = Device.objects.select_for_update().get(pk=device.pk)
    image = MasterImage.objects.filter(academie=campaign.establishment.academie, is_current=True).first()
    if device.status in OUT_OF_SERVICE:
        raise ValidationError({"device": _("This laptop is retired or lost.")})
    if image is None or device.image_id == image.pk:
        raise TransitionNotPossible(_("This laptop already runs the current master image."))
    return device_reimage(device=device, image=image)
