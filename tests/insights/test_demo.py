"""The demo carries a faulty batch (one notice from the weekly job) and outdated laptops (the drift page)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from demo.fleet.rows import PARIS
from insights.drift import drift_by_establishment
from insights.services import batch_notices_raise
from tests.once import small_demo_seeded

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 27, 15, 0, tzinfo=PARIS)


seeded = small_demo_seeded(NOW)


def test_the_weekly_job_after_seed_demo_raises_exactly_one_notice(seeded):
    [notice] = batch_notices_raise(now=NOW)
    assert (str(notice.model), notice.delivered_month, notice.category) == (
        "Lenovo 300w Yoga Gen 4",
        dt.date(2024, 8, 1),
        "battery",
    )
    assert notice.failures >= 5
    assert batch_notices_raise(now=NOW + dt.timedelta(days=7)) == []


def test_the_demo_has_outdated_laptops_for_the_drift_page(seeded, client):
    manager = get_user_model().objects.get(username="demo-manager")
    rows = drift_by_establishment(user=manager)
    assert sum(row.outdated for row in rows) > 20
    client.force_login(manager)
    page = client.get("/insights/drift/").content.decode()
    assert rows[0].name in page
