"""Import of the académies' master images ("mon cartable numérique"), keyed on (académie, version).

A fresh installation has no master image, and a fleet file naming image versions is refused
until they exist: this import is the step before `import_devices`. A row marked current makes
that image its académie's current one; the image that was current stops being so (one current
image per académie, a database constraint).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import devices.importing.writing as writing
from devices.importing.checks import Checking, Row
from devices.importing.columns import IMAGE_COLUMNS
from devices.importing.progress import Progress
from devices.importing.reading import read_table
from devices.importing.report import ImportReport
from devices.importing.values import ACADEMIE_ALIASES, BOOLEANS, choice_map
from devices.models import Academie, MasterImage

FIELDS = ("name", "released_on", "program_count", "is_current")
UNKNOWN_ACADEMIE = gettext_lazy("unknown académie “%(value)s”")
VERSION_AGAIN = gettext_lazy("version %(version)s of académie %(academie)s is also on line %(line)s")
NOT_YES_OR_NO = gettext_lazy("“%(value)s” is not yes or no")


def images_import(
    *,
    path: Path | str,
    skip_invalid: bool = False,
    dry_run: bool = False,
    rejects_path: Path | str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update master images from a CSV file (académie, name, version, release date,
    optional program count and current yes/no), keyed on (académie, version).

    A blank or absent program count keeps the stored one; an absent `current` column keeps which
    image is current, a present one says it for every row (blank is no). Raises ImportFailed when
    the file cannot be read.
    """
    started = time.perf_counter()
    path = Path(path)
    progress = progress or Progress()
    table = read_table(path, columns=IMAGE_COLUMNS)
    report = ImportReport(path=path, rows=len(table.rows), dry_run=dry_run, skip_invalid=skip_invalid)

    existing = {
        (row["academie"], row["version"]): row
        for row in MasterImage.objects.values("id", "academie", "version", *FIELDS)
    }
    current_before = {academie: version for (academie, version), row in existing.items() if row["is_current"]}
    academies = choice_map(Academie, ACADEMIE_ALIASES)
    seen: dict[tuple[str, str], int] = {}
    current_line: dict[str, int] = {}  # académie -> line of the row marking its current image
    planned_rows: list[dict[str, Any]] = []
    wanted_current: dict[str, str | None] = {}  # académie -> version the file makes current (None: no image)
    checking = Checking(table=table, report=report, progress=progress)

    for row in checking:
        academie = None
        if not row.value("academie"):
            row.missing("academie")
        else:
            academie = row.choice(
                "academie",
                academies,
                message=UNKNOWN_ACADEMIE,
                accepted=lambda: ", ".join(str(label) for label in Academie.labels),
            )
        version = row.text("version", required=True, limit=(MasterImage, "version"))
        if academie and version:
            row.once(
                (academie, version),
                seen=seen,
                column="version",
                message=VERSION_AGAIN,
                params={"version": version, "academie": Academie(academie).label},
            )
        current = existing.get((academie, version))
        planned: dict[str, Any] = {
            "name": row.text("name", required=True, limit=(MasterImage, "name")),
            "released_on": row.date("released_on"),
        }
        if not row.value("released_on"):
            row.missing("released_on")
        planned["program_count"] = _program_count(row, current)
        planned["is_current"] = _is_current(row, current, academie=academie, current_line=current_line)

        if not row.ok:
            checking.reject(row)
            continue
        if row.has("current"):
            if planned["is_current"]:
                wanted_current[academie] = version
            elif current_before.get(academie) == version:
                wanted_current.setdefault(academie, None)
        if current is None:
            report.created += 1
            planned_rows.append({"academie": academie, "version": version, **planned})
        elif any(current[name] != planned[name] for name in FIELDS):
            report.updated += 1
            planned_rows.append({"id": current["id"], "academie": academie, "version": version, **planned})
        else:
            report.unchanged += 1

    # Académies whose current image changes: their current image is unset before the rows are
    # written, so that the one-current-image constraint holds after each statement.
    switching = {academie for academie, version in wanted_current.items() if current_before.get(academie) != version}
    for academie in sorted(switching):
        label, version, before = Academie(academie).label, wanted_current[academie], current_before.get(academie)
        if version is None:
            report.notes.append(_("%(academie)s has no current image any more.") % {"academie": label})
        elif before:
            report.notes.append(
                _("Current image of %(academie)s: %(version)s (before: %(before)s).")
                % {"academie": label, "version": version, "before": before}
            )
        else:
            report.notes.append(
                _("Current image of %(academie)s: %(version)s.") % {"academie": label, "version": version}
            )

    def write() -> None:
        # Locked like master_image_make_current does, so that a manager switching images in the
        # admin meanwhile waits rather than breaking the constraint.
        list(MasterImage.objects.select_for_update().filter(academie__in=switching))
        MasterImage.objects.filter(academie__in=switching, is_current=True).update(is_current=False)
        with progress.phase(_("Writing"), len(planned_rows)) as update:
            writing.upsert(
                model=MasterImage,
                rows=planned_rows,
                unique_fields=["academie", "version"],
                update_fields=list(FIELDS),
                progress=update,
            )

    return writing.finish(
        report=report,
        checking=checking,
        rejects_path=rejects_path,
        write=write,
        has_work=bool(planned_rows or switching),
        started=started,
    )


def _program_count(row: Row, current: dict[str, Any] | None) -> int:
    raw = re.sub(r"\s", "", row.value("program_count"))  # "1 200", with the spreadsheet's thin spaces
    if not raw:
        return current["program_count"] if current else 0
    if not raw.isdigit():
        row.fail(
            _("“%(value)s” in %(column)s is not a whole number")
            % {"value": row.value("program_count"), "column": row.title("program_count")},
            cause=_("not a whole number in %(column)s") % {"column": row.title("program_count")},
            hint=_("write the number of programs in digits, e.g. 512."),
        )
        return 0
    return int(raw)


def _is_current(
    row: Row, current: dict[str, Any] | None, *, academie: str | None, current_line: dict[str, int]
) -> bool:
    if not row.has("current"):
        return current["is_current"] if current else False
    if not row.value("current"):
        return False
    is_current = row.choice("current", BOOLEANS, message=NOT_YES_OR_NO, accepted=lambda: _("yes, no"))
    if is_current and academie:
        if academie in current_line:
            row.fail(
                _("a second current image for académie %(academie)s (the first is on line %(line)s)")
                % {"academie": Academie(academie).label, "line": current_line[academie]},
                cause=_("more than one current image for an académie"),
                hint=_("mark one image per académie as current (yes), the others no."),
            )
        else:
            current_line[academie] = row.line
    return bool(is_current)
