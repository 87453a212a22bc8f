"""The coverage question, at its boundaries: what covers this fault on this device on this date?"""

import datetime as dt

import pytest

from devices.selectors import coverage_for, device_by_identifier, holdings_of
from tests.devices.factories import AssignmentFactory, CoverageFactory, DeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 9, 1), dt.date(2027, 8, 31)


@pytest.fixture
def device():
    return DeviceFactory()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (START - dt.timedelta(days=1), "region"),
        (START, "manufacturer"),
        (END, "manufacturer"),
        (END + dt.timedelta(days=1), "region"),
    ],
)
def test_manufacturer_warranty_covers_its_first_and_last_day_inclusive(device, day, expected):
    CoverageFactory(device=device, starts_on=START, ends_on=END)
    assert coverage_for(device=device, on=day, category="screen").decision == expected


def test_no_coverage_means_the_program_pays_for_a_fault(device):
    answer = coverage_for(device=device, on=START, category="battery")
    assert (answer.decision, answer.coverage) == ("region", None)


def test_uncovered_damage_is_chargeable_to_the_family(device):
    CoverageFactory(device=device, starts_on=START, ends_on=END)  # manufacturer: defects only
    answer = coverage_for(device=device, on=START, category="accidental_damage")
    assert answer.decision == "family"
    assert any("ne couvre pas la casse" in line for line in answer.considered)


def test_overlapping_coverages_the_most_favourable_wins_and_says_which(device):
    manufacturer = CoverageFactory(device=device, starts_on=START, ends_on=END)
    CoverageFactory(device=device, kind="extended", provider="Dell ProSupport", starts_on=START, ends_on=END)
    answer = coverage_for(device=device, on=START, category="screen")
    assert answer.decision == "manufacturer"
    assert answer.coverage == manufacturer
    assert any("Extension de garantie" in line and "plus favorable" in line for line in answer.considered)


def test_extended_warranty_takes_over_when_the_manufacturer_one_expires(device):
    CoverageFactory(device=device, starts_on=START, ends_on=END)
    extended = CoverageFactory(
        device=device, kind="extended", provider="Dell", starts_on=END, ends_on=dt.date(2028, 8, 31)
    )
    assert coverage_for(device=device, on=END, category="keyboard").decision == "manufacturer"
    answer = coverage_for(device=device, on=END + dt.timedelta(days=1), category="keyboard")
    assert (answer.decision, answer.coverage) == ("extended", extended)


def test_accidental_damage_protection_covers_damage_within_its_cap(device):
    protection = CoverageFactory(device=device, kind="accidental", provider="AXA", claims_cap=2, claims_used=1)
    answer = coverage_for(device=device, on=START, category="liquid_damage")
    assert (answer.decision, answer.coverage) == ("accidental", protection)


def test_accidental_damage_protection_with_its_cap_reached_does_not_cover(device):
    CoverageFactory(device=device, kind="accidental", provider="AXA", claims_cap=2, claims_used=2)
    answer = coverage_for(device=device, on=START, category="accidental_damage")
    assert answer.decision == "family"
    assert any("plafond de sinistres atteint (2 sur 2)" in line for line in answer.considered)


def test_accidental_damage_protection_does_not_cover_a_plain_fault(device):
    CoverageFactory(device=device, kind="accidental", provider="AXA", claims_cap=2)
    assert coverage_for(device=device, on=START, category="network").decision == "region"


def test_theft_is_not_covered_by_any_warranty(device):
    CoverageFactory(device=device, starts_on=START, ends_on=END)
    CoverageFactory(device=device, kind="accidental", provider="AXA", claims_cap=2)
    assert coverage_for(device=device, on=START, category="theft_loss").decision == "region"


def test_coverage_for_uses_given_coverages_without_querying(device, django_assert_num_queries):
    coverages = [CoverageFactory(device=device)]
    with django_assert_num_queries(0):
        assert coverage_for(device=device, on=START, category="screen", coverages=coverages).decision == "manufacturer"


def test_device_is_found_by_serial_in_any_case_or_by_asset_tag():
    device = DeviceFactory(serial_number="PF3XK2LM", asset_tag="RO-31-000042")
    assert device_by_identifier(identifier=" pf3x k2lm") == device
    assert device_by_identifier(identifier="RO-31-000042") == device
    assert device_by_identifier(identifier="nope") is None
    assert device_by_identifier(identifier="  ") is None


def test_holdings_of_a_device_and_a_student_are_their_open_assignments_only():
    laptop, other_laptop = DeviceFactory(), DeviceFactory()
    student, other_student = UserFactory(), UserFactory()
    june, september = dt.datetime(2026, 6, 30, tzinfo=dt.UTC), dt.datetime(2026, 9, 3, tzinfo=dt.UTC)
    # Last year's loans, given back: history, not holdings.
    AssignmentFactory(device=laptop, student=other_student, handed_over_at=june, returned_at=june)
    AssignmentFactory(device=other_laptop, student=student, handed_over_at=june, returned_at=june)
    assert holdings_of(device=laptop, student=student) == (None, None)

    holder = AssignmentFactory(device=laptop, student=other_student, handed_over_at=september)
    previous = AssignmentFactory(device=other_laptop, student=student, handed_over_at=september)
    found = holdings_of(device=laptop, student=student)
    assert found == (holder, previous)
    assert (found[0].student, found[1].device) == (other_student, other_laptop)
