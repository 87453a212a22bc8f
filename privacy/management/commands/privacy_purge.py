"""Anonymise closed tickets and former students, forget delivery details, delete old notifications
and access-log rows, each after its retention period: what Celery beat does nightly at 02:00."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy.purge import privacy_purge

LABELS = {
    "former_students": gettext_noop("former students"),
    "tickets": gettext_noop("closed tickets"),
    "shipments": gettext_noop("delivered home shipments"),
    "return_shipments": gettext_noop("return shipments of closed tickets"),
    "notifications": gettext_noop("notifications"),
    "access_log": gettext_noop("access-log rows"),
    "login_failures": gettext_noop("failed logins"),
    "login_failure_log": gettext_noop("failed-login log rows"),
}


class Command(BaseCommand):
    help = "Anonymise or delete the personal data past its retention period (PRIVACY_*_DAYS settings)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be purged; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        counts = privacy_purge(dry_run=dry_run)
        if not options["verbosity"]:
            return
        self.stdout.write(_("Dry run: nothing is changed.") if dry_run else _("Purge done."))
        for kind, count in counts.items():
            label = _(LABELS[kind])
            if dry_run:
                self.stdout.write(_("%(label)s: %(count)s to purge") % {"label": label, "count": count})
            else:
                self.stdout.write(_("%(label)s: %(count)s purged") % {"label": label, "count": count})
