"""Hints for SQLite's query planner, which has no statistics about the tickets.

Without statistics SQLite takes any condition an index can answer for a selective one, and
starts from that index: a search that matches 10,000 tickets, or "one of these two states", is
read from its index and then sorted, instead of walking the list's order and keeping the rows
that match until the page is full. The unary plus (`+column`) is SQLite's documented way of
saying "use no index for this condition". PostgreSQL has statistics (and no unary plus on
text), so it gets the condition as it is.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F, Func, QuerySet


class _Unindexed(Func):
    template = "+%(expressions)s"


def unindexed(queryset: QuerySet, field: str):
    """`field` as an expression SQLite will not start from an index for (see filter_unindexed)."""
    if connection.vendor != "sqlite":
        return F(field)
    meta = queryset.model._meta
    return _Unindexed(field, output_field=meta.pk if field == "pk" else meta.get_field(field))


def filter_unindexed(queryset: QuerySet, field: str, values) -> QuerySet:
    """`queryset.filter(<field>__in=values)`, a condition SQLite checks row by row on the walk
    of another index rather than one it starts from."""
    if connection.vendor != "sqlite":
        return queryset.filter(**{f"{field}__in": values})
    meta = queryset.model._meta
    output = meta.pk if field == "pk" else meta.get_field(field)
    alias = f"unindexed_{field}"
    return queryset.alias(**{alias: _Unindexed(field, output_field=output)}).filter(**{f"{alias}__in": values})
