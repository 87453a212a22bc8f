"""`manage.py import_devices FILE.csv`: the fleet's laptops from a spreadsheet."""

from devices.importing import ImportReport, devices_import
from devices.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Create or update devices from a CSV file (serial_number, asset_tag, manufacturer, model, "
        "establishment_uai, delivered_on, warranty_end, optional image_version and status), keyed on the serial "
        "number. Nothing is written if any row is invalid, unless --skip-invalid."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--create-models",
            action="store_true",
            help="Create the device models the file names but the database does not know.",
        )

    def run_import(self, options: dict) -> ImportReport:
        return devices_import(**self.common_options(options), create_models=options["create_models"])
