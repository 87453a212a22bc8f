"""Send today's daily digests now: what Celery beat does at 17:30 when a broker is configured."""

from django.core.management.base import BaseCommand

from notifications.services import digests_send


class Command(BaseCommand):
    help = "Bundle each recipient's collected events into one email (the daily digest, run once)."

    def handle(self, *args, **options):
        count = digests_send()
        if options["verbosity"]:
            self.stdout.write(f"{count} digest(s) written.")
