"""What the reports count about each ticket beyond its own columns, stored with it so that a
report is one pass of aggregates over columns (repairs/reports/queries.py).

Repeat failures: another ticket, not cancelled, declared on the same laptop in the 30 (90) days
before this one. They depend on the laptop's other tickets, which the report used to look up
for every ticket it read (a correlated subquery per ticket and per window); triggers keep them
instead (repairs/triggers.py, part "facts"): at each declaration, and for the laptop's later
tickets when one is cancelled (or back from cancelled), deleted, or moved to another laptop or
date.

The other facts were stored already: the business durations (first response, resolution, time
at the manufacturer), the due dates and breach flags (within SLA: a due date and no breach) by
the SLA engine, the coverage by the technician. Within-SLA flags computed by the database from
those (generated columns) were tried and dropped: they say nothing the two columns do not, and
SQLite reads no index on its own (covering) when a query names a generated column.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportFactsMixin(models.Model):
    repeat_30_days = models.BooleanField(_("repeat failure within 30 days"), default=False, editable=False)
    repeat_90_days = models.BooleanField(_("repeat failure within 90 days"), default=False, editable=False)

    class Meta:
        abstract = True
