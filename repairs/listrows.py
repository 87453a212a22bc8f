"""The rows of the web's ticket tables read as plain values rather than model instances.

A table of 50 tickets built five model instances per row (the ticket with its device, model,
establishment and assignee, each through Django's deferred-field machinery): about a quarter of
the queue page's CPU, more than its query. The tables (repairs/ticket_table.py) and the cursors
(repairs/keyset.py) read a dozen attributes; a `Row` has exactly those, under the same names, read
from the same query with the same conversions (values_list applies the fields' converters).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.query import ValuesListIterable

# What a table and a cursor read, in the order of the query's columns.
COLUMNS = (
    "pk", "reference", "state", "category", "priority", "declared_at", "resolution_due_at", "due_key",
    "first_response_breached", "resolution_breached", "sla_at_risk",
    "device__asset_tag", "device__serial_number",
    "establishment_id", "establishment__name",
    "assignee_id", "assignee__username", "assignee__first_name", "assignee__last_name",
)  # fmt: skip


class Device:
    __slots__ = ("asset_tag", "serial_number")

    def __init__(self, asset_tag: str, serial_number: str):
        self.asset_tag, self.serial_number = asset_tag, serial_number


class Place:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


class Person:
    __slots__ = ("first_name", "last_name", "username")

    def __init__(self, username: str, first_name: str, last_name: str):
        self.username, self.first_name, self.last_name = username, first_name, last_name

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()  # as django.contrib.auth's User


class Row:
    __slots__ = (
        "assignee",
        "assignee_id",
        "category",
        "declared_at",
        "device",
        "due_key",
        "establishment",
        "establishment_id",
        "first_response_breached",
        "pk",
        "priority",
        "reference",
        "resolution_breached",
        "resolution_due_at",
        "sla_at_risk",
        "state",
        "values",
    )  # fmt: skip

    def __init__(self, values: tuple):
        self.values = values  # all that the row's drawing depends on (repairs/ticket_table.py keeps it drawn)
        (
            self.pk, self.reference, self.state, self.category, self.priority, self.declared_at,
            self.resolution_due_at, self.due_key, self.first_response_breached, self.resolution_breached,
            self.sla_at_risk, asset_tag, serial_number, self.establishment_id, place,
            self.assignee_id, username, first_name, last_name,
        ) = values  # fmt: skip
        self.device = Device(asset_tag, serial_number)
        self.establishment = Place(place) if self.establishment_id is not None else None
        self.assignee = Person(username, first_name, last_name) if self.assignee_id is not None else None

    def __repr__(self) -> str:
        return f"<Row {self.reference}>"


class RowIterable(ValuesListIterable):
    def __iter__(self):
        for values in super().__iter__():
            yield Row(values)


def as_rows(queryset: QuerySet) -> QuerySet:
    """`queryset` (filtered, ordered, not yet sliced) yielding `Row`s: filter, order and slice it
    as before; only what it yields changes."""
    rows = queryset.values_list(*COLUMNS)
    rows._iterable_class = RowIterable
    return rows
