"""Querysets compiled to SQL once per process for each shape, then only executed.

On SQLite the queue page's queries take about 1 ms to run and several to build and compile: the
ORM turns the same filters into the same SQL on every request (a person with their profile, the
rows per state of a zone, its overdue loaners, its establishments, the first page of its queue).
`evaluate(key, build)` compiles `build()` the first time a key is seen and afterwards runs the
kept SQL with the kept parameters, through Django's own iterables: the same rows, conversions and
model instances as `list(build())`. Only SQL text is kept, never a row: what a query returns is
read from the database on every call, so a write shows on the next request.

The key must name everything `build` reads (the person's scope, the day…): the same key must give
the same SQL and parameters. With COMPILED_SQL_CHECK (on in the test profile) every call builds
and compiles the queryset again and fails loudly if the kept SQL or parameters differ, so the
whole test suite checks the keys. `values` are parameters that vary within one key (a person's
id): kept apart from the key once two calls have shown where they stand in the parameters.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import Query

MAX_KEYS = 512  # shapes × scopes: a region has a few dozen zones, 370 establishments


class _KeptQuery(Query):
    """A query whose compiler comes compiled: `as_sql` answers the kept SQL and parameters."""

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        kept = self._kept_compiler
        compiler = _fresh(kept)
        compiler.connection = connection if connection is not None else connections[using]
        compiler.using = using
        sql, params = self._kept_sql, self._kept_params
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        compiler.get_converters = lambda expressions: _converters(kept, compiler, expressions)
        return compiler


def _converters(kept, compiler, expressions) -> dict:
    """The columns' converters of a kept statement, worked out once per connection: the same
    columns on the same connection (its operations are bound in them) have the same converters,
    and working them out again on each run was some 7 % of a ticket page's CPU."""
    columns = tuple(map(id, expressions))  # the kept compiler's own objects, alive as long as it is
    cached = kept.__dict__.get("_kept_converters")
    if cached is not None and cached[0] is compiler.connection and cached[1] == columns:
        return cached[2]
    converters = type(compiler).get_converters(compiler, expressions)
    kept._kept_converters = (compiler.connection, columns, converters)
    return converters


def _fresh(template):
    """A new object with the attributes of `template`, not one of them copied: copy.copy would go
    through __getstate__, and a QuerySet's evaluates it (its rows would then be kept, stale)."""
    obj = object.__new__(type(template))
    obj.__dict__.update(template.__dict__)
    return obj


class _Entry:
    __slots__ = ("compiler", "params", "query", "queryset", "slots", "sql")

    def __init__(self, queryset: QuerySet, compiler, sql: str, params: tuple, slots: tuple[int, ...]):
        self.compiler, self.sql, self.params, self.slots = compiler, sql, params, slots
        query = _fresh(queryset.query)
        query.__class__ = _KeptQuery
        self.query = query
        self.queryset = _fresh(queryset)  # never evaluated: each run evaluates a new one

    def parameters(self, values: tuple) -> tuple:
        if not values:
            return self.params
        params = list(self.params)
        for slot, value in zip(self.slots, values, strict=True):
            params[slot] = value
        return tuple(params)

    def run(self, values: tuple) -> list:
        query = _fresh(self.query)
        query._kept_compiler, query._kept_sql, query._kept_params = self.compiler, self.sql, self.parameters(values)
        queryset = _fresh(self.queryset)
        queryset._query = query  # not through QuerySet.query's setter, which resets the iterable class
        return list(queryset)


# key → the kept statement, or None for a shape that cannot be kept. A plain dict (its operations
# are atomic under the GIL), emptied when full rather than ordered by use.
_KEPT: dict[tuple, _Entry | None] = {}


def _slots(params: tuple, values: tuple) -> tuple[int, ...] | None:
    """Where each value stands in the parameters: once each, or None (then never kept apart)."""
    slots = []
    for value in values:
        if type(value) not in (int, str):
            return None
        found = [index for index, param in enumerate(params) if type(param) is type(value) and param == value]
        if len(found) != 1:
            return None
        slots.append(found[0])
    return tuple(slots)


def _probe(value):
    """Another value of the same type, to see where a value goes in the parameters."""
    return value + 7919 if type(value) is int else f"{value}\x00probe"


def _compile(queryset: QuerySet):
    if type(queryset.query) is not Query:
        return None
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    return compiler, sql, tuple(params)


def _keep(build: Callable[..., QuerySet], values: tuple, queryset: QuerySet) -> _Entry | None:
    compiled = _compile(queryset)
    if compiled is None:
        return None
    compiler, sql, params = compiled
    slots = _slots(params, values)
    if slots is None:
        return None
    entry = _Entry(queryset, compiler, sql, params, slots)
    if values:
        # The same shape built with other values must differ exactly where the values stand.
        probes = tuple(_probe(value) for value in values)
        other = _compile(build(*probes))
        if other is None or other[1] != sql or other[2] != entry.parameters(probes):
            return None
    return entry


def evaluate(key: tuple, build: Callable[..., QuerySet], *values) -> list:
    """list(build(*values)), its SQL compiled once per process for each `key` (see above)."""
    full_key = (key, len(values))
    entry = _KEPT.get(full_key, False)
    if entry is None:  # a shape that cannot be kept
        return list(build(*values))
    if entry is False:
        queryset = build(*values)
        entry = _keep(build, values, queryset)
        if len(_KEPT) >= MAX_KEYS:
            _KEPT.clear()
        _KEPT[full_key] = entry
        if entry is None:
            return list(queryset)
    elif getattr(settings, "COMPILED_SQL_CHECK", False):
        compiled = _compile(build(*values))
        if compiled is None or compiled[1] != entry.sql or compiled[2] != entry.parameters(values):
            raise AssertionError(f"compiled_sql: the key {key!r} does not name all that its SQL depends on")
    return entry.run(values)


def forget() -> None:
    """Drop every kept statement (tests that change the database's settings)."""
    _KEPT.clear()
