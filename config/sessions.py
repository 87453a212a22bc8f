"""Sessions in the database, as Django keeps them, read with one prepared statement.

Every signed-in page reads its session first. Django's backend builds that read through the ORM
(a queryset, compiled to SQL on each request): about as much CPU as the statement itself on
SQLite. Same table, same condition (the key, not expired), same answer; writes stay Django's.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608 - the model's own table name
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: an unknown or expired key starts a new session
            return None
        return model(session_key=self.session_key, session_data=row[0])
