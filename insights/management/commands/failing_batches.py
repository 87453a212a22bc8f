"""Raise the failing-batch notices (the weekly task `failing_batches`, once).

Celery beat runs it on Monday mornings; without a broker (`make run`), `run_scheduler` or cron
runs this command. Each (batch, category) is announced once, however often it runs.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from insights.services import batch_notices_raise


class Command(BaseCommand):
    help = "Compare delivery batches' failure rates with the fleet's and notify managers of failing ones (once)."

    def handle(self, *args, **options):
        raised = batch_notices_raise()
        for notice in raised:
            self.stdout.write(f"{notice.model} {notice.delivered_month:%m/%Y} {notice.category}: {notice.failures}")
        self.stdout.write(_("%(count)d failing batch notice(s) raised.") % {"count": len(raised)})
