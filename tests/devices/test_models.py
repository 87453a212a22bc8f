"""Invariants held by the database itself: they must hold when the Python layer is bypassed."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from devices.models import Assignment, Device, Establishment, MasterImage, WarrantyCoverage
from tests.devices.factories import (
    AssignmentFactory,
    DeviceFactory,
    EstablishmentFactory,
    MasterImageFactory,
    UserFactory,
    make_person,
)

pytestmark = pytest.mark.django_db

HANDOVER = dt.datetime(2026, 9, 3, 9, 0, tzinfo=dt.UTC)


def assert_refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_second_open_assignment_for_a_device_is_refused_by_the_database():
    first = AssignmentFactory()
    other_student = UserFactory()
    assert_refused(
        lambda: Assignment.objects.bulk_create(
            [Assignment(device=first.device, student=other_student, handed_over_at=HANDOVER)]
        )
    )
    assert Assignment.objects.filter(device=first.device).count() == 1


def test_second_open_assignment_for_a_student_is_refused_by_the_database():
    first = AssignmentFactory()
    assert_refused(
        lambda: Assignment.objects.bulk_create(
            [Assignment(device=DeviceFactory(), student=first.student, handed_over_at=HANDOVER)]
        )
    )


def test_a_device_can_be_reassigned_once_its_assignment_is_returned():
    first = AssignmentFactory(returned_at=HANDOVER + dt.timedelta(days=30))
    Assignment.objects.create(
        device=first.device, student=UserFactory(), handed_over_at=HANDOVER + dt.timedelta(days=31)
    )
    assert first.device.assignments.count() == 2


def test_two_current_images_for_one_academie_are_refused_by_the_database():
    MasterImageFactory(academie="toulouse", is_current=True)
    assert_refused(
        lambda: MasterImage.objects.bulk_create([MasterImageFactory.build(academie="toulouse", is_current=True)])
    )
    # The other académie has its own current image.
    MasterImageFactory(academie="montpellier", is_current=True)
    assert MasterImage.objects.filter(is_current=True).count() == 2


def test_a_lower_case_serial_written_by_raw_sql_is_refused():
    device = DeviceFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE devices_device SET serial_number = %s WHERE id = %s", ["abc123", device.pk])
    assert Device.objects.get(pk=device.pk).serial_number == device.serial_number


def test_serial_is_normalised_and_unique_whatever_the_case():
    device = DeviceFactory(serial_number=" 5cg 3201abc ")
    assert device.serial_number == "5CG3201ABC"
    assert_refused(lambda: DeviceFactory(serial_number="5cg3201ABC"))


def test_asset_tag_is_unique():
    DeviceFactory(asset_tag="RO-31-000001")
    assert_refused(lambda: DeviceFactory(asset_tag="RO-31-000001"))


def test_academie_is_derived_from_departement():
    assert EstablishmentFactory(departement="34").academie == "montpellier"
    assert EstablishmentFactory(departement="09").academie == "toulouse"


def test_academie_inconsistent_with_departement_is_refused_by_the_database():
    assert_refused(
        lambda: Establishment.objects.bulk_create(
            [Establishment(uai="0340001A", name="X", city="Sète", departement="34", academie="toulouse")]
        )
    )


def test_coverage_ending_before_it_starts_is_refused():
    device = DeviceFactory()
    assert_refused(
        lambda: WarrantyCoverage.objects.create(
            device=device,
            kind="manufacturer",
            provider="Dell",
            starts_on=dt.date(2026, 1, 2),
            ends_on=dt.date(2026, 1, 1),
        )
    )


def test_accidental_damage_protection_needs_a_claims_cap():
    device = DeviceFactory()
    assert_refused(
        lambda: WarrantyCoverage.objects.create(
            device=device, kind="accidental", provider="AXA", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 1, 1)
        )
    )


def test_a_technician_without_zone_is_refused_by_the_database():
    from devices.models import Profile

    user = UserFactory()
    assert_refused(lambda: Profile.objects.create(user=user, role="technician"))


def test_profile_validation_explains_the_missing_establishment():
    from django.core.exceptions import ValidationError

    from devices.models import Profile

    with pytest.raises(ValidationError) as excinfo:
        Profile(user=UserFactory(), role="staff").full_clean()
    assert "establishment" in excinfo.value.message_dict


def test_uai_format_is_validated():
    from django.core.exceptions import ValidationError

    establishment = EstablishmentFactory.build(uai="31AB", zone=None)
    with pytest.raises(ValidationError) as excinfo:
        establishment.full_clean()
    assert "uai" in excinfo.value.message_dict
    # A lower-case letter is normalised, not refused.
    establishment = EstablishmentFactory.build(uai="0310024h", zone=None)
    establishment.full_clean()
    assert establishment.uai == "0310024H"


def test_make_person_builds_each_role():
    assert make_person("technician").profile.zone is not None
