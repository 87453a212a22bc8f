"""The API, as the demo accounts of `seed_demo --scale small`."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", scale="small", verbosity=0)


def login(username: str) -> APIClient:
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": username, "password": "demo"}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_the_demo_accounts_walk_a_repair_through_the_api(demo):
    student = login("demo-student")
    me = student.get("/api/v1/me/").json()
    assert me["role"] == "student" and len(me["devices"]) == 1
    response = student.post(
        "/api/v1/tickets/",
        {"device": me["devices"][0], "category": "keyboard", "description": "La touche E ne répond plus."},
        format="json",
    )
    assert response.status_code == 201, response.content
    reference = response.json()["reference"]

    staff = login("demo-staff")
    assert staff.get(f"/api/v1/tickets/{reference}/").status_code == 200

    tech = login("demo-tech")
    for name in ("start_diagnosis", "start_repair", "finish_repair", "hand_over"):
        response = tech.post(f"/api/v1/tickets/{reference}/transitions/{name}/", {"reimage": True}, format="json")
        assert response.status_code == 200, (name, response.content)
    assert response.json()["state"] == "returned"

    other = login("demo-student-other")
    assert other.get(f"/api/v1/tickets/{reference}/").status_code == 404
    response = tech.post(f"/api/v1/tickets/{reference}/transitions/start_repair/", {}, format="json")
    assert response.status_code == 409
    assert login("demo-manager").get(f"/api/v1/tickets/{reference}/").status_code == 200
