"""Failing batches: the statistical rule, one notice per (batch, category), the managers' emails."""

import datetime as dt

import pytest
from django.core.management import call_command

from devices.models import Device, Role
from insights.batches import batch_analysis
from insights.models import BatchNotice
from insights.services import batch_notices_raise
from insights.stats import poisson_sf
from notifications.models import Notification
from tests.devices.factories import DeviceModelFactory, EstablishmentFactory, make_person
from tests.insights.factories import NOW, make_devices, make_tickets

pytestmark = pytest.mark.django_db
WINDOW_START = NOW - dt.timedelta(weeks=13)


@pytest.fixture
def fleet():
    school = EstablishmentFactory()
    faulty_model = DeviceModelFactory(manufacturer="Lenovo", name="300w Yoga Gen 4")
    other_model = DeviceModelFactory(manufacturer="HP", name="ProBook 440 G10")
    assigned = {"establishment": school, "status": Device.Status.ASSIGNED}
    batch = make_devices(200, model=faulty_model, delivered_on=dt.date(2024, 8, 20), **assigned)
    rest = make_devices(800, model=other_model, delivered_on=dt.date(2025, 7, 10), **assigned)
    reporter = make_person(Role.STAFF, establishment=school)
    manager = make_person(Role.MANAGER, username="chef", email="chef@example.org")
    make_person(Role.MANAGER, username="sans-adresse", email="")
    return batch, rest, reporter, manager


def _failures(devices, reporter, count, category="battery"):
    return make_tickets(
        devices, reporter=reporter, count=count, category=category, declared_at=WINDOW_START + dt.timedelta(days=3)
    )


def test_a_batch_failing_far_more_than_the_fleet_is_flagged_with_its_evidence(fleet):
    batch, rest, reporter, _manager = fleet
    _failures(batch, reporter, 12)
    _failures(rest, reporter, 8)
    analysis = batch_analysis(now=NOW)
    # 2 batches × 6 categories tested: flagged below 0.01 / 12.
    assert analysis.tests == 12
    assert analysis.threshold == pytest.approx(0.01 / 12)
    [flagged] = analysis.flagged
    # The rest of the fleet: 8 failures on 800 laptops, so 200 laptops expect 2; P(N ≥ 12 | 2) = 1.4e-6.
    assert (flagged.model, flagged.delivered_month, flagged.category) == (
        "Lenovo 300w Yoga Gen 4",
        dt.date(2024, 8, 1),
        "battery",
    )
    assert (flagged.devices, flagged.failures, flagged.expected) == (200, 12, pytest.approx(2.0))
    assert flagged.p_value == pytest.approx(poisson_sf(12, 2.0))
    model_row = next(r for r in analysis.models if r.model == "Lenovo 300w Yoga Gen 4" and r.category == "battery")
    assert model_row.failures == 12 and not model_row.flagged  # models are compared, batches are announced


def test_below_the_minimum_count_nothing_is_flagged_however_unlikely(fleet):
    batch, _rest, reporter, _manager = fleet
    _failures(batch, reporter, 4)  # the rest of the fleet has none: p = 0, but 4 < 5
    assert batch_analysis(now=NOW).flagged == []


def test_a_batch_within_the_fleets_rate_is_not_flagged(fleet):
    batch, rest, reporter, _manager = fleet
    _failures(batch, reporter, 6)
    _failures(rest, reporter, 20)  # expects 5 on the batch: 6 is no surprise
    assert batch_analysis(now=NOW).flagged == []


def test_breakage_says_nothing_about_a_batch(fleet):
    batch, _rest, reporter, _manager = fleet
    _failures(batch, reporter, 30, category="accidental_damage")
    assert batch_analysis(now=NOW).flagged == []


def test_the_weekly_job_raises_one_notice_once_and_emails_the_managers(fleet, django_capture_on_commit_callbacks):
    batch, rest, reporter, manager = fleet
    tickets = _failures(batch, reporter, 12)
    _failures(rest, reporter, 8)
    with django_capture_on_commit_callbacks(execute=False):
        [notice] = batch_notices_raise(now=NOW)
    assert sorted(notice.ticket_ids) == sorted(t.pk for t in tickets)
    [mail] = Notification.objects.filter(event="insights.failing_batch")
    assert mail.recipient == manager and mail.channel == "email"
    assert "Lenovo 300w Yoga Gen 4" in mail.subject
    assert f"/insights/batches/notices/{notice.pk}/" in mail.link
    assert batch[0].serial_number in mail.body or batch[1].serial_number in mail.body
    # 12 failures where 2 were expected: p = 8.6e-06, said as people read it, in French.
    assert "test de Poisson unilatéral, p < 0,0001" in mail.body
    # Next week, the same batch still fails: nothing new.
    assert batch_notices_raise(now=NOW + dt.timedelta(days=7)) == []
    assert BatchNotice.objects.count() == 1
    assert Notification.objects.filter(event="insights.failing_batch").count() == 1


def test_the_command_runs_the_job(fleet, capsys):
    call_command("failing_batches")
    assert "0" in capsys.readouterr().out
