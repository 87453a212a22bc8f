from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from repairs.diagram import mermaid

DIAGRAM_PATH = Path(settings.BASE_DIR) / "docs" / "ticket-states.md"


class Command(BaseCommand):
    help = "Write docs/ticket-states.md from the ticket state machine."

    def handle(self, *args, **options):
        DIAGRAM_PATH.write_text(mermaid(), encoding="utf-8")
        self.stdout.write(str(DIAGRAM_PATH))
