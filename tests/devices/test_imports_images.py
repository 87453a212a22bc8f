"""The master image import, and a whole fleet imported into an empty database with the commands alone."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from devices.importing import images_import
from devices.models import Device, DeviceModel, Establishment, MasterImage
from tests.devices.factories import MasterImageFactory

pytestmark = pytest.mark.django_db

HEADER = "academie,name,version,released_on,program_count,current"


def write(tmp_path, text: str, *, name: str = "images.csv", bom: bool = False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def images() -> list[tuple]:
    return sorted(
        MasterImage.objects.values_list("academie", "version", "name", "released_on", "program_count", "is_current")
    )


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_import_images_then_import_devices_on_an_empty_database(tmp_path, capsys):
    etablissements = write(
        tmp_path,
        "UAI;Nom;Commune;Département\n"
        "0310024H;Lycée Pierre de Fermat;Toulouse;31\n"
        "0340002C;Lycée Joffre;Montpellier;34\n",
        name="etablissements.csv",
        bom=True,
    )
    masters = write(
        tmp_path,
        "Académie;Nom;Version;Date de sortie;Nombre de logiciels;Courante\n"
        "Toulouse;Mon cartable numérique;2026.1;20/08/2026;512;oui\n"
        "Montpellier;Mon cartable numérique;2026.1;21/08/2026;498;oui\n",
        name="images.csv",
        bom=True,
    )
    parc = write(
        tmp_path,
        "numero_serie;n° inventaire;fabricant;modele;uai;date_livraison;fin_garantie;version image\n"
        "PF1;RO-1;Dell;Latitude 3140;0310024H;01/09/2026;31/08/2029;2026.1\n"
        "PF2;RO-2;Dell;Latitude 3140;0340002C;01/09/2026;31/08/2029;2026.1\n",
        name="parc.csv",
        bom=True,
    )
    with pytest.raises(CommandError):
        call_command("import_devices", str(parc), "--create-models", "--no-progress")
    assert "import_images" in capsys.readouterr().err

    call_command("import_establishments", str(etablissements), "--no-progress")
    call_command("import_images", str(masters), "--no-progress")
    call_command("import_devices", str(parc), "--create-models", "--no-progress")

    out = capsys.readouterr().out
    assert "Current image of Toulouse: 2026.1." in out
    assert Establishment.objects.count() == 2
    assert DeviceModel.objects.get().warranty_months == 36
    toulouse, montpellier = (MasterImage.objects.get(academie=academie) for academie in ("toulouse", "montpellier"))
    assert (toulouse.is_current, toulouse.program_count, toulouse.released_on) == (True, 512, dt.date(2026, 8, 20))
    assert dict(Device.objects.values_list("serial_number", "image")) == {"PF1": toulouse.pk, "PF2": montpellier.pk}


def test_reimport_is_unchanged_and_a_new_current_image_replaces_the_old_one(tmp_path):
    first = HEADER + "\nToulouse,Mon cartable numérique,2026.1,2026-08-20,512,oui\n"
    images_import(path=write(tmp_path, first))

    again = images_import(path=write(tmp_path, first))
    report = images_import(
        path=write(
            tmp_path,
            HEADER + "\nToulouse,Mon cartable numérique,2027.1,2027-08-19,530,oui\n",
            name="rentree-2027.csv",
        )
    )

    assert (again.unchanged, again.written) == (1, False)
    assert (report.created, report.unchanged) == (1, 0)
    assert "Current image of Toulouse: 2027.1 (before: 2026.1)." in report.summary()
    assert images() == [
        ("toulouse", "2026.1", "Mon cartable numérique", dt.date(2026, 8, 20), 512, False),
        ("toulouse", "2027.1", "Mon cartable numérique", dt.date(2027, 8, 19), 530, True),
    ]


def test_the_current_image_can_move_back_to_an_older_version_in_the_same_file(tmp_path):
    MasterImageFactory(academie="toulouse", version="2026.1", is_current=False)
    MasterImageFactory(academie="toulouse", version="2026.2", is_current=True)

    report = images_import(
        path=write(tmp_path, HEADER + "\nToulouse,M,2026.2,2026-09-20,,non\nToulouse,M,2026.1,2026-08-20,,oui\n")
    )

    assert report.updated == 2
    assert dict(MasterImage.objects.values_list("version", "is_current")) == {"2026.1": True, "2026.2": False}


def test_without_a_current_column_the_current_image_stays_and_blank_counts_keep_theirs(tmp_path):
    MasterImageFactory(academie="toulouse", version="2026.1", is_current=True, program_count=500)

    report = images_import(
        path=write(
            tmp_path,
            "academie;name;version;released_on;program_count\n"
            "Toulouse;Mon cartable numérique;2026.1;20/08/2026;\n"
            "Toulouse;Mon cartable numérique;2026.2;20/09/2026;\n",
        )
    )

    assert (report.created, report.errors) == (1, [])
    assert dict(MasterImage.objects.values_list("version", "is_current")) == {"2026.1": True, "2026.2": False}
    assert MasterImage.objects.get(version="2026.1").program_count == 500


def test_two_current_images_for_one_academie_are_refused_and_nothing_is_written(tmp_path):
    path = write(
        tmp_path,
        HEADER + "\n"
        "Toulouse,Mon cartable numérique,2026.1,2026-08-20,512,oui\n"
        "Montpellier,Mon cartable numérique,2026.1,2026-08-20,512,oui\n"
        "ac-toulouse,Mon cartable numérique,2026.2,2026-09-20,512,oui\n",
    )

    report = images_import(path=path)

    assert [(error.line, "line 2" in error.message) for error in report.errors] == [(4, True)]
    assert not MasterImage.objects.exists()


def test_image_row_errors_name_their_cause(tmp_path):
    path = write(
        tmp_path,
        HEADER + "\n"
        "Bordeaux,Mon cartable numérique,2026.1,2026-08-20,512,oui\n"
        "Toulouse,,2026.1,20/13/2026,beaucoup,peut-être\n"
        "Toulouse,Mon cartable numérique,2026.1,2026-08-20,,\n"
        "Montpellier,Mon cartable numérique,2026.1,2026-08-20,,\n"
        "Montpellier,Mon cartable numérique,2026.1,2026-08-20,,\n",
    )

    report = images_import(path=path)

    assert [error.line for error in report.errors] == [2, 3, 3, 3, 3, 4, 6]
    causes = {group.cause for group in report.groups()}
    assert {
        "unknown value in academie",
        "missing value in name",
        "impossible date in released_on",
        "not a whole number in program_count",
        "unknown value in current",
        "version repeated in the file",
    } == causes
    assert not MasterImage.objects.exists()
