"""Comments and attachments: anyone who sees an open ticket may add them (not supervisors)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from repairs import permissions
from repairs.limits import TEXT_LIMITS
from repairs.messages import announce
from repairs.models import Attachment, Ticket, TimelineEntry
from repairs.services.core import action_check
from repairs.uploads import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_TICKET, clean_filename, sniff, upload_clean

COMMENT_MAX_LENGTH = TEXT_LIMITS["text"]


@transaction.atomic
def ticket_comment(*, ticket: Ticket, actor, text: str, expected_version: int | None = None) -> TimelineEntry:
    action_check(
        ticket=ticket,
        allowed=permissions.may_comment(user=actor, ticket=ticket),
        refusal=_("You may not comment on this ticket."),
        expected_version=expected_version,
    )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The comment is empty.")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError({"text": _("A comment is at most %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}})
    # Comments do not bump the version: two people may comment at once without conflict.
    entry = TimelineEntry.objects.create(ticket=ticket, actor=actor, kind=TimelineEntry.Kind.COMMENT, note=text)
    announce(entry=entry)
    return entry


@transaction.atomic
def ticket_attach(*, ticket: Ticket, actor, upload) -> Attachment:
    """Attach a photo or PDF, identified by its content (repairs/uploads.py)."""
    action_check(
        ticket=ticket,
        allowed=permissions.may_comment(user=actor, ticket=ticket),
        refusal=_("You may not add files to this ticket."),
        expected_version=None,
    )
    if upload is None:
        raise ValidationError({"file": _("Choose a file to attach.")})
    if ticket.attachments.count() >= MAX_ATTACHMENTS_PER_TICKET:
        raise ValidationError(
            {"file": _("A ticket holds at most %(max)d files.") % {"max": MAX_ATTACHMENTS_PER_TICKET}}
        )
    if getattr(upload, "size", 0) > MAX_ATTACHMENT_BYTES:
        sniff(b"\0" * (MAX_ATTACHMENT_BYTES + 1))  # the size error, without reading it all
    data, kind = upload_clean(upload.read(MAX_ATTACHMENT_BYTES + 1))
    attachment = Attachment(
        ticket=ticket,
        token=secrets.token_hex(16),
        original_name=clean_filename(getattr(upload, "name", ""), kind.extension),
        content_type=kind.content_type,
        extension=kind.extension,
        size=len(data),
        uploaded_by=actor,
    )
    attachment.file.save(f"{attachment.token}.{kind.extension}", ContentFile(data), save=False)
    try:
        attachment.save()
        TimelineEntry.objects.create(
            ticket=ticket,
            actor=actor,
            kind=TimelineEntry.Kind.ATTACHMENT,
            note=attachment.original_name,
            payload={"attachment": attachment.pk, "type": kind.content_type, "size": len(data)},
        )
    except Exception:
        attachment.file.delete(save=False)  # no orphan file for a row that was never written
        raise
    return attachment
