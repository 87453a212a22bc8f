"""Work handed to the Celery worker once the caller's transaction commits.

Tasks are sent by name so that the modules which enqueue work (services, signals) never import
`repairs.tasks`, which imports them: the tasks are registered at start-up by `RepairsConfig.ready`.
Without a broker, Celery runs them eagerly in the process (README, "Two commands").
"""

from __future__ import annotations

from functools import partial

from celery import current_app
from django.db import transaction


def _send(name: str, kwargs: dict) -> None:
    current_app.tasks[name].apply_async(kwargs=kwargs)


def enqueue_after_commit(name: str, **kwargs) -> None:
    transaction.on_commit(partial(_send, name, kwargs))
