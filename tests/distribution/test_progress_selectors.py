"""The campaign's figures, computed by hand on a small region: a Wednesday, 9 September 2026,
in a campaign opened on Tuesday the 1st (day 8 of 14: the line stands at 90 × 8 / 14 ≈ 51.4 %
for an establishment that started from nothing)."""

import datetime as dt

import pytest

from devices.models import Assignment, DistributionCampaign, Role
from distribution.dates import add_working_days, school_year_of
from distribution.selectors import campaign_progress
from tests.devices.factories import make_person
from tests.distribution.progress_world import at, campaign, give_back, hand_over
from tests.once import kept_for_the_module

pytestmark = pytest.mark.django_db

NOW = at(dt.date(2026, 9, 9), 15)
WORKING_DAYS = [dt.date(2026, 9, d) for d in (1, 2, 3, 4, 7, 8)]


@pytest.fixture(scope="module")
def region(django_db_setup, django_db_blocker):
    """Written once for the module's tests (each test's changes are undone after it)."""
    with kept_for_the_module(django_db_blocker, build_region) as establishments:
        yield establishments


def build_region():
    on_track = campaign(name="A en avance", target=100)
    for day in WORKING_DAYS:
        hand_over(on_track, at(day), 10)
    hand_over(on_track, at(dt.date(2026, 9, 9), 11), 5)

    late = campaign(name="B en retard", target=50)
    hand_over(late, at(dt.date(2025, 9, 5)), 10)  # kept last year's laptop: the starting level
    hand_over(late, at(dt.date(2026, 9, 1)), 2)
    hand_over(late, at(dt.date(2026, 9, 2)), 2)
    hand_over(late, at(dt.date(2026, 9, 8)), 1)

    done = campaign(name="C terminé", departement="34", target=20)
    hand_over(done, at(dt.date(2026, 9, 1)), 9)
    hand_over(done, at(dt.date(2026, 9, 3)), 9)

    idle = campaign(name="D à l'arrêt", target=40)
    return {"A": on_track, "B": late, "C": done, "D": idle}


@pytest.fixture
def manager():
    return make_person(Role.MANAGER, username="manager")


def by_label(rows):
    return {row.label[0]: row for row in rows}


def test_figures_of_each_establishment_match_the_hand_computation(region, manager):
    progress = campaign_progress(user=manager, year=2026, now=NOW)
    rows = by_label(progress.establishments)

    a = rows["A"]
    assert (a.target, a.equipped, a.pct, a.today) == (100, 65, 65.0, 5)
    assert a.rate == 10  # Fri 4, Mon 7, Tue 8: 30 in 3 working days
    # 25 students to go to 90, at 10 a day: Thursday 10, Friday 11, Monday 14.
    assert a.projected_on == dt.date(2026, 9, 14)
    assert a.reached_on is None
    assert a.expected_pct == pytest.approx(90 * 8 / 14)
    assert not a.behind

    b = rows["B"]
    assert (b.target, b.equipped, b.pct, b.today) == (50, 15, 30.0, 0)
    assert b.rate == pytest.approx(1 / 3)
    # From 20 % on the first day to 90 % on day 14: 20 + 70 × 8 / 14 = 60 % expected today.
    assert b.expected_pct == pytest.approx(60)
    assert b.behind
    # 30 to go at one every three working days: 90 working days, 18 weeks after Wednesday 9.
    assert b.projected_on == dt.date(2027, 1, 13)

    c = rows["C"]
    assert (c.equipped, c.pct, c.reached_on, c.projected_on) == (18, 90.0, dt.date(2026, 9, 3), dt.date(2026, 9, 3))
    assert not c.behind

    d = rows["D"]
    assert (d.equipped, d.rate, d.projected_on, d.behind) == (0, 0, None, True)


def test_behind_schedule_come_first_the_furthest_behind_first(region, manager):
    progress = campaign_progress(user=manager, year=2026, now=NOW)
    # D is 51.4 points under its line, B 30; then the others, least equipped first.
    assert [row.label[0] for row in progress.establishments] == ["D", "B", "A", "C"]


def test_groups_and_region_are_sums_of_their_establishments(region, manager):
    progress = campaign_progress(user=manager, year=2026, now=NOW)
    assert (progress.total.target, progress.total.equipped, progress.total.today) == (210, 98, 5)
    departements = {row.key: row for row in progress.departements}
    assert (departements["31"].target, departements["31"].equipped) == (190, 80)
    assert (departements["34"].target, departements["34"].equipped) == (20, 18)
    academies = {row.key: row for row in progress.academies}
    assert academies["toulouse"].equipped == 80 and academies["montpellier"].equipped == 18
    # The region's rate: 10 + 0 + 1 over the last three working days (C and D did nothing then).
    assert progress.total.rate == pytest.approx((30 + 1) / 3)


