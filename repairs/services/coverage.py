"""Who pays: the proposal at diagnosis, a technician's override, accidental-damage
claims, the manufacturer-warranty condition, and the master image a returned laptop must run."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import services as fleet
from devices.models import Device, MasterImage, WarrantyCoverage
from devices.selectors import coverage_for, current_image
from repairs.models import Ticket
from repairs.states import Coverage


def coverage_override(*, ticket: Ticket, coverage: str | None, reason: str) -> dict:
    """A technician's coverage choice over the proposal: a reason is required. Sets the ticket's
    fields in memory and returns the history payload (empty when nothing is overridden)."""
    if not coverage or (coverage == ticket.coverage and not reason):
        return {}
    if coverage not in Coverage.values:
        raise ValidationError({"coverage": _("Unknown coverage “%(value)s”.") % {"value": coverage}})
    if not (reason or "").strip():
        raise ValidationError({"coverage_reason": _("Give a reason for overriding the proposed coverage.")})
    previous = ticket.coverage
    ticket.coverage, ticket.coverage_reason, ticket.coverage_overridden = coverage, reason.strip(), True
    on = timezone.localdate(ticket.declared_at)
    ticket.warranty = None
    if coverage in WarrantyCoverage.Kind.values:
        ticket.warranty = (
            ticket.device.coverages.filter(kind=coverage, starts_on__lte=on, ends_on__gte=on)
            .order_by("-ends_on")
            .first()
        )
    return {"coverage": {"from": previous, "to": coverage, "reason": ticket.coverage_reason}}


def coverage_propose(ticket: Ticket) -> dict:
    """At diagnosis: what the warranty records and the category say, unless overridden already."""
    if ticket.coverage_overridden:
        return {}
    answer = coverage_for(device=ticket.device, on=timezone.localdate(ticket.declared_at), category=ticket.category)
    ticket.coverage, ticket.warranty = answer.decision, answer.coverage
    ticket.coverage_reason = "\n".join([answer.reason, *answer.considered])
    return {"coverage_proposed": answer.decision}


def claim_needed(ticket: Ticket) -> bool:
    """An accidental-damage repair uses one claim of the protection, once per ticket; refused
    (400) when no protection is active or its cap is reached."""
    if ticket.coverage != Coverage.ACCIDENTAL or ticket.claim_counted:
        return False
    if ticket.warranty_id is None:
        raise ValidationError({"coverage": _("No accidental-damage protection is active for this device.")})
    if not fleet.warranty_claim_available(coverage_id=ticket.warranty_id):
        raise ValidationError({"coverage": _("The accidental-damage protection has reached its claims cap.")})
    return True


def claim_use(ticket: Ticket) -> dict:
    fleet.warranty_claim_use(coverage_id=ticket.warranty_id)  # still refused at the cap under a race
    ticket.claim_counted = True
    return {"claim_counted": True}


def manufacturer_cover_required(ticket: Ticket) -> None:
    on = timezone.localdate(ticket.declared_at)
    covered = ticket.device.coverages.filter(
        kind__in=[WarrantyCoverage.Kind.MANUFACTURER, WarrantyCoverage.Kind.EXTENDED],
        starts_on__lte=on,
        ends_on__gte=on,
    ).exists()
    if not covered:
        raise ValidationError(
            {
                "coverage": _("No manufacturer or extended warranty was active on the declaration date (%(date)s).")
                % {"date": on.strftime("%d/%m/%Y")}
            }
        )


def image_to_install(*, ticket: Ticket, device: Device, reimage: bool) -> MasterImage | None:
    """The device handed back must run its académie's current master image, or be re-imaged now:
    the image to record, None when it already runs it; refused when it is outdated and no
    re-image is recorded."""
    establishment = ticket.establishment or device.establishment
    academie = establishment.academie if establishment else (device.image.academie if device.image_id else None)
    if academie is None:
        return None
    image = current_image(academie=academie)
    if image is None:
        raise ValidationError({"reimage": _("No current master image is set for this académie.")})
    if device.image_id == image.pk:
        return None
    if not reimage:
        raise ValidationError(
            {
                "reimage": _("Device %(device)s runs image %(old)s, not the current %(new)s: re-image it first.")
                % {
                    "device": device.serial_number,
                    "old": device.image.version if device.image_id else "—",
                    "new": image.version,
                }
            }
        )
    return image


def image_install(*, device: Device, image: MasterImage | None) -> dict:
    return {"reimaged": fleet.device_reimage(device=device, image=image)} if image else {}
