"""The campaign's own record: what happened at the desk, by whom, when.

Who holds which laptop is the fleet's `Assignment`; this table is the history around it (a
hand-over and its charter, a re-image on the spot, an undo, a delivery, a return and its
condition), kept even when an undone hand-over erased its assignment.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from devices.models import Assignment, Device


class Condition(models.TextChoices):
    """How a laptop comes back at the end of schooling."""

    GOOD = "good", _("Good condition")
    WORN = "worn", _("Normal wear")
    DAMAGED = "damaged", _("Damaged")


class HandoverEvent(models.Model):
    class Kind(models.TextChoices):
        HANDED_OVER = "handed_over", _("Handed over")
        REIMAGED = "reimaged", _("Re-imaged on the spot")
        UNDONE = "undone", _("Hand-over undone")
        DELIVERED = "delivered", _("Delivered")
        RETURNED = "returned", _("Returned")

    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    # Null once an undo erased the assignment: device and student keep the row meaningful.
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    condition = models.CharField(_("condition"), max_length=8, choices=Condition.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    # What the event carries besides: the charter's version, the channel and carrier, the image
    # versions of a re-image, the device's status before the hand-over, the ticket a return opened.
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("hand-over event")
        verbose_name_plural = _("hand-over events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["assignment", "kind"]), models.Index(fields=["student", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.device_id} → {self.student_id}"


class EquippedDay(models.Model):
    """Students equipped, per establishment (the student's, as enrolled now), day the laptop
    reached them and day it was given back (9999-12-31 while held): what the campaign dashboard
    reads instead of every assignment. Kept by the database (distribution/triggers.py), never
    written by the application."""

    establishment = models.ForeignKey(
        "devices.Establishment", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    delivered_on = models.DateField()
    returned_on = models.DateField()
    students = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["establishment", "delivered_on", "returned_on"], name="equippedday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.establishment_id} {self.delivered_on} → {self.returned_on}: {self.students}"
