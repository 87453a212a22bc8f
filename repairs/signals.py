"""Reactions to changes made outside the ticket services (the admin, a shell): connected by
`RepairsConfig.ready`, so that no model module knows about Celery."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

from repairs.jobs import enqueue_after_commit
from repairs.models import Closure, SlaPolicy


def recompute_open_tickets(sender, instance, **kwargs) -> None:
    """A policy or a closure changed: recompute the open tickets it may touch, after commit."""
    establishment_id = getattr(instance, "establishment_id", None)
    enqueue_after_commit("repairs.tasks.sla_recompute_open", establishment_id=establishment_id)


def connect() -> None:
    for model in (SlaPolicy, Closure):
        post_save.connect(recompute_open_tickets, sender=model, dispatch_uid=f"sla-recompute-{model.__name__}")
        post_delete.connect(recompute_open_tickets, sender=model, dispatch_uid=f"sla-recompute-del-{model.__name__}")


# Sent when someone opens a ticket's page or API detail (`ticket=`) or a laptop's (`device=`), with
# `reader=` the person. The privacy app records who read a student's file; repairs knows nothing
# of it (it sits above repairs).
file_read = Signal()
