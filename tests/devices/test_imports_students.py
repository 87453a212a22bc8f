"""The student roster import: French exports, idempotence, no INE anywhere, all-or-nothing."""

import csv

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from devices.importing import students_import
from devices.models import Profile, Role
from tests.devices.factories import EstablishmentFactory, ProfileFactory, UserFactory, make_person

pytestmark = pytest.mark.django_db
User = get_user_model()

HEADER = "student_id,last_name,first_name,class,establishment_uai,email,phone,guardian_email"
INE = "1234567890A"


def write(tmp_path, text: str, *, name: str = "eleves.csv", bom: bool = False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def roster(count: int, *, uai: str = "0310024H", start: int = 0) -> str:
    rows = [f"E{n:05d},Martin{n},Camille,2NDE{n % 9},{uai},,," for n in range(start, start + count)]
    return HEADER + "\n" + "\n".join(rows) + "\n"


def students() -> list[tuple]:
    return sorted(
        Profile.objects.filter(role=Role.STUDENT).values_list(
            "student_number",
            "class_name",
            "phone",
            "guardian_email",
            "establishment__uai",
            "user__username",
            "user__first_name",
            "user__last_name",
            "user__email",
        )
    )


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def lycee():
    return EstablishmentFactory(uai="0310024H", departement="31")


def test_french_export_with_bom_semicolons_and_extra_columns_creates_students_without_password(tmp_path, lycee):
    path = write(
        tmp_path,
        "Identifiant;Nom;Prénom;Classe;UAI;INE;Date de naissance;Courriel;Téléphone;Courriel responsable\r\n"
        f"2024-118;Martin;Léa;2NDE 3;0310024h;{INE};12/03/2010;lea.martin@example.org;06 12 34 56 78;"
        "parent.martin@example.org\r\n"
        f"2024-119;  Durand ;Hugo;1ERE  2;0310024H;0987654321BC;01/01/2009;;;\r\n",
        bom=True,
    )

    report = students_import(path=path)

    assert (report.created, report.updated, report.unchanged, report.errors) == (2, 0, 0, [])
    lea = User.objects.get(username="0310024h-2024-118")
    assert (lea.first_name, lea.last_name, lea.email) == ("Léa", "Martin", "lea.martin@example.org")
    assert not lea.has_usable_password()
    assert lea.is_active
    profile = lea.profile
    assert (profile.role, profile.establishment, profile.student_number) == (Role.STUDENT, lycee, "2024-118")
    assert (profile.class_name, profile.phone, profile.guardian_email) == (
        "2NDE 3",
        "0612345678",
        "parent.martin@example.org",
    )
    hugo = Profile.objects.get(student_number="2024-119")
    assert (hugo.user.last_name, hugo.class_name, hugo.user.email, hugo.phone) == ("Durand", "1ERE 2", "", "")


def test_the_ine_and_other_extra_columns_are_stored_nowhere(tmp_path, lycee):
    path = write(
        tmp_path,
        "identifiant;nom;prénom;classe;uai;ine;adresse\n"
        f"17;Martin;Léa;2NDE 3;0310024H;{INE};3 rue des Lilas\n"
        f"18;;Hugo;2NDE 3;0310024H;0987654321BC;5 rue des Roses\n",
    )

    report = students_import(path=path, skip_invalid=True)

    assert (report.created, report.rejected) == (1, 1)
    stored = [
        str(value)
        for model in (User, Profile)
        for row in model.objects.values_list()
        for value in row
        if value is not None
    ]
    assert not [value for value in stored if INE in value or "0987654321BC" in value or "rue des" in value]
    rejects = report.rejects_path.read_text(encoding="utf-8-sig")
    assert "0987654321BC" not in rejects and "rue des" not in rejects
    assert rejects.splitlines()[0] == "identifiant;nom;prénom;classe;uai;error"


def test_an_identifier_shaped_like_an_ine_is_refused_and_not_copied_to_the_rejects(tmp_path, lycee):
    path = write(
        tmp_path,
        f"identifiant;nom;prénom;classe;uai\n{INE};Martin;Léa;2NDE 3;0310024H\n{INE};Roux;Tom;2NDE;0310024H\n",
    )

    report = students_import(path=path, skip_invalid=True)

    assert report.created == 0
    assert [error.line for error in report.errors] == [2, 3]
    assert all("national student number (INE)" in error.message for error in report.errors)
    assert not [error for error in report.errors if INE in f"{error.message} {error.cause} {error.hint}"]
    assert INE not in report.rejects_path.read_text(encoding="utf-8-sig")
    assert not Profile.objects.exists()


def test_reimport_of_the_same_roster_changes_nothing_and_says_so(tmp_path, lycee):
    path = write(tmp_path, roster(30))
    students_import(path=path)
    before = students()

    with CaptureQueriesContext(connection) as queries:
        report = students_import(path=path)

    assert (report.created, report.updated, report.unchanged, report.written) == (0, 0, 30, False)
    assert report.summary() == "Nothing to write: 30 rows unchanged."
    assert not [q for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert students() == before


def test_reimport_updates_names_class_and_contacts_of_the_same_student(tmp_path, lycee):
    students_import(
        path=write(tmp_path, HEADER + "\nE1,Martin,Léa,2NDE 3,0310024H,lea@example.org,0612345678,p@example.org\n")
    )
    user_id = User.objects.get().pk

    report = students_import(
        path=write(tmp_path, HEADER + "\nE1,Martin-Roy,Léa,1ERE 1,0310024H,,0698765432,\n", name="rentree.csv")
    )

    assert (report.created, report.updated) == (0, 1)
    assert students() == [
        (
            "E1",
            "1ERE 1",
            "0698765432",
            "p@example.org",  # blank cells keep what is stored
            "0310024H",
            "0310024h-e1",
            "Léa",
            "Martin-Roy",
            "lea@example.org",
        )
    ]
    assert User.objects.get().pk == user_id


def test_same_identifier_in_two_establishments_is_two_students(tmp_path, lycee):
    EstablishmentFactory(uai="0340001A", departement="34")
    path = write(tmp_path, HEADER + "\n17,Martin,Léa,2NDE,0310024H,,,\n17,Durand,Hugo,2NDE,0340001A,,,\n")

    assert students_import(path=path).created == 2
    assert set(User.objects.values_list("username", flat=True)) == {"0310024h-17", "0340001a-17"}


def test_one_invalid_row_and_nothing_is_written(tmp_path, lycee):
    path = write(
        tmp_path,
        HEADER + "\n"
        "E1,Martin,Léa,2NDE,0310024H,,,\n"
        "E2,Durand,Hugo,2NDE,0319999Z,,,\n"
        "E3,Petit,Ana,2NDE,0310024H,pas-une-adresse,,\n"
        "E4,Roux,Tom,2NDE,0310024H,,01 23 45 67 89,\n"
        "E1,Martin,Léa,2NDE,0310024H,,,\n"
        ",,,,0310024H,,,\n",
    )

    report = students_import(path=path)

    assert report.refused
    assert [error.line for error in report.errors] == [3, 4, 5, 6, 7, 7, 7, 7]
    assert "0319999Z" in report.errors[0].message
    assert "not an email address" in report.errors[1].message
    assert "not a mobile phone number" in report.errors[2].message
    assert "line 2" in report.errors[3].message
    assert not User.objects.exists()
    assert not Profile.objects.exists()


def test_skip_invalid_writes_the_valid_students_and_rejects_the_others(tmp_path, lycee):
    path = write(tmp_path, HEADER + "\nE1,Martin,Léa,2NDE,0310024H,,,\nE2,Durand,Hugo,2NDE,0319999Z,,,\n")

    report = students_import(path=path, skip_invalid=True)

    assert (report.created, report.rejected, report.written) == (1, 1, True)
    rows = list(csv.reader(report.rejects_path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][0] == "E2" and "0319999Z" in rows[1][-1]
    assert list(User.objects.values_list("username", flat=True)) == ["0310024h-e1"]


def test_login_is_the_uai_and_identifier_in_username_characters(tmp_path, lycee):
    path = write(tmp_path, HEADER + "\nA 12/b,Martin,Léa,2NDE,0310024H,,,\nA-12-B,Durand,Hugo,2NDE,0310024H,,,\n")

    report = students_import(path=path)

    assert "0310024h-a-12-b" in report.errors[0].message
    assert report.errors[0].line == 3


def test_a_login_taken_by_another_account_is_a_row_error(tmp_path, lycee):
    UserFactory(username="0310024h-e1")

    report = students_import(path=write(tmp_path, HEADER + "\nE1,Martin,Léa,2NDE,0310024H,,,\n"))

    assert "already used by another account" in report.errors[0].message
    assert Profile.objects.count() == 0


def test_an_identifier_held_by_a_staff_account_is_refused(tmp_path, lycee):
    staff = make_person(Role.STAFF, establishment=lycee)
    Profile.objects.filter(user=staff).update(student_number="E1")

    report = students_import(path=write(tmp_path, HEADER + "\nE1,Martin,Léa,2NDE,0310024H,,,\n"))

    assert "not a student" in report.errors[0].message
    assert User.objects.get(pk=staff.pk).last_name != "Martin"


def test_a_mobile_number_whose_leading_zero_the_spreadsheet_ate_is_repaired(tmp_path, lycee):
    path = write(
        tmp_path, HEADER + "\nE1,Martin,Léa,2NDE,0310024H,,612345678,\nE2,Roux,Tom,2NDE,0310024H,,+33 7 12 34 56 78,\n"
    )

    students_import(path=path)

    assert dict(Profile.objects.values_list("student_number", "phone")) == {"E1": "0612345678", "E2": "+33712345678"}


def test_an_imported_student_can_sign_in_once_a_password_is_set(tmp_path, lycee):
    students_import(path=write(tmp_path, HEADER + "\nE1,Martin,Léa,2NDE,0310024H,,,\n"))
    user = User.objects.get()
    assert authenticate(username="0310024h-e1", password="") is None

    user.set_password("rentree-2026")
    user.save()

    assert authenticate(username="0310024h-e1", password="rentree-2026") == user


def test_the_database_refuses_two_students_with_one_identifier_in_one_establishment(lycee):
    ProfileFactory(establishment=lycee, student_number="E1")
    ProfileFactory(establishment=lycee, student_number="")
    ProfileFactory(establishment=lycee, student_number="")  # blank: students without identifier

    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileFactory(establishment=lycee, student_number="E1")


def test_import_queries_do_not_grow_with_the_number_of_students(tmp_path, lycee, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        report = students_import(path=write(tmp_path, roster(600)))

    assert report.created == 600
    assert Profile.objects.filter(role=Role.STUDENT, establishment=lycee).count() == 600


def test_import_students_command_groups_errors_and_refuses_the_file(tmp_path, lycee, capsys):
    path = write(tmp_path, roster(40, uai="0319999Z"))

    with pytest.raises(CommandError, match="40 invalid rows: nothing was written"):
        call_command("import_students", str(path), "--no-progress")

    err = capsys.readouterr().err
    assert "unknown UAI (no such establishment): 40 lines (2, 3, 4, 5, 6, …)" in err
    assert "What to do: import the establishments first" in err
    assert len(err.splitlines()) < 8


def test_import_students_command_twice_reports_unchanged(tmp_path, lycee, capsys):
    path = write(tmp_path, roster(3))

    call_command("import_students", str(path), "--no-progress")
    call_command("import_students", str(path), "--no-progress")

    out = capsys.readouterr().out
    assert "created: 3" in out
    assert "Nothing to write: 3 rows unchanged." in out


def test_manager_sees_the_student_fields_in_the_admin_and_finds_a_student_by_identifier(client, tmp_path, lycee):
    students_import(path=write(tmp_path, HEADER + "\nE1,Martin,Léa,2NDE 3,0310024H,,,parent@example.org\n"))
    client.force_login(make_person(Role.MANAGER))

    found = client.get(reverse("admin:auth_user_changelist"), {"q": "E1"}).context["cl"].result_list
    page = client.get(reverse("admin:auth_user_change", args=[found[0].pk])).content.decode()

    assert [user.username for user in found] == ["0310024h-e1"]
    for name, value in (("student_number", "E1"), ("class_name", "2NDE 3"), ("guardian_email", "parent@example.org")):
        assert f'name="profile-0-{name}"' in page
        assert f'value="{value}"' in page
