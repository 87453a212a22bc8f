"""What the two CSV import commands share: options, error mapping, and the report on screen."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from devices.importing import ImportFailed, ImportReport


class ImportCommand(BaseCommand):
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

    def run_import(self, options: dict) -> ImportReport:
        """Call the import service with the command's options; each command names its own."""
        raise NotImplementedError

    def common_options(self, options: dict) -> dict:
        return {
            "path": options["file"],
            "skip_invalid": options["skip_invalid"],
            "dry_run": options["dry_run"],
            "rejects_path": options["rejects"],
            "progress": self.stderr.isatty() and not options["no_progress"],
        }

    def handle(self, *args, **options):
        try:
            report = self.run_import(options)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
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
