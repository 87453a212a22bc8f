"""The campaign dashboard in Chromium: an open page shows a hand-over recorded after it opened,
without a reload, within 5 seconds."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from devices.models import Role
from distribution.dates import school_year_of
from tests.devices.factories import DeviceFactory, make_person
from tests.distribution.progress_world import at, campaign, hand_over, student

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_managers_open_dashboard_shows_a_new_hand_over_without_reload(open_page):
    from playwright.sync_api import expect  # imported by the process that runs browser tests only

    start, year = timezone.localdate() - dt.timedelta(days=3), school_year_of(timezone.localdate())
    school = campaign(name="Lycée Pierre-de-Fermat", target=10, starts_on=start, year=year)
    hand_over(school, at(start), 4)
    late = campaign(name="Lycée Joffre", departement="34", target=10, starts_on=start, year=year)
    newcomer, laptop = student(school), DeviceFactory(establishment=school)
    make_person(Role.MANAGER, username="chef")

    # The page's clock is Playwright's, stopped: the test moves it on instead of waiting, and only
    # the page's own timer, within the 5 seconds, can bring the new figures (no later try). The
    # clock stays in the context, which no other test may then reuse.
    page = open_page("chef", None, own_context=True)
    page.clock.install()
    page.clock.pause_at(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=5))
    page.goto(f"{open_page.base_url}/distribution/dashboard/?year={year}")
    row = page.locator(f'[data-table="by-establishment"] tr[data-key="{school.uai}"]')
    expect(row.locator('[data-figure="equipped"]')).to_have_text("4")
    expect(page.locator(f'tr[data-key="{late.uai}"]')).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")

    # A desk records the hand-over through the API, while the manager's page stays open.
    desk = APIClient()
    desk.force_authenticate(make_person(Role.STAFF, username="referente", establishment=school))
    body = {"student": newcomer.username, "device": laptop.serial_number, "channel": "desk", "charter_signed": True}
    assert desk.post("/api/v1/distribution/handovers/", body, format="json").status_code == 201

    page.clock.run_for(5_000)
    expect(row.locator('[data-figure="equipped"]')).to_have_text("5")
    expect(row.locator('[data-figure="today"]')).to_have_text("1")
    expect(page.locator('.campaign-kpis [data-figure="equipped"]')).to_have_text("5 / 20")
    assert page.evaluate("window.stillTheSamePage") is True
