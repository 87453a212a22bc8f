"""`distribution_simulate`: hand-overs through the fleet's service, at the asked pace, until the
asked number or Ctrl-C."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from devices.models import Assignment, Device, Role
from distribution.dates import school_year_of
from distribution.management.commands import distribution_simulate
from tests.devices.factories import DeviceFactory, make_person
from tests.distribution.progress_world import campaign, student

pytestmark = pytest.mark.django_db


@pytest.fixture
def waits(monkeypatch):
    slept = []
    monkeypatch.setattr(distribution_simulate, "sleep", slept.append)
    return slept


@pytest.fixture
def schools():
    today = timezone.localdate()
    start, year = today - dt.timedelta(days=3), school_year_of(today)
    schools = [campaign(name=f"Lycée {n}", target=20, starts_on=start, year=year) for n in range(3)]
    for school in schools:
        make_person(Role.STAFF, establishment=school)
        for _ in range(6):
            student(school)
            DeviceFactory(establishment=school)
    return schools


def run(**options) -> str:
    out = StringIO()
    call_command("distribution_simulate", stdout=out, stderr=StringIO(), seed=1, **options)
    return out.getvalue()


def test_records_the_asked_number_of_hand_overs_at_the_asked_pace(schools, waits):
    output = run(per_minute=12, minutes=0.5, year=school_year_of(timezone.localdate()))
    assert "6 remises enregistrées." in output
    assignments = Assignment.objects.select_related("device", "student__profile", "handed_over_by__profile")
    assert assignments.count() == 6
    for assignment in assignments:
        # The service's rules: a laptop of the student's school, given by its staff, in hand at once.
        assert assignment.device.establishment_id == assignment.student.profile.establishment_id
        assert assignment.handed_over_by.profile.establishment_id == assignment.device.establishment_id
        assert assignment.device.status == Device.Status.ASSIGNED
        assert assignment.delivered_at == assignment.handed_over_at and assignment.channel == "on_site"
    assert len({a.student_id for a in assignments}) == len({a.device_id for a in assignments}) == 6
    # 12 a minute: the first at once, then one every 5 seconds (the waits here never really pass).
    assert len(waits) == 5 and 4.5 < waits[0] <= 5.0


def test_stops_cleanly_on_ctrl_c(schools, monkeypatch):
    calls = []

    def interrupted(seconds):
        calls.append(seconds)
        if len(calls) == 4:
            raise KeyboardInterrupt

    monkeypatch.setattr(distribution_simulate, "sleep", interrupted)
    output = run(per_minute=60)
    recorded = Assignment.objects.count()
    assert f"{recorded} remises enregistrées." in output
    assert 1 <= recorded <= 4
    assert Device.objects.filter(status=Device.Status.ASSIGNED).count() == recorded


def test_stops_when_nobody_is_left_to_equip(schools, waits):
    assert "18 remises enregistrées." in run(per_minute=600)
    assert Assignment.objects.filter(returned_at__isnull=True).count() == 18


def test_refuses_a_pace_out_of_bounds_and_a_year_without_campaign(schools):
    with pytest.raises(CommandError):
        run(per_minute=0)
    with pytest.raises(CommandError):
        run(per_minute=10, year=1999)
