"""seed_demo's current campaign: part-way, with establishments on track, behind and done, written
as the fleet's service would have written it."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from demo import seed as demo_seed
from demo.campaign import campaign_dates, cohort_prefix
from devices.models import Assignment, Device, DistributionCampaign
from devices.services import assignment_hand_over
from distribution.dates import school_year_of
from distribution.selectors import campaign_progress
from tests.once import kept_for_the_module

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The small demo, seeded once for this module's tests (each test's changes are undone after it)."""
    with kept_for_the_module(django_db_blocker, lambda: demo_seed.demo_data_seed(scale="small")) as seeded:
        yield seeded


def test_the_current_campaign_is_part_way_with_on_track_behind_and_done(seeded):
    year = school_year_of(timezone.localdate())
    progress = campaign_progress(user=User.objects.get(username="demo-manager"), year=year)
    rows = progress.establishments
    assert len(rows) == len(seeded.dataset.establishments)
    behind = [row for row in rows if row.behind]
    done = [row for row in rows if row.reached_on]
    on_track = [row for row in rows if not row.behind and not row.reached_on]
    assert len(done) == 1 and 1 <= len(behind) <= len(rows) // 3 and len(on_track) > len(rows) // 2
    assert rows[0].behind and rows[: len(behind)] == behind  # behind schedule first
    assert 0 < progress.total.pct < 90
    assert progress.total.rate > 0 and progress.total.projected_on is not None
    # Hand-overs over the past working days, none in the future.
    assert sum(1 for n in progress.total.per_day if n) >= 3
    latest = Assignment.objects.filter(student__username__startswith=cohort_prefix(year)).latest("handed_over_at")
    assert latest.handed_over_at <= timezone.now()


def test_the_campaign_opens_on_the_first_school_day_in_september_else_eight_working_days_ago():
    assert campaign_dates(dt.date(2026, 9, 10)) == (2026, dt.date(2026, 9, 1), dt.date(2026, 9, 28))
    year, starts_on, ends_on = campaign_dates(dt.date(2026, 12, 6))  # a Sunday
    assert (year, starts_on, ends_on) == (2026, dt.date(2026, 11, 25), dt.date(2026, 12, 22))
    assert campaign_dates(dt.date(2027, 3, 10))[1] == dt.date(2027, 2, 26)


def test_hand_overs_are_what_the_service_writes(seeded):
    """Each bulk-written hand-over, undone and replayed through assignment_hand_over, comes back
    identical (times and author included); the laptops still waiting are in stock at their school."""
    year = school_year_of(timezone.localdate())
    written = list(Assignment.objects.filter(student__username__startswith=cohort_prefix(year)).order_by("pk")[:25])
    fields = ("device_id", "student_id", "handed_over_at", "handed_over_by_id", "channel", "carrier",
              "tracking_number", "delivered_at", "returned_at")  # fmt: skip
    for bulk in written:
        expected = {name: getattr(bulk, name) for name in fields}
        expected_status = Device.objects.get(pk=bulk.device_id).status
        with transaction.atomic():
            Assignment.objects.filter(pk=bulk.pk).delete()
            Device.objects.filter(pk=bulk.device_id).update(status=Device.Status.IN_STOCK)
            replayed = assignment_hand_over(
                device=Device.objects.get(pk=bulk.device_id),
                student=User.objects.get(pk=bulk.student_id),
                actor=User.objects.filter(pk=bulk.handed_over_by_id).first(),
                at=bulk.handed_over_at,
            )
            assert {name: getattr(replayed, name) for name in fields} == expected
            assert Device.objects.get(pk=bulk.device_id).status == expected_status == Device.Status.ASSIGNED
            transaction.set_rollback(True)
    waiting = Device.objects.filter(serial_number__startswith=f"RC{year % 100:02d}", assignments__isnull=True)
    assert waiting.exists() and set(waiting.values_list("status", flat=True)) == {Device.Status.IN_STOCK}


def test_a_second_seed_adds_nothing_and_keeps_the_campaign(seeded):
    year = school_year_of(timezone.localdate())
    before = list(DistributionCampaign.objects.filter(school_year=f"{year}-{year + 1}").values().order_by("pk"))
    count = Assignment.objects.count(), User.objects.count(), Device.objects.count()
    demo_seed.demo_data_seed(scale="small")
    assert (Assignment.objects.count(), User.objects.count(), Device.objects.count()) == count
    assert list(DistributionCampaign.objects.filter(school_year=f"{year}-{year + 1}").values().order_by("pk")) == before
