"""The counts the database keeps for the campaign dashboard (distribution/triggers.py) against the
assignments themselves: a varied history is written through every kind of writer — the desk's
hand-over, undo and return, a repair's swap, home delivery shipped then delivered, a student moving
to another school, a bulk import and raw updates — then every figure of the dashboard must equal
the one the former counting query gives over all the assignments (tests/distribution/old_counts.py)."""

import dataclasses
import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from devices import services as fleet
from devices.models import Assignment, Device, DistributionCampaign, Profile, Role
from distribution import selectors
from distribution.dates import school_year_of
from distribution.models import EquippedDay
from distribution.services import delivery_confirm, handover_record, handover_undo, return_record
from distribution.triggers import triggers_drop, triggers_ensure, triggers_install
from tests.devices.factories import DeviceFactory, make_person
from tests.distribution import old_counts
from tests.distribution.progress_world import PARIS, at, campaign, hand_over, student
from tests.once import kept_for_the_module
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


def _when(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


SEPT = [dt.date(2026, 9, d) for d in range(1, 31)]


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """The history, written once for the module's tests (each test's changes are undone after it)."""
    with kept_for_the_module(django_db_blocker, write_history) as people:
        yield people


def write_history():
    """Five establishments of two académies, campaigns of different starts and ends, and what a
    campaign goes through; returns the people who read the figures (and the world, for the tests
    that add their own campaign beside the history)."""
    world = build_world()  # Fermat (31) with a desk and its staff, Joffre (34); both get a campaign
    for establishment in (world.establishment, world.other_establishment):
        DistributionCampaign.objects.create(
            school_year="2026-2027", establishment=establishment, target_students=12,
            starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 9, 30),
        )  # fmt: skip
    a, b = campaign(name="A", target=30), campaign(name="B", target=20)
    c = campaign(name="C", departement="34", target=15, starts_on=dt.date(2026, 9, 3))
    late_end = campaign(name="D", departement="34", target=10)
    DistributionCampaign.objects.filter(establishment=late_end).update(ends_on=dt.date(2026, 10, 15))
    campaign(name="E sans remise", target=8)
    for _ in range(3):
        student(a)  # students without a laptop

    # Last year's laptops kept: the starting level; one given back during the campaign, one after its end.
    kept = hand_over(a, at(dt.date(2025, 9, 5)), 4) + hand_over(late_end, at(dt.date(2025, 9, 8)), 3)
    fleet.assignment_close(assignment=kept[0], at=at(dt.date(2026, 9, 2)))
    fleet.assignment_close(assignment=kept[1], at=at(dt.date(2026, 10, 5)))
    fleet.assignment_close(assignment=kept[4], at=at(dt.date(2026, 10, 5)))  # before D's own end
    # Hand-overs day after day, some around midnight (local and UTC days differ there).
    for n, day in enumerate(SEPT[:12]):
        hand_over(a, _when(day, 9), 1 + n % 3)
        hand_over(b if n % 2 else c, _when(day, 0, 30), 1)
        hand_over(late_end, _when(day, 23, 45), n % 2)
    hand_over(b, _when(dt.date(2026, 9, 9), 18), 2)

    # The desk: hand-overs, one undone, one returned, one swapped after a repair, one handed over
    # in place of the laptop the student held.
    staff, here = world.staff, world.establishment
    desk_students = [make_person(Role.STUDENT, establishment=here, username=f"desk-{n}") for n in range(5)]

    def laptop():
        return DeviceFactory(establishment=here, image=world.image)

    def desk(person, when, **options):
        return handover_record(actor=staff, student=person, device=laptop(), charter_signed=True, at=when, **options)

    done = [desk(person, _when(SEPT[n], 10)) for n, person in enumerate(desk_students[:4])]
    undone = desk(desk_students[4], _when(SEPT[5], 11))
    handover_undo(actor=staff, assignment=undone.assignment, now=_when(SEPT[5], 11, 5))
    return_record(actor=staff, device=done[0].assignment.device, condition="good", at=_when(SEPT[6], 14))
    desk(desk_students[1], _when(SEPT[7], 10), return_previous=True)
    fleet.device_swap(faulty=done[2].assignment.device, replacement=laptop(), establishment_id=here.pk,
                      actor=staff, lost=False)  # fmt: skip
    # Home delivery: one parcel delivered (confirmed at the desk), one on its way.
    parcels = [
        desk(make_person(Role.STUDENT, establishment=here, username=f"home-{n}"), _when(SEPT[3], 15),
             channel="carrier", carrier="colissimo", tracking_number=f"6A{n:09d}")
        for n in range(2)
    ]  # fmt: skip
    delivery_confirm(actor=staff, assignment=parcels[0].assignment, at=_when(SEPT[8], 12))
    # Students move to another school (one in raw SQL, one through the model).
    moving = Assignment.objects.filter(student__profile__establishment=b, returned_at=None).first()
    Profile.objects.filter(user_id=moving.student_id).update(establishment=c)
    moved = Assignment.objects.filter(student__profile__establishment=a, returned_at=None).first().student.profile
    moved.establishment = world.other_establishment
    moved.save()
    # An import (bulk rows), then a correction of its dates in raw SQL, and a laptop delivered
    # today after the moment the figures are computed for.
    imported = [student(world.other_establishment) for _ in range(4)]
    Assignment.objects.bulk_create(
        Assignment(device=DeviceFactory(establishment=world.other_establishment, status=Device.Status.ASSIGNED),
                   student=person, handed_over_at=_when(SEPT[2], 8), delivered_at=_when(SEPT[2], 8))
        for person in imported
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE devices_assignment SET delivered_at = %s WHERE student_id = %s",
            [_when(SEPT[4], 8), imported[0].pk],
        )
    hand_over(a, _when(SEPT[9], 17), 2)
    return {
        "world": world,
        "manager": make_person(Role.MANAGER, username="campagne-region"),
        "staff": staff,
        "staff of C": make_person(Role.STAFF, establishment=c, username="staff-c"),
    }


