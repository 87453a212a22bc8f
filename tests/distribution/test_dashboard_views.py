"""The campaign dashboard on the web: who sees what, the live part, the downloads."""

import datetime as dt

import pytest
from django.utils import timezone

from devices.models import Role
from distribution.dates import school_year_of
from tests.devices.factories import make_person
from tests.distribution.progress_world import at, campaign, hand_over

pytestmark = pytest.mark.django_db

URL = "/distribution/dashboard/"


@pytest.fixture
def region():
    today = timezone.localdate()
    start = today - dt.timedelta(days=8)
    year = school_year_of(today)
    ahead = campaign(name="Lycée en avance", target=10, starts_on=start, year=year)
    hand_over(ahead, at(start), 8)
    late = campaign(name="Lycée en retard", departement="34", target=10, starts_on=start, year=year)
    hand_over(late, at(start), 1)
    return {"ahead": ahead, "late": late, "start": start, "year": year}


def client_for(client, role, **where):
    user = make_person(role, **where)
    client.force_login(user)
    return client


def test_manager_sees_every_establishment_behind_schedule_first(client, region, django_assert_max_num_queries):
    client_for(client, Role.MANAGER)
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"year": region["year"]})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Lycée en retard") < page.index("Lycée en avance")
    assert "campaign-curve" in page and "js/campaign-dashboard.js" in page
    assert "/distribution/dashboard/campaign.pdf" in page and "/distribution/dashboard/campaign.csv" in page
    tables = [response.context["progress"].academies, response.context["progress"].departements]
    assert all(len(rows) == 2 for rows in tables)


def test_staff_never_see_another_establishment(client, region):
    client_for(client, Role.STAFF, establishment=region["ahead"])
    query = {"year": region["year"]}
    for path in (URL, f"{URL}live/", f"{URL}campaign.csv"):
        response = client.get(path, query)
        body = response.json()["html"] if "live" in path else response.content.decode("utf-8")
        assert "Lycée en avance" in body, path
        assert "Lycée en retard" not in body and region["late"].uai not in body, path
    # Filtering on the other académie shows nothing of it either.
    response = client.get(URL, {**query, "academie": "montpellier"})
    assert "Lycée en retard" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.STUDENT])
def test_other_roles_are_refused(client, region, role):
    client_for(client, role, **({"establishment": region["ahead"]} if role == Role.STUDENT else {}))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}live/").status_code == 403


def test_menu_links_the_dashboard_for_managers_and_staff_only(client, region):
    client_for(client, Role.STAFF, establishment=region["ahead"])
    assert f'href="{URL}"' in client.get("/").content.decode()
    client_for(client, Role.TECHNICIAN)
    assert f'href="{URL}"' not in client.get("/").content.decode()


def test_live_part_answers_unchanged_until_a_hand_over_changes_the_figures(client, region):
    client_for(client, Role.MANAGER)
    query = {"year": region["year"]}
    first = client.get(f"{URL}live/", query).json()
    assert first["changed"] and "Lycée en retard" in first["html"]
    assert len(first["fingerprint"]) <= 32  # sent back in every polling URL, whatever the region's size
    again = client.get(f"{URL}live/", {**query, "since": first["fingerprint"]}).json()
    assert again == {"fingerprint": first["fingerprint"], "changed": False}
    hand_over(region["late"], timezone.now() - dt.timedelta(minutes=1))
    moved = client.get(f"{URL}live/", {**query, "since": first["fingerprint"]}).json()
    assert moved["changed"] and moved["fingerprint"] != first["fingerprint"]
    assert 'data-figure="today">1<' in moved["html"]


def test_bad_parameters_are_a_page_with_the_reason_not_an_error(client, region):
    client_for(client, Role.MANAGER)
    response = client.get(URL, {"year": "deux mille", "departement": "99"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert client.get(f"{URL}live/", {"year": "x"}).status_code == 400


def test_csv_lists_groups_then_the_total(client, region):
    client_for(client, Role.MANAGER)
    response = client.get(f"{URL}campaign.csv", {"year": region["year"]})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("group,key,label,target,equipped,pct")
    establishments = [line for line in lines if line.startswith("establishment,")]
    assert establishments[0].split(",")[2] == "Lycée en retard"
    assert lines[-1].startswith("total,,") and ",20,9,45.0," in lines[-1]


def test_pdf_for_the_weekly_meeting(client, region):
    client_for(client, Role.SUPERVISOR)
    response = client.get(f"{URL}campaign.pdf", {"year": region["year"]})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_without_a_year_the_page_shows_the_current_school_year(client, region):
    client_for(client, Role.MANAGER)
    response = client.get(URL)
    assert response.status_code == 200
    assert f'value="{region["year"]}"' in response.content.decode()
    assert "Lycée en retard" in response.content.decode()


def test_on_the_dashboard_the_menu_marks_the_campaign_not_the_hand_over_desk(client, region):
    client_for(client, Role.STAFF, establishment=region["ahead"])
    current = [item["label"] for item in client.get(URL).context["nav_items"] if item["current"]]
    assert current == ["Campagne"]
    current = [item["label"] for item in client.get("/distribution/").context["nav_items"] if item["current"]]
    assert current == ["Remise des ordinateurs"]


def test_the_figures_are_computed_once_per_scope_and_shared_for_a_moment(
    client, region, settings, django_assert_max_num_queries
):
    from django.core.cache import cache
    from django.test import Client

    settings.CAMPAIGN_PROGRESS_CACHE_SECONDS = 60
    cache.clear()
    live = URL + "live/"
    client_for(client, Role.MANAGER)
    first = client.get(live, {"year": region["year"]}).json()
    # Just now, not "today at 10": before 10 a.m. that would be a hand-over still to come, not counted yet.
    hand_over(region["late"], timezone.now() - dt.timedelta(seconds=1), 1)
    # Another manager polls: the region's figures come from the cache (no campaign query).
    other = client_for(Client(), Role.SUPERVISOR)
    with django_assert_max_num_queries(2):  # the session and the person; the figures are shared
        shared = other.get(live, {"year": region["year"], "since": first["fingerprint"]}).json()
    assert shared["changed"] is False
    # School staff never read the region's entry: theirs is their school's own.
    staff = client_for(Client(), Role.STAFF, establishment=region["late"])
    mine = staff.get(URL, {"year": region["year"]}).context["progress"]
    assert [row.key for row in mine.establishments] == [region["late"].uai]
    cache.clear()
    assert client.get(live, {"year": region["year"], "since": first["fingerprint"]}).json()["changed"] is True
    cache.clear()
