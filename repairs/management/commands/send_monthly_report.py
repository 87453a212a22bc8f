"""Email last month's report to managers and supervisors, once per month: what Celery beat does on
the 1st at 06:00. Running it again in the same month sends nothing (repairs/reports/exports.py)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from repairs.reports.exports import report_monthly_send


class Command(BaseCommand):
    help = "Email the previous month's region report (PDF) to managers and supervisors, once per month."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="pretend today is this date (YYYY-MM-DD): reports the month before it")

    def handle(self, *args, today: str | None = None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError(_("--today: expected a date as YYYY-MM-DD.")) from exc
        count = report_monthly_send(today=day)
        if options["verbosity"]:
            self.stdout.write(_("Monthly report: sent to %(count)s recipient(s).") % {"count": count})
