"""Tickets per establishment and state, kept by the database (repairs/triggers.py).

The queue and the homes show how many tickets each open state holds in a person's scope. Counting
them is a scan of every open ticket in scope (360,000 at a million tickets) on every page; these
rows answer the same question by adding at most one row per establishment and state. Triggers
on the tickets table keep them right whatever writes a ticket: the services, the admin, an
import, a bulk seed or raw SQL.
"""

from __future__ import annotations

from django.db import models

from devices.models import Establishment


class StateCount(models.Model):
    # The same path as Ticket.establishment, so that a person's ticket scope filters these rows too.
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="+", null=True, db_constraint=False
    )
    establishment_key = models.IntegerField()  # the establishment's id, 0 for the depot: the unique key
    state = models.CharField(max_length=20)
    tickets = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["establishment_key", "state"], name="statecount_unique_place_state")
        ]

    def __str__(self) -> str:
        return f"{self.establishment_key} {self.state}: {self.tickets}"
