"""Run the SLA pass once: what Celery beat does every 5 minutes (repairs/sla/warnings.py)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from repairs.sla.warnings import sla_warnings_run


class Command(BaseCommand):
    help = "Refresh SLA flags and announce the 80 % and breach thresholds reached since the last run."

    def handle(self, *args, **options):
        counts = sla_warnings_run()
        if options["verbosity"]:
            self.stdout.write(
                _("SLA: %(recomputed)s recomputed, %(flagged)s flags changed, %(announced)s warnings announced.")
                % counts
            )
