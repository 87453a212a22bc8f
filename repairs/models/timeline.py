"""A ticket's history: one entry per transition, comment, attachment, loaner move or change."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from repairs.models.tickets import Ticket
from repairs.states import State


class TimelineEntry(models.Model):
    """Every transition, comment, attachment and loaner move of a ticket: who, when, from, to, note."""

    class Kind(models.TextChoices):
        DECLARED = "declared", _("Declared")
        TRANSITION = "transition", _("Transition")
        COMMENT = "comment", _("Comment")
        ATTACHMENT = "attachment", _("Attachment")
        LOANER = "loaner", _("Loaner")
        EDIT = "edit", _("Change")

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, related_name="+", null=True
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("action"), max_length=32, blank=True)
    source = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    target = models.CharField(_("to"), max_length=20, choices=State.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.name}"
