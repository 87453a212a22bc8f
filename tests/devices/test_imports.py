"""CSV imports of establishments and devices."""

import csv
import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from devices.importing import ImportFailed, devices_import, establishments_import
from devices.models import Device, DeviceModel, Establishment, WarrantyCoverage, Zone
from tests.devices.factories import (
    AssignmentFactory,
    CoverageFactory,
    DeviceFactory,
    DeviceModelFactory,
    EstablishmentFactory,
    MasterImageFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

DEVICE_HEADER = "serial_number,asset_tag,manufacturer,model,establishment_uai,delivered_on,warranty_end"
FRENCH_DEVICE_HEADER = (
    "N° de série;Numéro d'inventaire;Marque;Modèle;UAI établissement;Date de livraison;Fin de garantie;"
    "Version image;Statut;Commentaire"
)


def write(tmp_path, text: str, *, name: str = "devices.csv", bom: bool = False, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def device_rows(count: int, *, uai: str, start: int = 0, sep: str = ",") -> str:
    rows = [
        sep.join([f"sn{n:06d}", f"INV-{n:06d}", "Dell", "Latitude 3140", uai, "2025-09-01", "2028-08-31"])
        for n in range(start, start + count)
    ]
    return "\n".join(rows) + "\n"


def database_state() -> tuple:
    return (
        sorted(Device.objects.values_list("serial_number", "asset_tag", "model_id", "establishment_id", "status")),
        sorted(WarrantyCoverage.objects.values_list("device_id", "kind", "provider", "starts_on", "ends_on")),
        DeviceModel.objects.count(),
    )


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in their source language, whatever the French catalogue says.
    with translation.override("en"):
        yield


@pytest.fixture
def lycee():
    return EstablishmentFactory(uai="0310024H", departement="31")


@pytest.fixture
def latitude():
    return DeviceModelFactory(manufacturer="Dell", name="Latitude 3140")


# --- Devices -----------------------------------------------------------------------------------


def test_spreadsheet_file_with_bom_semicolons_french_dates_and_headers_imports(tmp_path, lycee, latitude):
    image = MasterImageFactory(academie="toulouse", version="2026.1")
    path = write(
        tmp_path,
        FRENCH_DEVICE_HEADER + "\r\n"
        "  pf-3a b21 ;RO-000001;DELL;latitude 3140;0310024h;01/09/2025;31/08/2028;2026.1;Affecté;; \r\n"
        "PF3AB22;RO-000002;Dell;Latitude 3140;;2/9/2025;;;Prêt;à reprendre\r\n"
        ";;;;;;;;;\r\n",
        bom=True,
    )

    report = devices_import(path=path)

    assert (report.created, report.updated, report.unchanged, report.errors) == (2, 0, 0, [])
    assigned = Device.objects.get(serial_number="PF-3AB21")
    assert assigned.asset_tag == "RO-000001"
    assert assigned.model == latitude
    assert assigned.establishment == lycee
    assert assigned.status == Device.Status.ASSIGNED
    assert assigned.image == image
    assert assigned.delivered_on == dt.date(2025, 9, 1)
    coverage = assigned.coverages.get()
    assert (coverage.kind, coverage.provider, coverage.contract_ref) == ("manufacturer", "Dell", "")
    assert (coverage.starts_on, coverage.ends_on) == (dt.date(2025, 9, 1), dt.date(2028, 8, 31))
    at_depot = Device.objects.get(serial_number="PF3AB22")
    assert at_depot.establishment is None
    assert at_depot.status == Device.Status.SPARE
    assert at_depot.delivered_on == dt.date(2025, 9, 2)
    assert not at_depot.coverages.exists()


@pytest.mark.parametrize(
    "header",
    [
        "numero_serie;n° inventaire;fabricant;modele;uai;date_livraison;fin_garantie",
        "Numéro de série;N° d'inventaire;Constructeur;Modèle;Code UAI;Date de livraison;Date de fin de garantie",
        "n° série;numéro inventaire;marque;modèle;RNE;livré le;fin garantie",
        "SERIAL;Etiquette;Fabricant;Modele;UAI établissement;Livraison;Garantie jusqu'au",
    ],
)
def test_french_header_aliases_are_understood(tmp_path, lycee, latitude, header):
    path = write(tmp_path, header + "\nSN1;INV-1;Dell;Latitude 3140;0310024H;01/09/2025;31/08/2028\n")

    report = devices_import(path=path)

    assert (report.created, report.errors) == (1, [])
    device = Device.objects.get()
    assert (device.serial_number, device.asset_tag, device.establishment, device.model) == (
        "SN1",
        "INV-1",
        lycee,
        latitude,
    )
    assert device.coverages.get().ends_on == dt.date(2028, 8, 31)


def test_comma_file_without_bom_imports(tmp_path, lycee, latitude):
    path = write(tmp_path, DEVICE_HEADER + ",status\n" + 'SN1,"INV,1",Dell,Latitude 3140,0310024H,2025-09-01,,stock\n')

    report = devices_import(path=path)

    assert report.created == 1
    device = Device.objects.get(serial_number="SN1")
    assert (device.asset_tag, device.status) == ("INV,1", Device.Status.IN_STOCK)


def test_second_import_of_the_same_file_reports_all_unchanged_and_writes_nothing(tmp_path, lycee, latitude):
    path = write(tmp_path, DEVICE_HEADER + "\n" + device_rows(20, uai="0310024H"))
    devices_import(path=path)
    before = database_state()

    with CaptureQueriesContext(connection) as queries:
        report = devices_import(path=path)

    assert (report.created, report.updated, report.unchanged, report.written) == (0, 0, 20, False)
    assert report.summary() == "Nothing to write: 20 rows unchanged."
    assert not [q for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert database_state() == before


def test_changed_row_is_reported_updated_and_written(tmp_path, lycee, latitude):
    other = EstablishmentFactory(uai="0340001A", departement="34")
    devices_import(path=write(tmp_path, DEVICE_HEADER + "\n" + device_rows(3, uai="0310024H")))
    changed = device_rows(3, uai="0310024H").replace(
        "INV-000001,Dell,Latitude 3140,0310024H", "INV-000001,Dell,Latitude 3140,0340001A"
    )

    report = devices_import(path=write(tmp_path, DEVICE_HEADER + "\n" + changed, name="v2.csv"))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Device.objects.get(serial_number="SN000001").establishment == other


def test_blank_status_keeps_the_existing_status_and_new_devices_start_in_stock(tmp_path, lycee, latitude):
    DeviceFactory(serial_number="SN1", asset_tag="INV-1", model=latitude, establishment=lycee, status="in_repair")
    path = write(
        tmp_path,
        DEVICE_HEADER + ",status\n"
        "SN1,INV-1,Dell,Latitude 3140,0310024H,2025-09-01,,\n"
        "SN2,INV-2,Dell,Latitude 3140,0310024H,2025-09-01,,\n",
    )

    report = devices_import(path=path)

    assert (report.created, report.unchanged) == (1, 1)
    assert dict(Device.objects.values_list("serial_number", "status")) == {"SN1": "in_repair", "SN2": "in_stock"}


def test_file_with_duplicate_serial_unknown_uai_and_impossible_date_is_refused_with_three_errors(
    tmp_path, lycee, latitude
):
    DeviceFactory(serial_number="EXISTING", asset_tag="INV-X", model=latitude, establishment=lycee)
    before = database_state()
    path = write(
        tmp_path,
        DEVICE_HEADER + "\n"
        "SN1,INV-1,Dell,Latitude 3140,0310024H,2025-09-01,2028-08-31\n"
        "sn 1,INV-2,Dell,Latitude 3140,0310024H,2025-09-01,2028-08-31\n"
        "SN3,INV-3,Dell,Latitude 3140,0319999Z,2025-09-01,2028-08-31\n"
        "SN4,INV-4,Dell,Latitude 3140,0310024H,31/02/2025,2028-08-31\n"
        "SN5,INV-5,Dell,Latitude 3140,0310024H,2025-09-01,2028-08-31\n",
    )

    report = devices_import(path=path)

    assert [error.line for error in report.errors] == [3, 4, 5]
    assert "SN1" in report.errors[0].message and "line 2" in report.errors[0].message
    assert "0319999Z" in report.errors[1].message
    assert "31/02/2025" in report.errors[2].message
    assert (report.rejected, report.refused, report.written) == (3, True, False)
    assert database_state() == before
    assert not path.with_name("devices.rejects.csv").exists()


def test_skip_invalid_writes_the_valid_rows_and_the_bad_ones_to_a_rejects_file(tmp_path, lycee, latitude):
    path = write(
        tmp_path,
        "serial;asset_tag;manufacturer;model;uai;delivered_on;warranty_end;note\n"
        "SN1;INV-1;Dell;Latitude 3140;0310024H;01/09/2025;31/08/2028;ok\n"
        "SN2;INV-2;Dell;Latitude 3140;0310024H;01/09/2025;31/08/2024;before delivery\n"
        "SN3;INV-3;Dell;Latitude 3140;0310024H;;31/08/2028;no delivery\n"
        "SN4;INV-4;Dell;Latitude 3140;0310024H;01/09/2025;31/08/2028;ok\n",
        bom=True,
    )

    report = devices_import(path=path, skip_invalid=True)

    assert (report.created, report.rejected, report.written) == (2, 2, True)
    assert set(Device.objects.values_list("serial_number", flat=True)) == {"SN1", "SN4"}
    assert report.rejects_path == tmp_path / "devices.rejects.csv"
    raw = report.rejects_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == [
        "serial",
        "asset_tag",
        "manufacturer",
        "model",
        "uai",
        "delivered_on",
        "warranty_end",
        "note",
        "error",
    ]
    assert [row[0] for row in rows[1:]] == ["SN2", "SN3"]
    assert rows[1][7] == "before delivery"
    assert "before delivery 01/09/2025" in rows[1][8]
    assert "delivered_on" in rows[2][8]


def test_rejects_path_can_be_chosen(tmp_path, lycee, latitude):
    path = write(tmp_path, DEVICE_HEADER + "\nSN1,INV-1,Dell,Nope,0310024H,,\n")
    rejects = tmp_path / "out" / "bad.csv"
    rejects.parent.mkdir()

    report = devices_import(path=path, skip_invalid=True, rejects_path=rejects)

    assert report.rejects_path == rejects
    assert "Nope" in rejects.read_text(encoding="utf-8-sig")


def test_unknown_model_is_refused_and_the_message_names_create_models(tmp_path, lycee):
    path = write(tmp_path, DEVICE_HEADER + "\nSN1,INV-1,Lenovo,ThinkPad X13,0310024H,2025-09-01,2028-08-31\n")

    report = devices_import(path=path)

    assert report.refused
    assert "Lenovo ThinkPad X13" in report.errors[0].message
    assert "--create-models" in report.errors[0].message
    assert not DeviceModel.objects.exists()


def test_create_models_creates_the_missing_model_with_the_warranty_of_the_data(tmp_path, lycee):
    path = write(
        tmp_path,
        DEVICE_HEADER + "\n"
        "SN1,INV-1,Lenovo,ThinkPad X13,0310024H,2025-09-01,2027-08-31\n"
        "SN2,INV-2,lenovo,thinkpad  x13,0310024H,2025-09-01,2027-08-31\n",
    )

    report = devices_import(path=path, create_models=True)

    model = DeviceModel.objects.get()
    assert (model.manufacturer, model.name, model.warranty_months) == ("Lenovo", "ThinkPad X13", 24)
    assert report.models_created == ["Lenovo ThinkPad X13"]
    assert set(Device.objects.values_list("model_id", flat=True)) == {model.pk}


def test_manufacturer_coverage_is_created_once_then_updated_not_duplicated(tmp_path, lycee, latitude):
    row = "SN1,INV-1,Dell,Latitude 3140,0310024H,2025-09-01,{end}\n"
    devices_import(path=write(tmp_path, DEVICE_HEADER + "\n" + row.format(end="2028-08-31")))
    device = Device.objects.get()
    CoverageFactory(device=device, kind="extended", provider="Assureur", contract_ref="EXT-1")
    devices_import(path=write(tmp_path, DEVICE_HEADER + "\n" + row.format(end="2028-08-31")))

    report = devices_import(path=write(tmp_path, DEVICE_HEADER + "\n" + row.format(end="2029-08-31")))

    assert report.updated == 1
    manufacturer = device.coverages.filter(kind="manufacturer")
    assert list(manufacturer.values_list("starts_on", "ends_on")) == [(dt.date(2025, 9, 1), dt.date(2029, 8, 31))]
    assert device.coverages.filter(kind="extended").count() == 1


def test_asset_tag_of_another_device_in_the_database_is_refused(tmp_path, lycee, latitude):
    DeviceFactory(serial_number="OTHER", asset_tag="INV-1", model=latitude, establishment=lycee)
    path = write(
        tmp_path, DEVICE_HEADER + "\nSN1,INV-1,Dell,Latitude 3140,0310024H,,\nSN2,INV-1,Dell,Latitude 3140,,,\n"
    )

    report = devices_import(path=path)

    assert [(error.line, "OTHER" in error.message) for error in report.errors] == [(2, True), (3, False)]
    assert "line 2" in report.errors[1].message


def test_image_version_must_belong_to_the_academie_of_the_establishment(tmp_path, lycee, latitude):
    MasterImageFactory(academie="montpellier", version="2026.9")
    path = write(
        tmp_path,
        DEVICE_HEADER + ",image_version\n"
        "SN1,INV-1,Dell,Latitude 3140,0310024H,,,2026.9\n"
        "SN2,INV-2,Dell,Latitude 3140,,,,2026.9\n"
        "SN3,INV-3,Dell,Latitude 3140,,,,1999.1\n",
    )

    report = devices_import(path=path)

    assert [error.line for error in report.errors] == [2, 4]
    assert "Toulouse" in report.errors[0].message


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("en stock", "in_stock"),
        ("SPARE", "spare"),
        ("pool", "spare"),
        ("attribué", "assigned"),
        ("En réparation", "in_repair"),
        ("réformé", "retired"),
        ("Volé", "lost"),
        ("perdu", "lost"),
        ("lost", "lost"),
    ],
)
def test_status_accepts_values_and_french_aliases(tmp_path, lycee, latitude, value, status):
    devices_import(path=write(tmp_path, DEVICE_HEADER + f",status\nSN1,INV-1,Dell,Latitude 3140,,,,{value}\n"))

    assert Device.objects.get().status == status


def test_unknown_status_and_missing_values_are_row_errors(tmp_path, lycee, latitude):
    path = write(tmp_path, DEVICE_HEADER + ",statut\nSN1,INV-1,Dell,Latitude 3140,,,,cassé\n,,Dell,,,,,\n")

    report = devices_import(path=path)

    assert [error.line for error in report.errors] == [2, 3, 3, 3]
    assert "cassé" in report.errors[0].message
    assert all("missing value" in error.message for error in report.errors[1:])


def test_status_of_a_device_lent_to_a_student_cannot_be_changed_by_import(tmp_path, lycee, latitude):
    assignment = AssignmentFactory(device__serial_number="SN1", device__asset_tag="INV-1", device__model=latitude)
    uai = assignment.device.establishment.uai
    path = write(tmp_path, DEVICE_HEADER + f",status\nSN1,INV-1,Dell,Latitude 3140,{uai},,,en stock\n")

    report = devices_import(path=path)

    assert "close the assignment" in report.errors[0].message
    assert Device.objects.get().status == Device.Status.ASSIGNED


def test_dry_run_reports_what_would_happen_and_writes_nothing(tmp_path, lycee, latitude):
    path = write(tmp_path, DEVICE_HEADER + "\n" + device_rows(5, uai="0310024H"))

    report = devices_import(path=path, dry_run=True, create_models=True)

    assert (report.created, report.written) == (5, False)
    assert not Device.objects.exists()


def test_line_numbers_count_physical_lines_when_a_quoted_cell_spans_lines(tmp_path, lycee, latitude):
    path = write(
        tmp_path,
        "sep=;\n" + DEVICE_HEADER.replace(",", ";") + ";note\n"
        'SN1;INV-1;Dell;Latitude 3140;0310024H;;;"two\nlines"\n'
        "\n"
        "SN2;INV-2;Dell;Latitude 3140;0319999Z;;;\n",
    )

    report = devices_import(path=path)

    assert [error.line for error in report.errors] == [6]


def test_rejects_file_may_not_overwrite_the_imported_file(tmp_path, lycee, latitude):
    path = write(tmp_path, DEVICE_HEADER + "\nSN1,INV-1,Dell,Nope,0310024H,,\n")

    with pytest.raises(ImportFailed, match="imported file itself"):
        devices_import(path=path, skip_invalid=True, rejects_path=path)

    assert "Nope" in path.read_text()


def test_missing_required_columns_is_one_error_naming_them(tmp_path, lycee, latitude):
    path = write(tmp_path, "numéro de série;marque;modèle\nSN1;Dell;Latitude 3140\n")

    with pytest.raises(ImportFailed) as excinfo:
        devices_import(path=path)

    message = str(excinfo.value)
    for column in ("asset_tag", "establishment_uai", "delivered_on", "warranty_end"):
        assert column in message
    assert "serial_number" not in message.split("(")[0]
    assert not Device.objects.exists()


def test_two_columns_meaning_the_same_thing_are_refused(tmp_path):
    path = write(tmp_path, "uai,code UAI,name,city,departement\n0310024H,0310024H,Lycée,Toulouse,31\n")

    with pytest.raises(ImportFailed, match="uai"):
        establishments_import(path=path)


def test_file_that_is_not_utf8_is_refused_with_a_clear_error(tmp_path, lycee, latitude):
    path = write(
        tmp_path,
        "numéro de série;numéro d'inventaire;marque;modèle;uai;livré le;fin de garantie\n"
        "SN1;INV-1;Dell;Latitude 3140;;;\n",
        encoding="cp1252",
    )

    with pytest.raises(ImportFailed, match=r"not UTF-8 text.*line 1"):
        devices_import(path=path)


def test_import_queries_do_not_grow_with_the_number_of_rows(tmp_path, lycee, latitude):
    small = write(tmp_path, DEVICE_HEADER + "\n" + device_rows(50, uai="0310024H"), name="small.csv")
    big = write(tmp_path, DEVICE_HEADER + "\n" + device_rows(500, uai="0310024H", start=1000), name="big.csv")
    with CaptureQueriesContext(connection) as small_queries:
        devices_import(path=small)

    # Reads are a fixed handful; only the bulk statements grow, one per backend batch (SQLite
    # allows 999 parameters, about 120 rows a statement), never one per row.
    with CaptureQueriesContext(connection) as big_queries:
        devices_import(path=big)

    selects = [q for q in big_queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    small_selects = [q for q in small_queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) == len(small_selects)
    assert len(big_queries) <= len(small_queries) + 10
    assert Device.objects.count() == 550


def test_reimport_with_updates_stays_within_a_fixed_number_of_queries(
    tmp_path, lycee, latitude, django_assert_max_num_queries
):
    devices_import(path=write(tmp_path, DEVICE_HEADER + "\n" + device_rows(500, uai="0310024H")))
    other = EstablishmentFactory(uai="0340001A", departement="34")
    moved = write(tmp_path, DEVICE_HEADER + "\n" + device_rows(500, uai=other.uai), name="moved.csv")

    with django_assert_max_num_queries(20):
        report = devices_import(path=moved)

    assert report.updated == 500
    assert Device.objects.filter(establishment=other).count() == 500


# --- Establishments ----------------------------------------------------------------------------


def test_establishments_import_derives_academie_and_creates_zones(tmp_path):
    existing_zone = ZoneFactory(code="tls-nord", name="Toulouse nord")
    path = write(
        tmp_path,
        "Code UAI;Appellation;Commune;Département;Type;Secteur;Lycée numérique;Zone technicien\n"
        "0310024h;Lycée Pierre de Fermat;Toulouse;31;Lycée général et technologique;Public;oui;TLS-NORD\n"
        "0090001B;Lycée Gabriel Fauré;Foix;9;LP;privé;non;ariege\n"
        "0340002C;Lycée Joffre;Montpellier;34;polyvalent;;;ariege\n"
        "0480003D;Lycée agricole de Mende;Mende;Lozère;agricole;private;1;\n",
        name="etablissements.csv",
        bom=True,
    )

    report = establishments_import(path=path)

    assert (report.created, report.errors, report.zones_created) == (4, [], ["ariege"])
    fermat, faure, joffre, mende = (
        Establishment.objects.get(uai=uai) for uai in ("0310024H", "0090001B", "0340002C", "0480003D")
    )
    assert (fermat.academie, fermat.kind, fermat.sector, fermat.lycee_numerique) == ("toulouse", "lgt", "public", True)
    assert fermat.zone == existing_zone
    assert (faure.departement, faure.academie, faure.kind, faure.sector) == ("09", "toulouse", "lp", "private")
    assert (joffre.academie, joffre.kind, joffre.sector, joffre.lycee_numerique) == (
        "montpellier",
        "polyvalent",
        "public",
        False,
    )
    assert faure.zone == joffre.zone == Zone.objects.get(code="ariege")
    assert (mende.departement, mende.academie, mende.kind, mende.zone) == ("48", "montpellier", "agricole", None)


def test_establishments_reimport_is_unchanged_and_a_change_is_an_update(tmp_path):
    header = "uai,name,city,departement,kind\n"
    establishments_import(
        path=write(tmp_path, header + "0310024H,Fermat,Toulouse,31,LGT\n0310025J,Bellevue,Toulouse,31,\n")
    )

    again = establishments_import(
        path=write(tmp_path, header + "0310024H,Fermat,Toulouse,31,lgt\n0310025J,Bellevue,Toulouse,31,\n")
    )
    moved = establishments_import(path=write(tmp_path, header + "0310024H,Fermat,Montpellier,34,lgt\n"))

    assert (again.unchanged, again.written) == (2, False)
    assert (moved.updated, moved.unchanged) == (1, 0)
    assert Establishment.objects.get(uai="0310024H").academie == "montpellier"


def test_establishments_absent_optional_columns_keep_the_current_values(tmp_path):
    zone = ZoneFactory(code="z1")
    EstablishmentFactory(uai="0310024H", name="Fermat", kind="lp", lycee_numerique=True, zone=zone)

    report = establishments_import(path=write(tmp_path, "uai,name,city,departement\n0310024H,Fermat,Toulouse,31\n"))

    assert report.unchanged == 1
    assert Establishment.objects.filter(uai="0310024H", kind="lp", lycee_numerique=True, zone=zone).exists()


def test_establishment_row_errors_are_line_numbered(tmp_path):
    path = write(
        tmp_path,
        "uai,name,city,departement,kind,sector,lycee_numerique\n"
        "031002H,A,Toulouse,31,,,\n"
        "0310024H,B,Toulouse,75,,,\n"
        "0310025J,C,Toulouse,31,collège,,\n"
        "0310026K,D,Toulouse,31,,associatif,peut-être\n"
        "0310027L,E,Toulouse,31,,,\n"
        "0310027l,F,Toulouse,31,,,\n",
    )

    report = establishments_import(path=path)

    assert [error.line for error in report.errors] == [2, 3, 4, 5, 5, 7]
    assert "line 6" in report.errors[-1].message
    assert not Establishment.objects.exists()


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("LGT", "lgt"),
        ("lycée général et technologique", "lgt"),
        ("LP", "lp"),
        ("Professionnel", "lp"),
        ("lycée polyvalent", "polyvalent"),
        ("LPO", "polyvalent"),
        ("Agricole", "agricole"),
        ("EREA", "erea"),
        ("", "lgt"),
    ],
)
def test_establishment_kind_accepts_values_and_french_labels(tmp_path, value, kind):
    establishments_import(path=write(tmp_path, f"uai,name,city,departement,kind\n0310024H,A,Toulouse,31,{value}\n"))

    assert Establishment.objects.get().kind == kind


