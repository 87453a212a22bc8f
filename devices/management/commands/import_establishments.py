"""`manage.py import_establishments FILE.csv`: the schools of the program (SPEC §6)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from devices.importing import ImportFailed, ImportReport, establishments_import


class Command(BaseCommand):
    help = (
        "Create or update establishments from a CSV file (uai, name, city, departement, optional kind, sector, "
        "lycee_numerique and zone), keyed on the UAI; missing zones are created. Nothing is written if any row is "
        "invalid, unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file, ';' or ',' separated, UTF-8.")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Write the valid rows and put the invalid ones in a rejects file.",
        )
        parser.add_argument(
            "--rejects",
            type=Path,
            metavar="PATH",
            help="Where --skip-invalid puts the rejected rows (default: FILE.rejects.csv).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report, write nothing.")
        parser.add_argument("--no-progress", action="store_true", help="Never show a progress bar.")

    def handle(self, *args, **options):
        try:
            report = establishments_import(
                path=options["file"],
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
                rejects_path=options["rejects"],
                progress=self.stderr.isatty() and not options["no_progress"],
            )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self._print(report)

    def _print(self, report: ImportReport) -> None:
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(report.summary())
        if report.rejects_path:
            self.stdout.write(_("Rejected rows written to %(path)s.") % {"path": report.rejects_path})
        if report.refused:
            raise CommandError(
                _("%(count)s invalid rows: nothing was written (fix them, or use --skip-invalid).")
                % {"count": report.rejected}
            )