def _old_counts(found, *, first, through, as_of):
    days = [first + dt.timedelta(days=i) for i in range(max(0, (through - first).days + 1))]
    return old_counts._counts(found, days=days, first=first, as_of=as_of)


MOMENTS = [
    _when(dt.date(2026, 8, 20), 12),  # before the campaign: the starting level only
    _when(SEPT[0], 0, 10),  # its first minutes
    _when(SEPT[9], 15),  # mid-campaign, a laptop delivered later today
    _when(SEPT[11], 23, 50),
    _when(dt.date(2026, 10, 10), 9),  # after most ends, before D's
    _when(dt.date(2026, 12, 1), 9),  # after every end
]


@pytest.mark.parametrize("plan", ["from the establishments", "one pass over the assignments"])
def test_every_figure_equals_the_one_counted_over_the_assignments(history, monkeypatch, plan):
    if plan == "one pass over the assignments":
        monkeypatch.setattr(old_counts, "SCAN_FROM", 0)
    scopes = [
        (history["manager"], {}),
        (history["manager"], {"departement": "34"}),
        (history["manager"], {"academie": "toulouse"}),
        (history["staff"], {}),
        (history["staff of C"], {}),
    ]
    compared = 0
    for now in MOMENTS:
        for user, narrowed in scopes:
            new = selectors.campaign_progress(user=user, year=2026, now=now, **narrowed)
            with monkeypatch.context() as patch:
                patch.setattr(selectors, "_counts", _old_counts)
                old = selectors.campaign_progress(user=user, year=2026, now=now, **narrowed)
            assert dataclasses.asdict(new) == dataclasses.asdict(old), (now, narrowed)
            assert new.fingerprint() == old.fingerprint()
            compared += len(new.establishments)
    # The history does reach the figures: hand-overs every day, and something today.
    region = selectors.campaign_progress(user=history["manager"], year=2026, now=MOMENTS[2])
    assert region.total.equipped > 40 and region.total.today > 0 and region.total.at_start > 0
    assert compared == 6 * (7 + 3 + 4 + 1 + 1)  # moments × establishments of each scope


def _kept() -> dict:
    return {
        (row.establishment_id, row.delivered_on, row.returned_on): row.students
        for row in EquippedDay.objects.exclude(students=0)
    }


def test_the_kept_counts_equal_the_counts_rebuilt_from_the_assignments(history):
    kept = _kept()
    triggers_install(connection)  # rebuilds the table from the assignments
    assert kept == _kept()
    assert (
        sum(kept.values())
        == Assignment.objects.filter(delivered_at__isnull=False, student__profile__establishment__isnull=False).count()
    )


def test_dropped_triggers_come_back_with_the_counts_rebuilt(history):
    a = DistributionCampaign.objects.get(establishment__name="A").establishment
    triggers_drop(connection)
    hand_over(a, _when(SEPT[3], 9), 3)
    manager, now = history["manager"], MOMENTS[2]
    missed = selectors.campaign_progress(user=manager, year=2026, now=now).total.equipped
    assert triggers_ensure(using="default") is True
    assert triggers_ensure(using="default") is False
    assert selectors.campaign_progress(user=manager, year=2026, now=now).total.equipped == missed + 3


def test_a_student_whose_laptop_is_swapped_after_a_repair_stays_equipped(history):
    world = history["world"]
    opened = timezone.localdate() - dt.timedelta(days=5)
    here = campaign(name="Échange", target=2, starts_on=opened)
    [held] = hand_over(here, at(opened), 1)
    manager = make_person(Role.MANAGER, username="campagne-echange")

    def equipped():
        progress = selectors.campaign_progress(user=manager, year=school_year_of(opened))
        return next(row.equipped for row in progress.establishments if row.key == here.uai)

    assert equipped() == 1
    replacement = DeviceFactory(establishment=here, image=world.image)
    fleet.device_swap(
        faulty=held.device, replacement=replacement, establishment_id=here.pk, actor=world.tech, lost=False
    )
    assert Assignment.objects.get(student=held.student, returned_at=None).device == replacement
    assert equipped() == 1


def test_the_students_swapped_before_the_fix_are_counted_again_parcels_on_their_way_are_not(history):
    backfill = importlib.import_module("devices.migrations.0010_swapped_assignments_delivered")
    opened = timezone.localdate() - dt.timedelta(days=5)
    here = campaign(name="Rattrapage", target=3, starts_on=opened)
    swapped, parcel, _kept = hand_over(here, at(opened), 3)
    Assignment.objects.filter(pk=swapped.pk).update(delivered_at=None)  # as a swap wrote it
    Assignment.objects.filter(pk=parcel.pk).update(delivered_at=None, channel=Assignment.Channel.CARRIER)
    manager = make_person(Role.MANAGER, username="campagne-rattrapage")

    def equipped():
        progress = selectors.campaign_progress(user=manager, year=school_year_of(opened))
        return next(row.equipped for row in progress.establishments if row.key == here.uai)

    assert equipped() == 1
    backfill.delivered_when_handed_over(apps, None)
    assert Assignment.objects.get(pk=swapped.pk).delivered_at == swapped.handed_over_at
    assert Assignment.objects.get(pk=parcel.pk).delivered_at is None
    assert equipped() == 2