# --- Commands ----------------------------------------------------------------------------------


def test_import_devices_command_prints_the_summary(tmp_path, lycee, latitude, capsys):
    path = write(tmp_path, DEVICE_HEADER + "\n" + device_rows(3, uai="0310024H"))

    call_command("import_devices", str(path))
    call_command("import_devices", str(path))

    out = capsys.readouterr().out
    assert "created: 3" in out
    assert "Nothing to write: 3 rows unchanged." in out


def test_failing_import_command_prints_every_error_and_raises_command_error(tmp_path, lycee, latitude, capsys):
    path = write(tmp_path, DEVICE_HEADER + "\nSN1,INV-1,Dell,Latitude 3140,0319999Z,,\nSN2,INV-2,Acme,X,,,\n")

    with pytest.raises(CommandError, match="2 invalid rows: nothing was written"):
        call_command("import_devices", str(path))

    err = capsys.readouterr().err
    assert "line 2: unknown UAI 0319999Z" in err
    assert "line 3: unknown model Acme X" in err
    assert not Device.objects.exists()


def test_import_command_with_skip_invalid_succeeds_and_names_the_rejects_file(tmp_path, lycee, latitude, capsys):
    path = write(
        tmp_path, DEVICE_HEADER + "\nSN1,INV-1,Dell,Latitude 3140,0319999Z,,\nSN2,INV-2,Dell,Latitude 3140,,,\n"
    )

    call_command("import_devices", str(path), "--skip-invalid", "--create-models")

    assert "devices.rejects.csv" in capsys.readouterr().out
    assert list(Device.objects.values_list("serial_number", flat=True)) == ["SN2"]


def test_unreadable_file_makes_the_command_fail_with_command_error(tmp_path):
    with pytest.raises(CommandError, match="missing required columns: departement"):
        call_command("import_establishments", str(write(tmp_path, "uai;name;city\n0310024H;A;B\n")))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_establishments", str(tmp_path / "nowhere.csv"))


def test_import_establishments_command_dry_run_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, "uai;name;city;departement;zone\n0310024H;A;Toulouse;31;z9\n")

    call_command("import_establishments", str(path), "--dry-run")

    assert "Dry run" in capsys.readouterr().out
    assert not Establishment.objects.exists()
    assert not Zone.objects.exists()
