"""Recompute the SLA of tickets from their timelines, in bulk (repairs/sla/engine.py).

manage.py sla_recompute           # open tickets (after changing policies or closures by hand)
manage.py sla_recompute --all     # every ticket, closed ones too (imported or demo tickets:
                                  # fills the durations the reports aggregate)
"""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from repairs.models import Ticket
from repairs.sla.engine import sla_flags_refresh, tickets_sla_recompute


class Command(BaseCommand):
    help = "Recompute SLA due dates, breach flags and durations from the tickets' timelines."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", dest="everything", help="closed tickets too, not only open ones"
        )

    def handle(self, *args, everything: bool = False, **options):
        started = time.perf_counter()
        changed = tickets_sla_recompute(queryset=Ticket.objects.all() if everything else None)
        sla_flags_refresh()
        if options["verbosity"]:
            self.stdout.write(
                _("SLA recomputed: %(count)s tickets changed in %(seconds).1f s.")
                % {"count": changed, "seconds": time.perf_counter() - started}
            )
