"""What every import tells its user: errors grouped by cause, control characters, progress in a log."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DataError
from django.utils import translation

from devices.importing import (
    ImportFailed,
    devices_import,
    establishments_import,
    images_import,
    students_import,
    writing,
)
from devices.importing.progress import LineProgress
from devices.importing.report import ImportReport, RowError
from devices.models import Device, Establishment, MasterImage, Profile, WarrantyCoverage
from tests.devices.factories import DeviceModelFactory, EstablishmentFactory

pytestmark = pytest.mark.django_db

DEVICE_HEADER = "serial_number,asset_tag,manufacturer,model,establishment_uai,delivered_on,warranty_end"


def write(tmp_path, text: str, *, name: str = "devices.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def device_rows(count: int, *, model: str = "Latitude 3140", uai: str = "0310024H") -> str:
    return "".join(f"SN{n:06d},INV-{n:06d},Dell,{model},{uai},2025-09-01,2028-08-31\n" for n in range(count))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def lycee():
    return EstablishmentFactory(uai="0310024H", departement="31")


# --- Errors grouped by cause ---------------------------------------------------------------------


def test_a_fleet_of_unknown_models_is_one_paragraph_not_one_line_per_row(tmp_path, lycee, capsys):
    path = write(tmp_path, DEVICE_HEADER + "\n" + device_rows(300, model="Inconnu X"))

    with pytest.raises(CommandError, match="300 invalid rows: nothing was written"):
        call_command("import_devices", str(path), "--no-progress")

    err = capsys.readouterr().err.splitlines()
    assert err[0] == "unknown device model: 300 lines (2, 3, 4, 5, 6, …)"
    assert err[1] == "  line 2: unknown model Dell Inconnu X (import with --create-models to create it)"
    assert err[2].startswith("  What to do: import again with --create-models")
    assert err[3] == "Every line with its error: run again with --verbosity 2."
    assert len(err) == 4
    assert not Device.objects.exists()


def test_verbosity_2_lists_every_line_with_its_error(tmp_path, lycee, capsys):
    path = write(tmp_path, DEVICE_HEADER + "\n" + device_rows(30, model="Inconnu X"))

    with pytest.raises(CommandError):
        call_command("import_devices", str(path), "--no-progress", verbosity=2)

    err = capsys.readouterr().err.splitlines()
    assert len(err) == 30
    assert err[-1].startswith("line 31: unknown model Dell Inconnu X")


def test_causes_are_ordered_by_lines_and_show_different_examples_first(tmp_path, lycee):
    DeviceModelFactory(manufacturer="Dell", name="Latitude 3140")
    rows = device_rows(6)
    rows = rows.replace("INV-000001,Dell,Latitude 3140,0310024H", "INV-000001,Dell,Latitude 3140,0319999Z")
    rows = rows.replace("INV-000002,Dell,Latitude 3140,0310024H", "INV-000002,Dell,Latitude 3140,0319998Y")
    rows = rows.replace("INV-000003,Dell,Latitude 3140,0310024H", "INV-000003,Dell,Latitude 3140,0319998Y")
    rows = rows.replace(
        "SN000005,INV-000005,Dell,Latitude 3140,0310024H,2025-09-01", "SN000005,,Dell,x,0310024H,1/13/2025"
    )

    report = devices_import(path=write(tmp_path, DEVICE_HEADER + "\n" + rows))
    text = report.describe_errors(examples=2)

    assert [(group.cause, group.lines) for group in report.groups()] == [
        ("unknown UAI (no such establishment)", [3, 4, 5]),
        ("missing value in asset_tag", [7]),
        ("unknown device model", [7]),
        ("impossible date in delivered_on", [7]),
    ]
    assert text[:4] == [
        "unknown UAI (no such establishment): 3 lines (3, 4, 5)",
        "  line 3: unknown UAI 0319999Z: no such establishment",
        "  line 4: unknown UAI 0319998Y: no such establishment",
        "  What to do: import the establishments first (manage.py import_establishments FILE.csv), or correct the UAI.",
    ]
    assert "missing value in asset_tag: 1 line (7)" in text


def test_a_cause_without_its_own_wording_groups_on_the_message(tmp_path):
    report = ImportReport(path=tmp_path / "x.csv", errors=[RowError(2, "odd"), RowError(3, "odd"), RowError(4, "even")])

    assert [(group.cause, group.lines, group.hint) for group in report.groups()] == [
        ("odd", [2, 3], ""),
        ("even", [4], ""),
    ]


# --- Control characters ------------------------------------------------------------------------


def test_nul_byte_in_a_cell_is_a_row_error_never_a_database_error(tmp_path, lycee):
    """Runs on PostgreSQL as well (DATABASE_URL), where a text value cannot hold a NUL at all."""
    DeviceModelFactory(manufacturer="Dell", name="Latitude 3140")
    path = write(
        tmp_path,
        DEVICE_HEADER + ",comment\n"
        "SN1,INV-1,Dell,Latitude 3140,0310024H,2025-09-01,2028-08-31,\x00 ignored column\n"
        "SN\x002,INV-2,Dell,Latitude 3140,0310024H,2025-09-01,2028-08-31,\n"
        "SN3,INV-3,De\x07ll,Latitude 3140,0310024H,2025-09-01,2028-08-31,\n",
    )

    refused = devices_import(path=path)
    assert [str(error) for error in refused.errors] == [
        "line 3: forbidden control character (U+0000) in serial_number",
        "line 4: forbidden control character (U+0007) in manufacturer",
    ]
    assert refused.groups()[0].hint.startswith("retype these cells")
    assert not Device.objects.exists()

    report = devices_import(path=path, skip_invalid=True)

    assert (report.created, report.rejected) == (1, 2)
    assert list(Device.objects.values_list("serial_number", flat=True)) == ["SN1"]
    assert WarrantyCoverage.objects.count() == 1
    rejects = report.rejects_path.read_text(encoding="utf-8-sig")
    assert "\x00" not in rejects
    assert "SN\ufffd2" in rejects


@pytest.mark.parametrize(
    ("importer", "text"),
    [
        (establishments_import, "uai,name,city,departement\n0310024H,Lycée\x00 Fermat,Toulouse,31\n"),
        (images_import, "academie,name,version,released_on\nToulouse,Mon cartable\x00,2026.1,2026-08-20\n"),
        (students_import, "student_id,last_name,first_name,class,uai\nE1,Mar\x00tin,Léa,2NDE,0310024H\n"),
    ],
)
def test_nul_byte_is_refused_by_every_import(tmp_path, lycee, importer, text):
    report = importer(path=write(tmp_path, text, name="file.csv"))

    assert [error.line for error in report.errors] == [2]
    assert "forbidden control character (U+0000)" in report.errors[0].message
    assert not Establishment.objects.exclude(pk=lycee.pk).exists()
    assert not MasterImage.objects.exists()
    assert not Profile.objects.exists()


# --- Progress ----------------------------------------------------------------------------------


def test_progress_lines_when_the_output_is_not_a_terminal(tmp_path, lycee):
    DeviceModelFactory(manufacturer="Dell", name="Latitude 3140")
    path = write(tmp_path, DEVICE_HEADER + "\n" + device_rows(1200))
    err = io.StringIO()

    call_command("import_devices", str(path), stderr=err, stdout=io.StringIO(), progress_every=0)

    assert err.getvalue().splitlines() == [
        "Checking: 500 / 1,200 rows",
        "Checking: 1,000 / 1,200 rows",
        "Checking: 1,200 / 1,200 rows",
        "Writing: 1,200 / 2,400 rows",
        "Writing: 2,400 / 2,400 rows",
    ]
    assert Device.objects.count() == 1200


def test_progress_lines_in_french_group_thousands(tmp_path, lycee):
    DeviceModelFactory(manufacturer="Dell", name="Latitude 3140")
    err = io.StringIO()

    with translation.override("fr"):
        call_command(
            "import_devices",
            str(write(tmp_path, DEVICE_HEADER + "\n" + device_rows(1200))),
            stderr=err,
            stdout=io.StringIO(),
            progress_every=0,
        )

    assert "Vérification : 1\u00a0000 / 1\u00a0200 lignes" in err.getvalue()


def test_progress_line_every_few_seconds_and_a_last_one_at_the_end():
    now = [0.0]
    stream = io.StringIO()
    progress = LineProgress(stream, every=5, clock=lambda: now[0])

    with progress.phase("Writing", 61000) as update:
        for _ in range(61):
            now[0] += 1  # a thousand rows a second
            update(1000)

    assert stream.getvalue().splitlines() == [
        f"Writing: {done:,} / 61,000 rows" for done in (5000, 10000, 15000, 20000, 25000, 30000)
    ] + [f"Writing: {done:,} / 61,000 rows" for done in (35000, 40000, 45000, 50000, 55000, 60000, 61000)]


def test_a_quick_import_prints_no_progress_line_and_no_progress_prints_none(tmp_path, lycee):
    DeviceModelFactory(manufacturer="Dell", name="Latitude 3140")
    path = write(tmp_path, DEVICE_HEADER + "\n" + device_rows(20))
    quick, silent = io.StringIO(), io.StringIO()

    call_command("import_devices", str(path), stderr=quick, stdout=io.StringIO())
    call_command("import_devices", str(path), "--no-progress", stderr=silent, stdout=io.StringIO(), progress_every=0)

    assert quick.getvalue() == silent.getvalue() == ""


def test_a_value_the_database_refuses_is_an_import_error_and_nothing_is_written(tmp_path, lycee, monkeypatch):
    # The checks refuse every value a database could not store; this is the net under them.
    def refuse(**kwargs):
        Device.objects.create(serial_number="HALF", asset_tag="HALF", model=DeviceModelFactory())
        raise DataError("value too long for type character varying(32)")

    DeviceModelFactory(manufacturer="Dell", name="Latitude 3140")
    monkeypatch.setattr(writing, "upsert", refuse)

    with pytest.raises(ImportFailed, match=r"The database refused a value .*nothing was written"):
        devices_import(path=write(tmp_path, DEVICE_HEADER + "\n" + device_rows(3)))

    assert not Device.objects.exists()
