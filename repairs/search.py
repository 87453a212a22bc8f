"""Text search over tickets, one selector for both databases.

What a ticket answers to: its reference, its laptop's serial number and asset tag, the name of
the student holding the laptop and of the student who declared it, and its description. The
database keeps those words per ticket (repairs/triggers.py): an FTS5 table on SQLite, a tsvector
with a GIN index on PostgreSQL, accents removed on both sides ("ecran" finds "écran", "Lefevre"
finds "Lefèvre").

Every word typed must match the start of a word of the ticket: "ecr" finds "écran", "0001" finds
RO-000123's "000123", "R-2026-000123" finds its ticket (three words that all match). Words are cut
where the databases cut them, at anything that is not a letter or a digit.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from repairs.queryhints import filter_unindexed

MAX_WORDS = 8
FEW = 300  # matches read by id rather than found along the list's index (SQLite)
MAX_WORD = 40
_WORD = re.compile(r"[^\W_]+")


def search_words(text: str) -> list[str]:
    """The words of `text` as the search reads them: letters and digits, lower case, at most
    eight; a lone letter is dropped when there are other words (the "l" of "l'écran")."""
    words = [word[:MAX_WORD] for word in _WORD.findall((text or "").lower())]
    longer = [word for word in words if len(word) > 1]
    return (longer or words)[:MAX_WORDS]


def ticket_search(*, queryset: QuerySet, text: str) -> QuerySet:
    """The tickets of `queryset` whose words start with every word of `text` (none if it has no
    word). The words are letters and digits only, so they cannot change the query's syntax.

    On SQLite, one query first asks how many tickets match, up to FEW: a name or a serial
    matches a handful, read by id and sorted; a common word matches thousands, and the list then
    walks its own index in order and keeps the matching tickets until the page is full (the
    match is marked as using no index, so that SQLite, which has no statistics, does not start
    from it). PostgreSQL's planner has the statistics to choose, and gets the subquery as it is."""
    words = search_words(text)
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        query = " & ".join(f"{word}:*" for word in words)
        sql = "SELECT ticket_id FROM repairs_ticket_search WHERE document @@ to_tsquery('simple', unaccent(%s))"
        return queryset.filter(pk__in=RawSQL(sql, [query]))  # noqa: S611 - a constant, the words as a parameter
    query = " AND ".join(f'"{word}"*' for word in words)
    sql = "SELECT rowid FROM repairs_ticket_search WHERE repairs_ticket_search MATCH %s"
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [query, FEW + 1])
        found = [row[0] for row in cursor.fetchall()]
    if len(found) <= FEW:
        return queryset.filter(pk__in=found)
    return filter_unindexed(queryset, "pk", RawSQL(sql, [query]))  # noqa: S611 - as above
