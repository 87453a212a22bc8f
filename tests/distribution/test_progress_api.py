"""GET /api/v1/distribution/progress/: the dashboard's figures as JSON."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from devices.models import Role
from tests.devices.factories import make_person
from tests.distribution.progress_world import at, campaign, hand_over

pytestmark = pytest.mark.django_db

URL = "/api/v1/distribution/progress/"


@pytest.fixture
def region():
    ahead = campaign(name="Lycée en avance", target=10, starts_on=dt.date(2026, 9, 1))
    hand_over(ahead, at(dt.date(2026, 9, 2)), 9)
    late = campaign(name="Lycée en retard", departement="34", target=10, starts_on=dt.date(2026, 9, 1))
    hand_over(late, at(dt.date(2026, 9, 2)), 2)
    return {"ahead": ahead, "late": late}


def api_as(role, **where) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_person(role, **where))
    return client


def test_figures_grouped_as_asked(region):
    body = api_as(Role.MANAGER).get(URL, {"year": 2026, "group_by": "establishment"}).json()
    assert body["school_year"] == "2026-2027" and body["group_by"] == "establishment"
    assert [row["label"] for row in body["rows"]] == ["Lycée en retard", "Lycée en avance"]
    late, ahead = body["rows"]
    assert (late["target"], late["equipped"], late["pct"], late["behind_schedule"]) == (10, 2, 20.0, True)
    assert (ahead["equipped"], ahead["reached_on"], ahead["projected_on"]) == (9, "2026-09-02", "2026-09-02")
    assert body["total"]["equipped"] == 11
    assert body["curve"][0] == {"day": "2026-09-01", "pct": 0.0}
    assert body["curve"][1] == {"day": "2026-09-02", "pct": 55.0}
    by_academie = api_as(Role.SUPERVISOR).get(URL, {"year": 2026, "group_by": "academie"}).json()
    assert [row["key"] for row in by_academie["rows"]] == ["montpellier", "toulouse"]


def test_the_json_shares_the_dashboards_figures_for_a_moment(region, settings, django_assert_max_num_queries):
    from django.core.cache import cache

    settings.CAMPAIGN_PROGRESS_CACHE_SECONDS = 60
    cache.clear()
    manager, supervisor = api_as(Role.MANAGER), api_as(Role.SUPERVISOR)
    assert manager.get(URL, {"year": 2026}).json()["total"]["equipped"] == 11
    hand_over(region["late"], at(dt.date(2026, 9, 3)), 1)
    with django_assert_max_num_queries(1):  # the person's role; the region's figures are shared
        assert supervisor.get(URL, {"year": 2026}).json()["total"]["equipped"] == 11
    cache.clear()
    assert supervisor.get(URL, {"year": 2026}).json()["total"]["equipped"] == 12
    cache.clear()


def test_the_json_answers_with_fresh_figures_when_the_shared_cache_is_down(region, settings):
    settings.CAMPAIGN_PROGRESS_CACHE_SECONDS = 60
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens: refused at once
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    manager = api_as(Role.MANAGER)
    assert manager.get(URL, {"year": 2026}).json()["total"]["equipped"] == 11
    hand_over(region["late"], at(dt.date(2026, 9, 3)), 1)
    assert manager.get(URL, {"year": 2026}).json()["total"]["equipped"] == 12


def test_staff_get_their_establishment_only(region):
    body = api_as(Role.STAFF, establishment=region["late"]).get(URL, {"year": 2026}).json()
    assert [row["key"] for row in body["rows"]] == [region["late"].uai]
    assert body["total"]["target"] == 10


@pytest.mark.parametrize(
    "query, field",
    [
        ({"year": "2026-2027"}, "year"),
        ({"year": "1850"}, "year"),
        ({"group_by": "zone"}, "group_by"),
        ({"academie": "paris"}, "academie"),
        ({"departement": "75"}, "departement"),
    ],
)
def test_bad_parameters_are_400_with_the_field(region, query, field):
    response = api_as(Role.MANAGER).get(URL, query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["errors"]


def test_technicians_and_students_are_refused(region):
    assert api_as(Role.TECHNICIAN).get(URL).status_code == 403
    assert APIClient().get(URL).status_code == 401


def test_in_the_openapi_schema(region):
    response = api_as(Role.MANAGER).get("/api/v1/schema/")
    assert b"/api/v1/distribution/progress/" in response.content
    assert b"distribution_progress" in response.content
