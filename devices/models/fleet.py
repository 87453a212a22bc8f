"""The laptops: fault categories, models, master images, devices and their warranty coverages."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from devices.models.places import Academie, Establishment


class FaultCategory(models.TextChoices):
    """Kinds of fault (values are part of the contract: API, reports, tests).

    The vocabulary lives with the fleet because warranty terms are written over it: what a
    coverage pays for depends on the kind of fault. Tickets use it; the fleet knows no ticket.
    """

    SCREEN = "screen", _("Screen")
    KEYBOARD = "keyboard", _("Keyboard / touchpad")
    BATTERY = "battery", _("Battery / charger")
    BOOT_SOFTWARE = "boot_software", _("Won't boot / software")
    NETWORK = "network", _("Wi-Fi / network")
    ACCIDENTAL_DAMAGE = "accidental_damage", _("Accidental damage")
    LIQUID_DAMAGE = "liquid_damage", _("Liquid damage")
    THEFT_LOSS = "theft_loss", _("Theft / loss")
    OTHER = "other", _("Other")


DAMAGE_CATEGORIES = frozenset({FaultCategory.ACCIDENTAL_DAMAGE, FaultCategory.LIQUID_DAMAGE})


class DeviceModel(models.Model):
    manufacturer = models.CharField(_("manufacturer"), max_length=80)
    name = models.CharField(_("model"), max_length=120)
    warranty_months = models.PositiveSmallIntegerField(
        _("default warranty (months)"), default=36, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("device model")
        verbose_name_plural = _("device models")
        ordering = ["manufacturer", "name"]
        constraints = [models.UniqueConstraint(fields=["manufacturer", "name"], name="devicemodel_unique_name")]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.name}"


class MasterImage(models.Model):
    """A version of "mon cartable numérique", the académie's master image."""

    name = models.CharField(_("name"), max_length=120)
    version = models.CharField(_("version"), max_length=32)
    academie = models.CharField(_("académie"), max_length=16, choices=Academie.choices)
    released_on = models.DateField(_("release date"))
    program_count = models.PositiveIntegerField(_("number of programs"), default=0)
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("master image")
        verbose_name_plural = _("master images")
        ordering = ["academie", "-released_on"]
        constraints = [
            models.UniqueConstraint(fields=["academie", "version"], name="masterimage_unique_version"),
            models.UniqueConstraint(
                fields=["academie"], condition=Q(is_current=True), name="masterimage_one_current_per_academie"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version} ({self.get_academie_display()})"


class Device(models.Model):
    class Status(models.TextChoices):
        IN_STOCK = "in_stock", _("In stock")
        SPARE = "spare", _("Spare / loaner pool")
        ON_LOAN = "on_loan", _("Lent as a loaner")
        ASSIGNED = "assigned", _("Assigned")
        IN_REPAIR = "in_repair", _("In repair")
        # Sent to the manufacturer under warranty: tracked as such until it comes back, even when
        # its student got a replacement meanwhile (a swap).
        AT_MANUFACTURER = "at_manufacturer", _("At the manufacturer")
        RETIRED = "retired", _("Retired")
        LOST = "lost", _("Lost / stolen")

    serial_number = models.CharField(_("serial number"), max_length=64, unique=True)
    asset_tag = models.CharField(_("asset tag"), max_length=32, unique=True)
    model = models.ForeignKey(DeviceModel, verbose_name=_("model"), on_delete=models.PROTECT, related_name="devices")
    # Null means the device sits at the contractor's depot rather than in a school.
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        related_name="devices",
        null=True,
        blank=True,
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_STOCK)
    image = models.ForeignKey(
        MasterImage,
        verbose_name=_("master image"),
        on_delete=models.PROTECT,
        related_name="devices",
        null=True,
        blank=True,
    )
    delivered_on = models.DateField(_("delivery date"), null=True, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["serial_number"]
        constraints = [
            models.CheckConstraint(name="device_serial_upper", condition=Q(serial_number=Upper("serial_number"))),
            models.CheckConstraint(name="device_serial_not_blank", condition=~Q(serial_number="")),
            models.CheckConstraint(name="device_asset_tag_not_blank", condition=~Q(asset_tag="")),
        ]
        indexes = [
            models.Index(fields=["establishment", "status"]),
            # Fleet intelligence (insights/): image drift per establishment and version, and the
            # delivery batches (a model's laptops delivered in one month), each read from an index.
            models.Index(fields=["establishment", "image", "status"], name="device_fleet_image"),
            models.Index(fields=["model", "delivered_on", "status"], name="device_fleet_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.serial_number} ({self.asset_tag})"

    def save(self, *args, **kwargs):
        self.normalise()
        super().save(*args, **kwargs)

    def normalise(self) -> None:
        self.serial_number = normalise_serial(self.serial_number)
        self.asset_tag = (self.asset_tag or "").strip()

    def clean(self) -> None:
        # Before validate_unique, so that "sn 123" is seen as the existing "SN123".
        self.normalise()


def normalise_serial(value: str) -> str:
    """Serial numbers are compared upper-case without surrounding or inner blanks."""
    return "".join((value or "").split()).upper()


class WarrantyCoverage(models.Model):
    class Kind(models.TextChoices):
        MANUFACTURER = "manufacturer", _("Manufacturer warranty")
        EXTENDED = "extended", _("Extended warranty")
        ACCIDENTAL = "accidental", _("Accidental-damage protection")

    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="coverages")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    provider = models.CharField(_("provider"), max_length=120)
    contract_ref = models.CharField(_("contract reference"), max_length=64, blank=True)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    claims_cap = models.PositiveSmallIntegerField(
        _("claims cap"), null=True, blank=True, help_text=_("Accidental-damage protection only.")
    )
    claims_used = models.PositiveSmallIntegerField(_("claims used"), default=0)

    class Meta:
        verbose_name = _("warranty coverage")
        verbose_name_plural = _("warranty coverages")
        ordering = ["device", "starts_on"]
        constraints = [
            models.CheckConstraint(name="coverage_ends_after_start", condition=Q(ends_on__gte=F("starts_on"))),
            models.CheckConstraint(
                name="coverage_accidental_has_cap",
                condition=~Q(kind="accidental") | Q(claims_cap__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["device", "kind", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.provider} {self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y}"
