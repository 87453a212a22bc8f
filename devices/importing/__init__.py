"""CSV imports: establishments, master images, devices, and the student roster.

Every import has one shape. The whole file is read and its header mapped through aliases (French
spreadsheets welcome); the tables the rows refer to are loaded once into dicts; every row is
checked in Python, column by column, and classified as created / updated / unchanged against what
the database holds; then the changes are written with upserts inside one transaction, or nothing
is written at all. A 61,000-row file costs a handful of reads and one statement per batch.

- `reading`: the file, its delimiter, its header; `columns`: each import's columns and the
  header titles understood for them;
- `values`: one cell's value (dates, yes/no, UAI, enumerations, phone numbers);
- `checks`: a row checked column by column; each problem says its cause and what to do, so that
  the report groups 61,000 identical problems into one paragraph;
- `writing`: upserts, the transaction, the rejects file; `progress`: bar or log lines;
- one module per import: `establishments`, `images`, `devices`, `students`.
"""

from devices.importing.devices import devices_import
from devices.importing.establishments import establishments_import
from devices.importing.images import images_import
from devices.importing.report import ImportFailed, ImportReport, RowError
from devices.importing.students import students_import

__all__ = [
    "ImportFailed",
    "ImportReport",
    "RowError",
    "devices_import",
    "establishments_import",
    "images_import",
    "students_import",
]
