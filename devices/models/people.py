"""Who holds what: roles and profiles, assignments of laptops to students, the yearly campaigns."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from devices.models.fleet import Device
from devices.models.places import Establishment, Zone


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
    # Students (the roster): the establishment's own identifier, never the national INE.
    student_number = models.CharField(
        _("student number"),
        max_length=32,
        blank=True,
        help_text=_("The establishment’s own identifier of the student (never the national INE)."),
    )
    class_name = models.CharField(_("class"), max_length=32, blank=True)
    guardian_email = models.EmailField(_("guardian’s email"), blank=True)
    # Notification preferences, read by repairs.messages: the outbox knows no profiles.
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
    """A device lent to a student: the distribution history."""

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
        # The campaign dashboard's "today" leaves out laptops delivered after the moment it is
        # computed for; this index makes that look-up read nothing rather than every assignment.
        indexes = [models.Index(fields=["delivered_at"], name="assignment_delivered_at")]

    def __str__(self) -> str:
        return f"{self.device} → {self.student}"


school_year_validator = RegexValidator(r"^20[0-9]{2}-20[0-9]{2}$", _("A school year is written 2026-2027."))


class DistributionCampaign(models.Model):
    """Per school year and establishment, how many students are to be equipped."""

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
