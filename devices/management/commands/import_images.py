"""`manage.py import_images FILE.csv`: the académies' master images, the step before the fleet."""

from devices.importing import ImportReport, images_import
from devices.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Create or update master images from a CSV file (academie, name, version, released_on, optional "
        "program_count and current yes/no), keyed on (académie, version). A row marked current becomes its "
        "académie's current image. Nothing is written if any row is invalid, unless --skip-invalid."
    )

    def run_import(self, options: dict) -> ImportReport:
        return images_import(**self.common_options(options))
