"""The outbox: write a notification with the change that causes it, deliver it once, after commit.

- `outbox_add` writes a pending row in the caller's transaction and wakes a worker after commit.
- `notification_deliver` (the Celery task's body) claims the row with a conditional UPDATE, sends
  it, and records the outcome: two workers, a redelivered message or a re-run never send twice.
- `outbox_sweep` (Celery beat) re-enqueues rows whose wake-up call was lost, e.g. because the
  broker was down when the change was committed.
- `digests_send` (Celery beat, daily) turns each recipient's collected "digest" rows into one email.

Waking workers up goes through `notifications.publish`, never through the tasks module (which
imports this one): see that module for how the Celery side is plugged in.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.transaction import TransactionManagementError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from notifications.channels import SENDERS, ChannelError, OutgoingMessage, message_id_for
from notifications.models import Notification
from notifications.publish import publish, publish_after_commit

logger = logging.getLogger(__name__)

Channel, Status = Notification.Channel, Notification.Status
DELIVERED_CHANNELS = (Channel.EMAIL, Channel.SMS)


def outbox_add(
    *,
    recipient,
    channel: str,
    event: str,
    subject: str,
    body: str,
    html_body: str = "",
    idempotency_key: str,
    link: str = "",
    address: str = "",
    language: str = "",
) -> Notification | None:
    """Write one pending notification in the caller's transaction; it is delivered after commit.

    Precondition: called inside `transaction.atomic`, so that the row commits or rolls back with
    the change it reports. Returns None and writes nothing when a row with this idempotency key
    exists already. `address` defaults to the recipient's email (email and digest channels); an
    SMS needs the phone number, which this app does not know where to find.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("outbox_add() must be called inside transaction.atomic().")
    if channel not in Channel.values:
        raise ValueError(f"Unknown notification channel {channel!r}.")
    address = address or ("" if channel == Channel.SMS else recipient.email)
    if not address:
        raise ValueError(f"No {channel} address for {recipient}: skip this recipient instead.")
    notification = Notification(
        recipient=recipient,
        address=address,
        channel=channel,
        event=event,
        language=language or settings.LANGUAGE_CODE,
        subject=subject[:255],
        body=body,
        html_body=html_body,
        link=link,
        idempotency_key=idempotency_key,
    )
    if not _insert_unless_duplicate(notification):
        return None
    if channel in DELIVERED_CHANNELS:
        publish_after_commit(notification.pk)
    return notification


def _insert_unless_duplicate(notification: Notification) -> bool:
    """Insert the row, or nothing when its idempotency key exists: one statement on both databases
    (ON CONFLICT on that key only, so that any other violation still raises). It replaces a save
    in a savepoint, whose SAVEPOINT and RELEASE were two more statements in every declaration."""
    connection = transaction.get_connection()
    quote, table = connection.ops.quote_name, Notification._meta.db_table
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(notification, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 - the model's own names
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT ({quote('idempotency_key')}) DO NOTHING RETURNING {quote(Notification._meta.pk.column)}",
            values,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    notification.pk = row[0]
    notification._state.adding, notification._state.db = False, connection.alias
    return True


def _retry_delay(attempts: int) -> dt.timedelta:
    """When the task's own retry (Celery's retry_backoff, same factor and cap) is due at the latest."""
    seconds = settings.NOTIFICATIONS_RETRY_BACKOFF * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.NOTIFICATIONS_RETRY_BACKOFF_MAX))


