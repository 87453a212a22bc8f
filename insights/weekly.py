"""A window of instants read from the weekly counts (insights/models.py) and the tickets.

The counts hold whole weeks (Monday 00:00 UTC to the next); a window [since, until) starts and
ends anywhere, so its whole weeks come from the counts and the two partial weeks at its ends from
the tickets, through the same indexes as before (at most a week of tickets in all when the window
is a whole number of weeks long). The sum is exactly what the tickets alone give.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet


def week_start(instant: dt.datetime) -> dt.datetime:
    """The Monday 00:00 UTC at or before `instant`: the week the counts file it under."""
    day = instant.astimezone(dt.UTC).date()
    return dt.datetime.combine(day - dt.timedelta(days=day.weekday()), dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True)
class Window:
    weeks: Q  # on the counts: the whole weeks
    edges: tuple[Q, ...]  # on the tickets' field: the partial weeks, one range each

    def union(self, kept: QuerySet, tickets: Callable[[Q], QuerySet]) -> QuerySet:
        """One query: the counts' rows, then the tickets' rows of each partial week. A range a
        branch: SQLite's planner then reads each from the index on the date, as for a window."""
        return kept.filter(self.weeks).union(*(tickets(edge) for edge in self.edges), all=True)


def split(*, since: dt.datetime, until: dt.datetime, field: str) -> Window:
    first = week_start(since)
    if first < since:
        first += dt.timedelta(weeks=1)
    last = week_start(until)
    if last <= first:  # no whole week inside: the tickets alone
        return Window(Q(week__in=[]), (Q(**{f"{field}__gte": since, f"{field}__lt": until}),))
    ranges = [(since, first), (last, until)]
    edges = tuple(Q(**{f"{field}__gte": start, f"{field}__lt": end}) for start, end in ranges if start < end)
    return Window(Q(week__gte=first.date(), week__lt=last.date()), edges)
