"""The fleet (SPEC §2): establishments, laptops, master images, warranties, and who holds what.

Invariants that matter are database constraints, so they hold for imports, the admin, raw SQL and
concurrent writers alike: one current image per académie, one open assignment per device and per
student, serial numbers stored upper-case, académie consistent with département.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class Academie(models.TextChoices):
    TOULOUSE = "toulouse", _("Toulouse")
    MONTPELLIER = "montpellier", _("Montpellier")


class Departement(models.TextChoices):
    ARIEGE = "09", "09 Ariège"
    AUDE = "11", "11 Aude"
    AVEYRON = "12", "12 Aveyron"
    GARD = "30", "30 Gard"
    HAUTE_GARONNE = "31", "31 Haute-Garonne"
    GERS = "32", "32 Gers"
    HERAULT = "34", "34 Hérault"
    LOT = "46", "46 Lot"
    LOZERE = "48", "48 Lozère"
    HAUTES_PYRENEES = "65", "65 Hautes-Pyrénées"
    PYRENEES_ORIENTALES = "66", "66 Pyrénées-Orientales"
    TARN = "81", "81 Tarn"
    TARN_ET_GARONNE = "82", "82 Tarn-et-Garonne"


ACADEMIE_DEPARTEMENTS: dict[str, tuple[str, ...]] = {
    Academie.TOULOUSE: ("09", "12", "31", "32", "46", "65", "81", "82"),
    Academie.MONTPELLIER: ("11", "30", "34", "48", "66"),
}
DEPARTEMENT_ACADEMIE: dict[str, str] = {
    dep: academie for academie, deps in ACADEMIE_DEPARTEMENTS.items() for dep in deps
}


def academie_for_departement(departement: str) -> str:
    return DEPARTEMENT_ACADEMIE[departement]


class FaultCategory(models.TextChoices):
    """Kinds of fault (values are part of the contract, SPEC §3).

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


