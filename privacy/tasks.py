"""Celery tasks of the privacy app: thin, idempotent.

- `privacy_purge` (beat, nightly): anonymise and delete what is past its retention period.
"""

from __future__ import annotations

from celery import shared_task

from privacy.purge import privacy_purge as purge


@shared_task(acks_late=True)
def privacy_purge() -> dict[str, int]:
    return purge()