def test_curve_gives_the_share_equipped_at_the_end_of_each_day(region, manager):
    progress = campaign_progress(user=manager, year=2026, now=NOW)
    curve = dict(progress.total.curve)
    assert list(curve) == [dt.date(2026, 9, d) for d in range(1, 10)]
    # 10 carried over; day 1: +10 (A) +2 (B) +9 (C) = 31; day 2: +12; day 3: +19.
    assert curve[dt.date(2026, 9, 1)] == pytest.approx(100 * 31 / 210)
    assert curve[dt.date(2026, 9, 3)] == pytest.approx(100 * 62 / 210)
    assert curve[dt.date(2026, 9, 5)] == curve[dt.date(2026, 9, 4)]  # a Saturday
    assert curve[dt.date(2026, 9, 9)] == pytest.approx(100 * 98 / 210)


def test_filter_narrows_figures_and_curve_to_the_group(region, manager):
    progress = campaign_progress(user=manager, year=2026, departement="34", now=NOW)
    assert [row.label for row in progress.establishments] == ["C terminé"]
    assert progress.total.equipped == 18
    assert progress.total.curve[-1][1] == pytest.approx(90)


def test_a_parcel_on_its_way_and_a_laptop_given_back_do_not_count(region, manager):
    establishment = region["D"]
    hand_over(
        establishment, at(dt.date(2026, 9, 8)), channel=Assignment.Channel.CARRIER, tracking_number="6A123", carrier="X"
    )
    (left,) = hand_over(establishment, at(dt.date(2026, 9, 2)))
    give_back(left, at(dt.date(2026, 9, 7)))
    assert by_label(campaign_progress(user=manager, year=2026, now=NOW).establishments)["D"].equipped == 0


def test_after_the_end_a_laptop_given_back_later_still_counts(region, manager):
    (kept,) = hand_over(region["D"], at(dt.date(2026, 9, 2)))
    give_back(kept, at(dt.date(2026, 11, 2)))
    later = at(dt.date(2026, 12, 1))
    row = by_label(campaign_progress(user=manager, year=2026, now=later).establishments)["D"]
    assert row.equipped == 1
    assert campaign_progress(user=manager, year=2026, now=later).days[-1] == dt.date(2026, 9, 30)


def test_the_figures_take_two_queries_whatever_the_number_of_establishments(region, manager, django_assert_num_queries):
    manager.profile  # noqa: B018  (the role is read once per request anyway)
    with django_assert_num_queries(2):
        campaign_progress(user=manager, year=2026, now=NOW)
    for n in range(5):
        hand_over(campaign(name=f"E{n}", target=10), at(dt.date(2026, 9, 2)), 2)
    with django_assert_num_queries(2):
        progress = campaign_progress(user=manager, year=2026, now=NOW)
    assert len(progress.establishments) == 9


def test_staff_see_their_establishment_only(region):
    staff = make_person(Role.STAFF, establishment=region["B"], username="referent")
    progress = campaign_progress(user=staff, year=2026, now=NOW)
    assert [row.label for row in progress.establishments] == ["B en retard"]
    assert progress.total.target == 50


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.STUDENT])
def test_other_roles_see_no_campaign(region, role):
    person = make_person(role, establishment=region["A"] if role == Role.STUDENT else None)
    assert campaign_progress(user=person, year=2026, now=NOW).empty


def test_working_days_and_school_years():
    assert add_working_days(dt.date(2026, 9, 11), 1) == dt.date(2026, 9, 14)  # Friday → Monday
    assert add_working_days(dt.date(2026, 9, 12), 1) == dt.date(2026, 9, 14)  # Saturday → Monday
    assert school_year_of(dt.date(2026, 12, 6)) == 2026
    assert school_year_of(dt.date(2027, 3, 1)) == 2026
    assert school_year_of(dt.date(2027, 8, 25)) == 2027


def test_each_establishment_is_judged_against_its_own_end(manager):
    early, late = campaign(name="Fin en septembre", target=10), campaign(name="Fin en octobre", target=10)
    DistributionCampaign.objects.filter(establishment=late).update(ends_on=dt.date(2026, 10, 15))
    for establishment in (early, late):
        (assignment,) = hand_over(establishment, at(dt.date(2026, 9, 2)))
        give_back(assignment, at(dt.date(2026, 10, 5)))
    progress = campaign_progress(user=manager, year=2026, now=at(dt.date(2026, 12, 1)))
    equipped = {row.label: row.equipped for row in progress.establishments if row.label.startswith("Fin en ")}
    assert equipped == {"Fin en septembre": 1, "Fin en octobre": 0}