def notification_deliver(*, notification_id: int) -> bool:
    """Send one notification unless it was sent already; True when it was sent now.

    Raises ChannelError when the channel failed and attempts remain (the task retries on it);
    after the last attempt the row is marked failed with the error, and nothing is raised.
    """
    now = timezone.now()
    lease = now - dt.timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE)
    # The claim: one UPDATE that only one worker can win. A row stuck in "sending" past the lease
    # belongs to a worker that died mid-send; it may be taken again (at-least-once in that window).
    claimed = Notification.objects.filter(
        Q(status=Status.PENDING) | Q(status=Status.SENDING, claimed_at__lt=lease),
        pk=notification_id,
        channel__in=DELIVERED_CHANNELS,
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        logger.debug("notification %s: nothing to do (sent, failed, taken or gone)", notification_id)
        return False
    notification = Notification.objects.get(pk=notification_id)
    mine = Notification.objects.filter(pk=notification_id, status=Status.SENDING, claimed_at=now)
    message = OutgoingMessage(
        address=notification.address,
        subject=notification.subject,
        body=notification.body,
        html_body=notification.html_body,
        message_id=message_id_for(f"{notification.pk}.{notification.created_at:%Y%m%d%H%M%S%f}"),
    )
    try:
        SENDERS[notification.channel](message=message)
    except ChannelError as exc:
        error = str(exc)[:2000]
        if notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            mine.update(status=Status.FAILED, last_error=error, claimed_at=None)
            logger.error("notification %s failed after %s attempts: %s", notification_id, notification.attempts, error)
            return False
        mine.update(
            status=Status.PENDING,
            last_error=error,
            claimed_at=None,
            next_attempt_at=now + _retry_delay(notification.attempts),
        )
        logger.warning("notification %s: attempt %s failed: %s", notification_id, notification.attempts, error)
        raise
    except Exception as exc:
        # Not the channel: a bug, which retrying will not fix. Failed, visible, resendable once fixed.
        mine.update(status=Status.FAILED, last_error=f"{exc.__class__.__name__}: {exc}"[:2000], claimed_at=None)
        raise
    mine.update(status=Status.SENT, sent_at=timezone.now(), claimed_at=None)
    return True


@transaction.atomic
def notification_resend(*, notification: Notification) -> bool:
    """Give a failed notification a fresh set of attempts; False if it had not failed."""
    reset = Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, claimed_at=None, next_attempt_at=timezone.now()
    )
    if reset:
        publish_after_commit(notification.pk)
    return bool(reset)


def outbox_sweep(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Re-enqueue rows whose delivery is overdue by more than NOTIFICATIONS_SWEEP_AFTER seconds
    (their message was lost or never published) and rows claimed by a dead worker. Returns how
    many were published; stops at the first publish failure, since the broker is still down."""
    now = now or timezone.now()
    overdue = now - dt.timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER)
    lease = now - dt.timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE)
    ids = list(
        Notification.objects.filter(
            Q(status=Status.PENDING, next_attempt_at__lt=overdue) | Q(status=Status.SENDING, claimed_at__lt=lease),
            channel__in=DELIVERED_CHANNELS,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    published = []
    for notification_id in ids:
        if not publish(notification_id):
            break
        published.append(notification_id)
    # Not again before another NOTIFICATIONS_SWEEP_AFTER: a busy worker is not a lost message.
    Notification.objects.filter(pk__in=published, status=Status.PENDING).update(next_attempt_at=now)
    if published:
        logger.info("outbox sweep: re-enqueued %s notification(s)", len(published))
    return len(published)


def digest_send(*, recipient_id: int, now: dt.datetime) -> Notification | None:
    """Bundle one recipient's digest rows written before `now` into one email (today's)."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(recipient_id=recipient_id, channel=Channel.DIGEST, status=Status.PENDING, created_at__lt=now)
            .order_by("created_at", "pk")
        )
        if not rows:
            return None
        latest, recipient, day = rows[-1], rows[0].recipient, timezone.localdate(now)
        language = latest.language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {
                "items": rows,
                "day": day,
                "recipient_name": recipient.first_name or recipient.get_username(),
                "language": language,
            }
            digest = outbox_add(
                recipient=recipient,
                channel=Channel.EMAIL,
                event="digest",
                subject=ngettext(
                    "Daily summary of %(day)s: %(count)d event", "Daily summary of %(day)s: %(count)d events", len(rows)
                )
                % {"day": day.strftime("%d/%m/%Y"), "count": len(rows)},
                body=render_to_string("notifications/digest.txt", context).strip() + "\n",
                html_body=render_to_string("notifications/digest.html", context),
                idempotency_key=f"digest:{recipient_id}:{day.isoformat()}",
                address=latest.address,
                language=language,
            )
        if digest is None:
            return None  # today's digest went out already: these rows wait for tomorrow's
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(status=Status.BUNDLED, digest=digest)
        return digest


def digests_send(*, now: dt.datetime | None = None) -> int:
    """The daily digest: one email per recipient who has collected rows. Returns how many."""
    now = now or timezone.now()
    recipient_ids = (
        Notification.objects.filter(channel=Channel.DIGEST, status=Status.PENDING, created_at__lt=now)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    return sum(digest_send(recipient_id=recipient_id, now=now) is not None for recipient_id in list(recipient_ids))
