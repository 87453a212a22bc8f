"""The pages and the API: the staff's pool beside its recommendation, the manager's report of
top-ups and moves, drift and campaigns, each scoped and with its queries counted."""

import pytest
from django.urls import reverse

from devices.models import Device
from tests.devices.factories import DeviceFactory, MasterImageFactory
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    world.old = MasterImageFactory(academie="toulouse", version="2025.1", is_current=False)
    world.outdated = DeviceFactory(establishment=world.establishment, image=world.old, status=Device.Status.ASSIGNED)
    return world


def test_the_staff_page_shows_the_pool_beside_its_recommendation(client, world):
    client.force_login(world.staff)
    page = client.get(reverse("repairs:establishment")).content.decode()
    assert 'data-testid="pool-advice"' in page
    assert "recommandé : 1" in page  # no failure yet: one spare, and the pool holds one


def test_the_managers_report_lists_pools_and_moves(client, world, django_assert_max_num_queries):
    client.force_login(world.manager)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("insights:pools"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pools to top up" in page or "Réserves à compléter" in page
    assert world.establishment.name in page and 'data-testid="moves"' in page


def test_pool_pages_are_scoped(client, world):
    client.force_login(world.other_tech)
    page = client.get(reverse("insights:pools")).content.decode()
    assert world.establishment.name not in page and world.other_establishment.name in page
    client.force_login(world.student)
    assert client.get(reverse("insights:pools")).status_code == 404
    assert client.get(reverse("insights:batches")).status_code == 404


def test_the_drift_page_lists_outdated_laptops_and_a_manager_starts_a_campaign(client, world):
    client.force_login(world.manager)
    page = client.get(reverse("insights:drift") + "?uai=0310024H").content.decode()
    assert world.outdated.asset_tag in page and "2025.1" in page
    response = client.post(reverse("insights:campaign_start"), {"uai": "0310024H"})
    assert response.status_code == 302
    client.force_login(world.tech)
    page = client.get(response.url).content.decode()
    assert world.outdated.asset_tag in page
    campaign_pk = int(response.url.rstrip("/").split("/")[-1])
    client.post(reverse("insights:campaign_reimage", args=[campaign_pk, world.outdated.pk]))
    assert Device.objects.get(pk=world.outdated.pk).image == world.image
    client.force_login(world.other_tech)
    assert client.get(response.url).status_code == 404


def test_a_refused_campaign_is_a_french_message(client, world):
    client.force_login(world.tech)
    response = client.post(reverse("insights:campaign_start"), {"uai": "0310024H"}, follow=True)
    assert "Seul un responsable" in response.content.decode()


def test_the_api_answers_each_report_in_scope(client, world, django_assert_max_num_queries):
    client.force_login(world.manager)
    for name in ("pools", "batches", "drift", "campaigns"):
        with django_assert_max_num_queries(14):
            response = client.get(f"/api/v1/insights/{name}/")
        assert response.status_code == 200, name
    pools = client.get("/api/v1/insights/pools/").json()
    assert {p["establishment"] for p in pools["pools"]} == {"0310024H", "0340005B", None}
    drift = client.get("/api/v1/insights/drift/").json()
    by_place = {row["establishment"]: row["versions"] for row in drift["establishments"]}
    assert by_place["0310024H"] == {"2025.1": 1}
    client.force_login(world.staff)
    assert [p["establishment"] for p in client.get("/api/v1/insights/pools/").json()["pools"]] == ["0310024H"]
    client.force_login(world.student)
    assert client.get("/api/v1/insights/pools/").status_code == 404


def test_the_api_starts_a_campaign_and_records_a_reimage(client, world):
    client.force_login(world.tech)
    assert client.post("/api/v1/insights/campaigns/", {"establishment": "0310024H"}).status_code == 403
    client.force_login(world.manager)
    response = client.post(
        "/api/v1/insights/campaigns/", {"establishment": "0310024H"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["listed"] == 1
    assert client.post("/api/v1/insights/campaigns/", {"establishment": "0310024H"}).status_code == 409
    pk = response.json()["id"]
    client.force_login(world.tech)
    recorded = client.post(
        f"/api/v1/insights/campaigns/{pk}/reimage/",
        {"device": world.outdated.serial_number},
        content_type="application/json",
    )
    assert recorded.json() == {"device": world.outdated.serial_number, "from": "2025.1", "to": "2026.1"}
    assert client.get(f"/api/v1/insights/campaigns/{pk}/").json()["reimaged"] == 1
    client.force_login(world.other_staff)
    assert client.get(f"/api/v1/insights/campaigns/{pk}/").status_code == 404


def test_the_schema_lists_the_insights_endpoints(client, world):
    client.force_login(world.manager)
    schema = client.get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/insights/pools/", "/api/v1/insights/batches/", "/api/v1/insights/drift/"):
        assert path in schema
