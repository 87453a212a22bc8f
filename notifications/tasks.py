"""Celery interface of the outbox: thin tasks that call one service each.

Rows are the truth; a message on the broker is only a wake-up call. Retries use short backoffs
capped well under Redis' visibility timeout; anything later (the sweep, the digest) is a periodic
task reading rows, never a long countdown that would outlive the broker's redelivery window.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import Retry
from django.conf import settings
from kombu.exceptions import OperationalError

from notifications import services
from notifications.channels import ChannelError

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(ChannelError,),
    retry_backoff=settings.NOTIFICATIONS_RETRY_BACKOFF,
    retry_backoff_max=settings.NOTIFICATIONS_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    # The row counts attempts and decides when to give up; Celery may stop retrying a little
    # later, never earlier (a row it abandons while pending is picked up by the sweep).
    max_retries=settings.NOTIFICATIONS_MAX_ATTEMPTS,
    # Killed before its lease ends (prefork pool): the row stays "sending" and the sweep hands it
    # to another worker only once this one can no longer send it.
    time_limit=settings.NOTIFICATIONS_SENDING_LEASE - 10,
)
def deliver_notification(self, notification_id: int) -> None:
    services.notification_deliver(notification_id=notification_id)  # a no-op once sent


@shared_task
def sweep_outbox() -> int:
    return services.outbox_sweep()


@shared_task
def send_digests() -> int:
    return services.digests_send()


def publish_delivery(notification_id: int) -> bool:
    """Wake a worker up for one row; run after commit. Never raises: when the broker is down the
    request that committed the row must still succeed, and the row waits for the sweep.
    Without a broker (eager mode) this delivers in-process, and any error is logged the same way."""
    try:
        deliver_notification.delay(notification_id)
    except Retry:
        # Eager mode: the attempt failed and Celery cannot wait in-process; the row records the
        # error and stays pending for the sweep (manage.py sweep_outbox without a broker).
        logger.warning("notification %s: delivery failed, left pending for the sweep", notification_id)
    except OperationalError as exc:  # the broker is down or unreachable: expected, said in one line
        logger.warning("notification %s: not enqueued (%s), left for the sweep", notification_id, exc)
        return False
    except Exception:  # anything else is a bug worth its traceback, but still not the request's failure
        logger.exception("notification %s: not enqueued, left for the sweep", notification_id)
        return False
    return True
