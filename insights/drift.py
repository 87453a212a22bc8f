"""Image drift: laptops not on their académie's current master image, and the re-image campaigns.

A laptop in a school is outdated when its image is not the current image of the school's
académie (no image at all counts too); a laptop at the depot, when it carries an image that is
no longer its académie's current one (new stock waiting to be imaged is not drift).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from devices import permissions as fleet
from devices.models import Device, Establishment, MasterImage, Role
from insights.models import ReimageCampaign, ReimageCampaignDevice

OUT_OF_SERVICE = (Device.Status.RETIRED, Device.Status.LOST)
NO_IMAGE = "—"


@dataclass
class DriftRow:
    establishment_id: int | None
    uai: str
    name: str
    zone: str
    academie: str
    current: str  # the current version, "" when the académie has none
    devices: int = 0
    outdated: int = 0
    versions: Counter = field(default_factory=Counter)  # outdated laptops by version
    campaign_id: int | None = None

    @property
    def share(self) -> float:
        return self.outdated / self.devices if self.devices else 0.0

    @property
    def version_list(self) -> list[tuple[str, int]]:
        return sorted(self.versions.items())


def current_images() -> dict[str, MasterImage]:
    return {image.academie: image for image in MasterImage.objects.filter(is_current=True)}


def _sees_depot(user) -> bool:
    return fleet.role_of(user) in (Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN)


def drift_by_establishment(*, user) -> list[DriftRow]:
    """Outdated laptops by establishment and version in the user's scope, most outdated first.
    Three queries: establishments, images, laptops grouped by place and image (an index)."""
    images = {image.pk: image for image in MasterImage.objects.all()}
    current = {image.academie: image for image in images.values() if image.is_current}
    places = fleet.visible_establishments(user=user).select_related("zone")
    rows: dict[int | None, DriftRow] = {}
    for e in places:
        image = current.get(e.academie)
        rows[e.pk] = DriftRow(
            e.pk, e.uai, e.name, e.zone.name if e.zone_id else "", e.academie, image.version if image else ""
        )
    depot = _sees_depot(user)
    if depot:
        rows[None] = DriftRow(None, "", "", "", "", "")
    scope = fleet.establishment_filter(user, prefix="establishment__")
    devices = Device.objects.exclude(status__in=OUT_OF_SERVICE)
    if scope is not None:
        devices = devices.filter(scope | Q(establishment__isnull=True)) if depot else devices.filter(scope)
    for item in devices.values("establishment_id", "image_id").annotate(n=Count("id")).order_by():
        row = rows.get(item["establishment_id"])
        if row is None:
            continue
        image = images.get(item["image_id"])
        row.devices += item["n"]
        if row.establishment_id is None:
            if image is None or image.is_current:
                continue
        elif image is not None and image.pk == getattr(current.get(row.academie), "pk", None):
            continue
        row.outdated += item["n"]
        row.versions[image.version if image else NO_IMAGE] += item["n"]
    open_campaigns = dict(
        ReimageCampaign.objects.filter(closed_at__isnull=True, establishment_id__in=[k for k in rows if k]).values_list(
            "establishment_id", "pk"
        )
    )
    for key, campaign in open_campaigns.items():
        rows[key].campaign_id = campaign
    return sorted(
        (row for row in rows.values() if row.outdated), key=lambda r: (-r.outdated, r.establishment_id is None, r.name)
    )


def outdated_devices(*, establishment: Establishment | None) -> QuerySet[Device]:
    """The laptops of a place that are not on its académie's current image."""
    devices = Device.objects.filter(establishment=establishment).exclude(status__in=OUT_OF_SERVICE)
    if establishment is None:
        return devices.filter(image__isnull=False, image__is_current=False)
    current = MasterImage.objects.filter(academie=establishment.academie, is_current=True).first()
    return devices.exclude(image=current) if current else devices


# Re-image campaigns


def visible_campaigns(*, user) -> QuerySet[ReimageCampaign]:
    scope = fleet.establishment_filter(user, prefix="establishment__")
    role = fleet.role_of(user)
    campaigns = ReimageCampaign.objects.all()
    if role not in (Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN, Role.STAFF):
        return campaigns.none()
    return campaigns if scope is None else campaigns.filter(scope)


def campaigns_with_progress(*, user) -> QuerySet[ReimageCampaign]:
    """Each campaign with its counts: laptops listed, re-imaged, gone (left the school, retired,
    lost), in one query."""
    gone = Q(items__device__status__in=OUT_OF_SERVICE)
    return (
        visible_campaigns(user=user)
        .select_related("establishment", "image", "started_by")
        .annotate(
            listed=Count("items"),
            reimaged=Count("items", filter=Q(items__device__image__is_current=True) & ~gone),
            gone=Count("items", filter=gone),
        )
        .order_by("closed_at", "-started_at", "-pk")
    )


@dataclass
class CampaignItem:
    device: Device
    from_version: str
    state: str  # "todo", "done", "gone"


def campaign_items(*, campaign: ReimageCampaign) -> list[CampaignItem]:
    items = (
        ReimageCampaignDevice.objects.filter(campaign=campaign)
        .select_related("device__model", "device__image", "device__establishment", "from_image")
        .order_by("device__asset_tag")
    )
    found = []
    for item in items:
        device = item.device
        if device.status in OUT_OF_SERVICE:
            state = "gone"
        elif device.image_id and device.image.is_current:
            state = "done"
        else:
            state = "todo"
        found.append(CampaignItem(device, item.from_image.version if item.from_image_id else NO_IMAGE, state))
    return found


def campaign_is_open_for(*, establishment: Establishment) -> bool:
    return ReimageCampaign.objects.filter(establishment=establishment, closed_at__isnull=True).exists()
