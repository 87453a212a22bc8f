"""What the CSV import commands share: options, progress, error mapping, and the report on screen."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from devices.importing import ImportFailed, ImportReport
from devices.importing.progress import BarProgress, LineProgress, Progress
from devices.importing.report import grouped


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
        parser.add_argument("--no-progress", action="store_true", help="Show no progress at all.")
        parser.add_argument(
            "--progress-every",
            type=float,
            default=5.0,
            metavar="SECONDS",
            help="When the output is not a terminal (a log, cron): a progress line every SECONDS (default 5).",
        )

    def run_import(self, options: dict) -> ImportReport:
        """Call the import service with the command's options; each command names its own."""
        raise NotImplementedError

    def progress(self, options: dict) -> Progress:
        if options["no_progress"]:
            return Progress()
        # The bar writes carriage returns straight to the terminal; OutputWrapper would add newlines.
        if self.stderr.isatty():
            return BarProgress(sys.stderr)
        return LineProgress(self.stderr, every=options["progress_every"])

    def common_options(self, options: dict) -> dict:
        return {
            "path": options["file"],
            "skip_invalid": options["skip_invalid"],
            "dry_run": options["dry_run"],
            "rejects_path": options["rejects"],
            "progress": self.progress(options),
        }

    def handle(self, *args, **options):
        try:
            report = self.run_import(options)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        if report.errors:
            if options["verbosity"] >= 2:
                for error in report.errors:
                    self.stderr.write(str(error))
            else:
                # Grouped by cause: a fleet file refused because its models do not exist yet is
                # one paragraph, not 61,000 lines.
                for line in report.describe_errors():
                    self.stderr.write(line)
                shown = sum(len(group.examples(3)) for group in report.groups())
                if len(report.errors) > shown and not report.rejects_path:
                    self.stderr.write(_("Every line with its error: run again with --verbosity 2."))
        self.stdout.write(report.summary())
        if report.rejects_path:
            self.stdout.write(_("Rejected rows written to %(path)s.") % {"path": report.rejects_path})
        if report.refused:
            raise CommandError(
                ngettext(
                    "%(count)s invalid row: nothing was written (fix it, or use --skip-invalid).",
                    "%(count)s invalid rows: nothing was written (fix them, or use --skip-invalid).",
                    report.rejected,
                )
                % {"count": grouped(report.rejected)}
            )
