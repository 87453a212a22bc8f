"""`manage.py import_establishments FILE.csv`: the schools of the program."""

from devices.importing import ImportReport, establishments_import
from devices.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Create or update establishments from a CSV file (uai, name, city, departement, optional kind, sector, "
        "lycee_numerique and zone), keyed on the UAI; missing zones are created. Nothing is written if any row is "
        "invalid, unless --skip-invalid."
    )

    def run_import(self, options: dict) -> ImportReport:
        return establishments_import(**self.common_options(options))
