"""Send the loaner reminders reached since the last run (the periodic task `loaner_reminders`, once).

Celery beat runs it through the hour in the working day; without a broker (`make run`), run this
command from cron. Each reminder goes out once per loan and threshold, however often it runs.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from repairs.loaner_reminders import loaner_reminders_send


class Command(BaseCommand):
    help = "Remind students of loaners due back soon or overdue (each reminder once per loan)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to act as (YYYY-MM-DD), for a catch-up run")

    def handle(self, *args, today: str | None = None, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(_("--today is a date written YYYY-MM-DD.")) from None
        count = loaner_reminders_send(today=day)
        self.stdout.write(_("%(count)d loaner reminder(s) sent.") % {"count": count})
