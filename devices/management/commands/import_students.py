"""`manage.py import_students FILE.csv`: the roster of students to equip."""

from devices.importing import ImportReport, students_import
from devices.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Create or update students from a CSV file (student_id: the establishment's own identifier, never the INE; "
        "last_name, first_name, class, establishment_uai, optional email, phone and guardian_email), keyed on "
        "(establishment, student_id). Students get an account without a password. Other columns, an INE one "
        "included, are ignored. Nothing is written if any row is invalid, unless --skip-invalid."
    )

    def run_import(self, options: dict) -> ImportReport:
        return students_import(**self.common_options(options))
