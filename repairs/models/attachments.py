"""Files attached to a ticket (photos, PDFs), stored under a name of ours."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from repairs.models.tickets import Ticket


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is ours, not the uploader's: nothing they type reaches the file system.
    return (
        f"tickets/{instance.ticket.declared_at:%Y/%m}/{instance.ticket.reference}/{instance.token}.{instance.extension}"
    )


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=32, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("type"), max_length=64)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, related_name="+", null=True
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
