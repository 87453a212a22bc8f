"""`manage.py import_devices FILE.csv`: the fleet's laptops from a spreadsheet (SPEC §6)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from devices.importing import ImportFailed, ImportReport, devices_import


class Command(BaseCommand):
    help = (
        "Create or update devices from a CSV file (serial_number, asset_tag, manufacturer, model, "
        "establishment_uai, delivered_on, warranty_end, optional image_version and status), keyed on the serial "
        "number. Nothing is written if any row is invalid, unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file, ';' or ',' separated, UTF-8.")
        parser.add_argument(
            "--create-models",
            action="store_true",
            help="Create the device models the file names but the database does not know.",
        )
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
            report = devices_import(
                path=options["file"],
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
                create_models=options["create_models"],
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
