"""Re-enqueue (or, without a broker, deliver) notifications whose delivery is overdue.

Celery beat runs this every minute when a broker is configured; without one (`make run`), run it
from cron if a mail server may be down when a notification is first tried.
"""

from django.core.management.base import BaseCommand

from notifications.services import outbox_sweep


class Command(BaseCommand):
    help = "Re-enqueue notifications whose delivery is overdue (the periodic sweep, run once)."

    def handle(self, *args, **options):
        count = outbox_sweep()
        if options["verbosity"]:
            self.stdout.write(f"{count} notification(s) re-enqueued.")
