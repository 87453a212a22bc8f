"""seed_demo: the demo accounts and their relationships, idempotence, refusal, determinism.

Only the small scale is written here; the region scale is generated in memory (slow-marked) and
written by bench/seed_demo.py.
"""

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from demo.fleet import generator, rows
from demo.fleet.identifiers import uai_check_letter
from devices import permissions
from devices.models import (
    ACADEMIE_DEPARTEMENTS,
    DEPARTEMENT_ACADEMIE,
    Academie,
    Assignment,
    Device,
    Establishment,
    FaultCategory,
    MasterImage,
    Role,
    WarrantyCoverage,
    uai_validator,
)
from devices.selectors import coverage_for, device_holder_assignment
from tests.once import kept_for_the_module

pytestmark = pytest.mark.django_db

User = get_user_model()

# A day of the demo's school year (2026-2027), so that "active" does not depend on when tests run.
DURING_THE_SCHOOL_YEAR = dt.date(2027, 3, 1)


def seed(scale: str = "small") -> str:
    out = StringIO()
    call_command("seed_demo", scale=scale, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    models = [User, *apps.get_app_config("devices").get_models()]
    return {model._meta.label: model.objects.count() for model in models}


def user(username: str):
    return User.objects.select_related("profile__establishment__zone", "profile__zone").get(username=username)


def held_device(username: str) -> Device:
    return (
        Assignment.objects.select_related("device__establishment")
        .get(student__username=username, returned_at__isnull=True)
        .device
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The small demo, seeded once for this module's tests (each test's changes are undone after it)."""
    with kept_for_the_module(django_db_blocker, seed) as summary:
        yield summary


@pytest.fixture(scope="module")
def region_dataset():
    return generator.demo_data_generate(scale="region")


# The demo accounts.


def test_small_seed_creates_the_five_demo_accounts_that_log_in_with_demo(seeded):
    expected = {
        "demo-student": Role.STUDENT,
        "demo-staff": Role.STAFF,
        "demo-tech": Role.TECHNICIAN,
        "demo-manager": Role.MANAGER,
        "demo-student-other": Role.STUDENT,
    }
    for username, role in expected.items():
        assert Client().login(username=username, password="demo"), username
        assert permissions.role_of(user(username)) == role
    assert user("demo-manager").is_staff
    assert user("demo-tech").is_staff
    assert not user("demo-student").is_staff


def test_demo_student_holds_a_laptop_of_demo_staff_establishment_in_demo_tech_zone(seeded):
    student, staff, tech = user("demo-student"), user("demo-staff"), user("demo-tech")
    device = held_device("demo-student")

    assert device.establishment == staff.profile.establishment
    assert device.establishment.zone == tech.profile.zone
    assert not tech.profile.zone.is_depot  # a depot technician would see everything
    assert device_holder_assignment(device=device).student == student
    # The same, as the rest of the application will ask it.
    assert list(permissions.visible_devices(user=student)) == [device]
    assert permissions.can_view_device(user=staff, device=device)
    assert permissions.can_view_device(user=tech, device=device)
    assert permissions.can_act_for_establishment(user=staff, establishment=device.establishment)
    assert permissions.can_act_for_establishment(user=tech, establishment=device.establishment)


def test_demo_student_other_holds_a_laptop_in_the_other_academie_outside_staff_and_tech_scope(seeded):
    staff, tech, student = user("demo-staff"), user("demo-tech"), user("demo-student")
    other = user("demo-student-other")
    device = held_device("demo-student-other")
    demo_establishment = staff.profile.establishment

    assert device.establishment != demo_establishment
    assert device.establishment.academie != demo_establishment.academie
    assert device.establishment.zone != tech.profile.zone
    assert list(permissions.visible_devices(user=other)) == [device]
    assert not permissions.can_view_device(user=staff, device=device)
    assert not permissions.can_view_device(user=tech, device=device)
    assert not permissions.can_view_device(user=student, device=device)
    assert not permissions.can_view_device(user=other, device=held_device("demo-student"))
    assert permissions.can_view_device(user=user("demo-manager"), device=device)


def test_demo_student_laptop_runs_the_current_image_under_warranty_and_accidental_cover(seeded):
    device = held_device("demo-student")

    assert device.status == Device.Status.ASSIGNED
    assert device.image.is_current
    assert device.image.academie == device.establishment.academie
    fault = coverage_for(device=device, on=DURING_THE_SCHOOL_YEAR, category=FaultCategory.SCREEN)
    assert fault.decision == WarrantyCoverage.Kind.MANUFACTURER
    damage = coverage_for(device=device, on=DURING_THE_SCHOOL_YEAR, category=FaultCategory.ACCIDENTAL_DAMAGE)
    assert damage.decision == WarrantyCoverage.Kind.ACCIDENTAL
    assert damage.coverage.claims_used < damage.coverage.claims_cap


def test_demo_establishment_is_a_toulouse_lycee_with_spares_in_its_pool(seeded):
    establishment = user("demo-staff").profile.establishment

    assert establishment.departement == "31"
    assert establishment.city == "Toulouse"
    assert establishment.devices.filter(status=Device.Status.SPARE, assignments__isnull=True).exists()


# The shape of the small dataset.


def test_small_seed_has_exactly_one_current_image_per_academie(seeded):
    for academie in Academie:
        assert MasterImage.objects.filter(academie=academie, is_current=True).count() == 1
        assert MasterImage.objects.filter(academie=academie, is_current=False).exists()


def test_small_seed_covers_every_departement_and_both_academies(seeded):
    establishments = Establishment.objects.all()

    assert 12 <= establishments.count() <= 20
    assert set(establishments.values_list("departement", flat=True)) == set(DEPARTEMENT_ACADEMIE)
    assert set(establishments.values_list("academie", flat=True)) == set(ACADEMIE_DEPARTEMENTS)
    assert 200 <= Device.objects.count() <= 800


def test_small_seed_writes_well_formed_establishments_and_devices(seeded):
    for establishment in Establishment.objects.all():
        uai_validator(establishment.uai)
        assert establishment.uai[-1] == uai_check_letter(establishment.uai[:7])
        assert establishment.uai.startswith("0" + establishment.departement)
        assert establishment.academie == DEPARTEMENT_ACADEMIE[establishment.departement]
        assert establishment.zone is not None
        assert 2 <= establishment.people.filter(role=Role.STAFF).count() <= 4
    for serial in Device.objects.values_list("serial_number", flat=True):
        assert serial == serial.upper()
        assert serial.isalnum()
    # Every status, loaners (on_loan) included: they come with the tickets.
    assert set(Device.objects.values_list("status", flat=True)) == set(Device.Status)
    assert Device.objects.filter(establishment__isnull=True, status=Device.Status.IN_STOCK).exists()
    # Every open assignment is to a student of the device's establishment.
    for assignment in Assignment.objects.filter(returned_at__isnull=True).select_related("device", "student__profile"):
        assert assignment.student.profile.role == Role.STUDENT
        assert assignment.student.profile.establishment_id == assignment.device.establishment_id
    assert Assignment.objects.filter(returned_at__isnull=False).exists()  # some history
    assert Assignment.objects.filter(channel=Assignment.Channel.CARRIER).exclude(tracking_number="").exists()


def test_generated_accounts_cannot_log_in(seeded):
    generated = User.objects.filter(profile__role=Role.STUDENT).exclude(username__startswith="demo-").first()

    assert generated.has_usable_password()
    assert not Client().login(username=generated.username, password="demo")


# Running it again, and where it must not run.


def test_seeding_twice_leaves_every_table_count_unchanged(seeded):
    before = table_counts()

    seed()

    assert table_counts() == before


def test_seeding_again_restores_the_demo_accounts(seeded):
    student = user("demo-student")
    student.set_password("changed")
    student.is_active = False
    student.save()
    student.profile.role = Role.MANAGER
    student.profile.save()

    seed()

    assert Client().login(username="demo-student", password="demo")
    assert permissions.role_of(user("demo-student")) == Role.STUDENT


# Determinism: the generator, without a database.


def test_generator_gives_the_same_data_on_every_run():
    first = generator.demo_data_generate(scale="small")
    second = generator.demo_data_generate(scale="small")

    assert [device.serial_number for device in first.devices] == [device.serial_number for device in second.devices]
    assert first == second


def test_another_seed_gives_other_serials():
    usual = generator.demo_data_generate(scale="small")
    other = generator.demo_data_generate(scale="small", seed=rows.DEFAULT_SEED + 1)

    assert [d.serial_number for d in usual.devices] != [d.serial_number for d in other.devices]


@pytest.mark.slow
def test_region_generator_has_the_size_of_the_region(region_dataset):
    assert len(region_dataset.establishments) == 370
    assert len(region_dataset.devices) == 61_000
    assert len({d.serial_number for d in region_dataset.devices}) == 61_000
    assert len({d.asset_tag for d in region_dataset.devices}) == 61_000
    assert len({p.username for p in region_dataset.people}) == len(region_dataset.people)
    assert len({e.uai for e in region_dataset.establishments}) == 370
    by_departement = {}
    for establishment in region_dataset.establishments:
        by_departement[establishment.departement] = by_departement.get(establishment.departement, 0) + 1
    assert max(by_departement, key=by_departement.get) == "31"
    assert sorted(by_departement, key=by_departement.get)[-2] == "34"
    spares = sum(d.status == Device.Status.SPARE for d in region_dataset.devices)
    assert 0.02 < spares / 61_000 < 0.04


@pytest.mark.slow
def test_small_is_a_subset_of_region_so_region_after_small_only_adds(region_dataset):
    small = generator.demo_data_generate(scale="small")

    assert set(small.establishments) <= set(region_dataset.establishments)
    assert set(small.devices) <= set(region_dataset.devices)
    assert set(small.people) <= set(region_dataset.people)
    assert set(small.coverages) <= set(region_dataset.coverages)
    assert set(small.assignments) <= set(region_dataset.assignments)
    assert small.demo_devices == region_dataset.demo_devices
