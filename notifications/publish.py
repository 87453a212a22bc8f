"""Waking a worker up for an outbox row: the one door from the outbox's services to Celery.

Imports inside this app run one way — `tasks` → `services` → `publish` — so no module imports
another that imports it back. The services decide *when* a row needs a worker (after the commit
that wrote it, or when the sweep finds it overdue) and say so here; they never import the tasks,
since the tasks import them. The Celery side is plugged in once every module is loaded:
`NotificationsConfig.ready()` hands `tasks.publish_delivery` to `publisher_set()`.

A process that publishes before the apps are ready is a bug, and `publish` says so (the row is
still safe: it stays pending and the sweep finds it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

Publisher = Callable[[int], bool]
_publisher: Publisher | None = None


def publisher_set(publisher: Publisher) -> None:
    """Install what wakes a worker up for one row id; it returns False when the broker refused."""
    global _publisher
    _publisher = publisher


def publish(notification_id: int) -> bool:
    """Wake a worker up for one row now; False when the broker could not be reached."""
    if _publisher is None:
        raise ImproperlyConfigured("No outbox publisher: the notifications app is not ready (django.setup()).")
    return _publisher(notification_id)


def publish_after_commit(notification_id: int) -> None:
    """Wake a worker up once the caller's transaction commits (never for a rolled-back row)."""
    transaction.on_commit(partial(publish, notification_id))