class Zone(models.Model):
    """A technician zone: a set of establishments (through Establishment.zone), or the depot."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_depot = models.BooleanField(_("depot"), default=False)

    class Meta:
        verbose_name = _("technician zone")
        verbose_name_plural = _("technician zones")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


uai_validator = RegexValidator(r"^[0-9]{7}[A-Za-z]$", _("A UAI code is 7 digits followed by a letter, e.g. 0310024H."))


class Establishment(models.Model):
    class Kind(models.TextChoices):
        LGT = "lgt", _("General and technological lycée")
        LP = "lp", _("Vocational lycée")
        POLYVALENT = "polyvalent", _("Multi-track lycée")
        AGRICOLE = "agricole", _("Agricultural lycée")
        EREA = "erea", _("EREA")

    class Sector(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    uai = models.CharField(_("UAI code"), max_length=8, unique=True, validators=[uai_validator])
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=120)
    departement = models.CharField(_("département"), max_length=2, choices=Departement.choices)
    # Derived from the département on save; stored so that reports can group and filter on it.
    academie = models.CharField(_("académie"), max_length=16, choices=Academie.choices, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LGT)
    sector = models.CharField(_("sector"), max_length=8, choices=Sector.choices, default=Sector.PUBLIC)
    lycee_numerique = models.BooleanField(_("“lycée numérique” label"), default=False)
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("technician zone"),
        on_delete=models.PROTECT,
        related_name="establishments",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="establishment_uai_upper",
                condition=Q(uai=Upper("uai")),
            ),
            models.CheckConstraint(
                name="establishment_academie_matches_departement",
                condition=(
                    Q(academie=Academie.TOULOUSE, departement__in=ACADEMIE_DEPARTEMENTS[Academie.TOULOUSE])
                    | Q(academie=Academie.MONTPELLIER, departement__in=ACADEMIE_DEPARTEMENTS[Academie.MONTPELLIER])
                ),
            ),
        ]
        indexes = [models.Index(fields=["academie", "departement"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"

    def save(self, *args, **kwargs):
        self.normalise()
        super().save(*args, **kwargs)

    def normalise(self) -> None:
        self.uai = (self.uai or "").strip().upper()
        if self.departement in DEPARTEMENT_ACADEMIE:
            self.academie = DEPARTEMENT_ACADEMIE[self.departement]

    def clean(self) -> None:
        # Before validate_unique, so that "0310024h" is seen as the existing "0310024H".
        self.normalise()


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


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    STAFF = "staff", _("School staff")
    TECHNICIAN = "technician", _("Technician")
    MANAGER = "manager", _("Manager")
    SUPERVISOR = "supervisor", _("Regional supervisor (read-only)")


class Profile(models.Model):
    """What a Django user is in the program: role, establishment, zone.

    Read it through devices.permissions, never directly in views: that module is the one place
    where roles turn into rights.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="technicians", null=True, blank=True
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # Students (SPEC §7 roster): the establishment's own identifier, never the national INE.
    student_number = models.CharField(
        _("student number"),
        max_length=32,
        blank=True,
        help_text=_("The establishment’s own identifier of the student (never the national INE)."),
    )
    class_name = models.CharField(_("class"), max_length=32, blank=True)
    guardian_email = models.EmailField(_("guardian’s email"), blank=True)
    # Notification preferences (SPEC §4), read by repairs.messages: the outbox knows no profiles.
    notify_by_email = models.BooleanField(_("notify by email"), default=True)
    notify_by_sms = models.BooleanField(_("notify by SMS"), default=False)
    daily_digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_(
            "School staff: one email a day listing the establishment's ticket events, instead of one per event."
        ),
    )
    language = models.CharField(
        _("language of messages"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the site's language (French)."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                name="profile_school_people_have_establishment",
                condition=~Q(role__in=["student", "staff"]) | Q(establishment__isnull=False),
            ),
            models.CheckConstraint(
                name="profile_technician_has_zone", condition=~Q(role="technician") | Q(zone__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["establishment", "student_number"],
                condition=~Q(student_number=""),
                name="profile_unique_student_number",
            ),
        ]
        indexes = [models.Index(fields=["role", "establishment"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def clean(self) -> None:
        errors = {}
        if self.role in (Role.STUDENT, Role.STAFF) and not self.establishment_id:
            errors["establishment"] = _("Students and school staff belong to an establishment.")
        if self.role == Role.TECHNICIAN and not self.zone_id:
            errors["zone"] = _("A technician works in a zone.")
        if errors:
            raise ValidationError(errors)


class Assignment(models.Model):
    """A device lent to a student: the distribution history (SPEC §2, §7)."""

    class Channel(models.TextChoices):
        ON_SITE = "on_site", _("At school")
        CARRIER = "carrier", _("Home delivery by carrier")

    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="assignments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="assignments"
    )
    handed_over_at = models.DateTimeField(_("handed over at"))
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.ON_SITE)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    # The student has the laptop in hand: at once at school, on the carrier's delivery at home
    # (null while the parcel travels). The campaign counts a student equipped from this moment.
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-handed_over_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["device"], condition=Q(returned_at__isnull=True), name="assignment_one_open_per_device"
            ),
            models.UniqueConstraint(
                fields=["student"], condition=Q(returned_at__isnull=True), name="assignment_one_open_per_student"
            ),
            models.CheckConstraint(
                name="assignment_returned_after_handover",
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("handed_over_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device} → {self.student}"


school_year_validator = RegexValidator(r"^20[0-9]{2}-20[0-9]{2}$", _("A school year is written 2026-2027."))


class DistributionCampaign(models.Model):
    """Per school year and establishment, how many students are to be equipped (SPEC §7)."""

    school_year = models.CharField(_("school year"), max_length=9, validators=[school_year_validator])
    establishment = models.ForeignKey(
        Establishment, verbose_name=_("establishment"), on_delete=models.CASCADE, related_name="campaigns"
    )
    target_students = models.PositiveIntegerField(_("students to equip"))
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))

    class Meta:
        verbose_name = _("distribution campaign")
        verbose_name_plural = _("distribution campaigns")
        ordering = ["-school_year", "establishment"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "establishment"], name="campaign_unique_per_year"),
            models.CheckConstraint(name="campaign_ends_after_start", condition=Q(ends_on__gte=F("starts_on"))),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} {self.establishment}"
