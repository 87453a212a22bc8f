"""Delete report files older than a week: what Celery beat does nightly at 03:30."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from repairs.reports.exports import report_exports_purge


class Command(BaseCommand):
    help = "Delete exported report files older than a week (monthly rows stay, without their file)."

    def handle(self, *args, **options):
        count = report_exports_purge(before=timezone.now() - dt.timedelta(days=7))
        if options["verbosity"]:
            self.stdout.write(_("%(count)s report file(s) deleted.") % {"count": count})
