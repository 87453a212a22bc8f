"""POST /api/v1/distribution/handovers/ and its undo, delivery and returns, as an integrator sees
them: 201, then 400 naming the rule, 404 for what the caller may not see, 409 for a conflict."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from devices.models import Assignment, Device, Role
from notifications.models import Notification
from repairs.models import Ticket
from tests.devices.factories import MasterImageFactory, make_person
from tests.distribution.desk_world import build_desk_world

pytestmark = pytest.mark.django_db
URL = "/api/v1/distribution/handovers/"


@pytest.fixture
def world():
    return build_desk_world()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def create(client, **fields):
    body = {"student": "2026-000", "device": "PC000000", "channel": "desk", "charter_signed": True}
    body.update(fields)
    return client.post(URL, {k: v for k, v in body.items() if v is not None}, format="json")


def test_a_hand_over_is_created(world, django_assert_num_queries):
    token = Token.objects.create(user=world.staff)
    # As a desk's script posts it: the token with the person's role; the student; the laptop,
    # then locked; its open repairs; who holds it and what the student holds; the académie's
    # image; the assignment, the laptop's status, the history row; and the transaction's savepoint.
    with django_assert_num_queries(12):
        response = create(APIClient(HTTP_AUTHORIZATION=f"Token {token.key}"))

    assert response.status_code == 201, response.json()
    body = response.json()
    assignment = Assignment.objects.get(device=world.laptops[0])
    assert body["id"] == assignment.pk
    assert (body["student"], body["device"], body["channel"], body["reimaged"]) == (
        "eleve-0",
        "PC000000",
        "desk",
        False,
    )
    assert body["delivered_at"] is not None
    assert Device.objects.get(pk=world.laptops[0].pk).status == Device.Status.ASSIGNED


def test_by_login_and_asset_tag(world):
    response = create(api(world.tech), student="eleve-1", device="ro-900001")
    assert response.status_code == 201
    assert Assignment.objects.get(device=world.laptops[1]).student == world.students[1]


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"charter_signed": False}, "charter_not_signed"),
        ({"channel": "carrier", "carrier": "DPD"}, "tracking_number"),
        ({"channel": "carrier", "tracking_number": "X1"}, "carrier"),
    ],
)
def test_a_condition_that_fails_is_400_naming_the_rule(world, fields, rule):
    response = create(api(world.staff), **fields)
    assert response.status_code == 400
    assert response.json()["rule"] == rule and response.json()["detail"]
    assert not Assignment.objects.filter(device=world.laptops[0]).exists()


def test_an_outdated_image_is_400_until_reimage_is_given(world):
    world.laptop(image=MasterImageFactory(academie="toulouse", version="2025.4"), serial_number="OLD1")
    client = api(world.staff)

    refused = create(client, device="OLD1")
    assert refused.status_code == 400
    assert refused.json() | {"detail": ""} == {
        "detail": "",
        "rule": "image_outdated",
        "running": "2025.4",
        "current": "2026.1",
    }
    accepted = create(client, device="OLD1", reimage=True)
    assert accepted.status_code == 201 and accepted.json()["reimaged"] is True


def test_a_bad_channel_is_400(world):
    assert create(api(world.staff), channel="drone").status_code == 400


def test_a_student_or_laptop_the_caller_may_not_see_is_404(world):
    there = world.laptop(establishment=world.other_establishment, serial_number="THERE1")
    staff = api(world.staff)
    assert create(staff, device="THERE1").json()["rule"] == "device_not_found"
    assert create(staff, device="THERE1").status_code == 404
    assert create(api(world.other_staff)).status_code == 404
    assert create(api(world.students[0])).status_code == 404
    assert create(api(world.supervisor)).status_code == 404
    assert not Assignment.objects.filter(device__in=[there, world.laptops[0]]).exists()


def test_already_assigned_and_already_equipped_are_409(world):
    client = api(world.staff)
    create(client)

    assigned = create(client, student="2026-001")
    equipped = create(client, device="PC000001")

    assert (assigned.status_code, assigned.json()["rule"]) == (409, "device_assigned")
    assert (equipped.status_code, equipped.json()["rule"]) == (409, "student_equipped")
    assert equipped.json()["previous_device"] == "PC000000"
    assert create(client, device="PC000001", return_previous=True).status_code == 201


def test_in_repair_retired_or_lost_are_409(world):
    client = api(world.staff)
    for serial, status in (("R1", "in_repair"), ("R2", "retired"), ("R3", "lost")):
        world.laptop(serial_number=serial, status=status)
        assert create(client, device=serial).status_code == 409


def test_anonymous_callers_are_401(world):
    assert APIClient().post(URL, {}, format="json").status_code == 401


def test_undo_by_its_author_is_204(world, django_assert_max_num_queries):
    client = api(world.staff)
    pk = create(client).json()["id"]

    with django_assert_max_num_queries(20):
        response = client.delete(f"{URL}{pk}/")

    assert response.status_code == 204
    assert not Assignment.objects.filter(pk=pk).exists()
    assert client.delete(f"{URL}{pk}/").status_code == 404


def test_undo_after_ten_minutes_is_409(world):
    client = api(world.staff)
    pk = create(client).json()["id"]
    Assignment.objects.filter(pk=pk).update(handed_over_at=timezone.now() - dt.timedelta(minutes=11))

    response = client.delete(f"{URL}{pk}/")

    assert (response.status_code, response.json()["rule"]) == (409, "undo_too_late")
    assert Assignment.objects.filter(pk=pk).exists()


def test_undo_by_a_colleague_is_403_and_by_a_stranger_404(world):
    pk = create(api(world.staff)).json()["id"]
    colleague = make_person(Role.STAFF, establishment=world.establishment)

    assert api(colleague).delete(f"{URL}{pk}/").status_code == 403
    assert api(world.other_staff).delete(f"{URL}{pk}/").status_code == 404
    assert api(world.students[0]).delete(f"{URL}{pk}/").status_code == 404
    assert Assignment.objects.filter(pk=pk).exists()


def test_a_hand_over_is_read_back(world):
    client = api(world.staff)
    pk = create(client, channel="carrier", carrier="colissimo", tracking_number="6A1").json()["id"]

    body = client.get(f"{URL}{pk}/").json()

    assert (body["channel"], body["carrier"], body["delivered_at"]) == ("carrier", "La Poste / Colissimo", None)
    assert body["tracking_url"] == "https://www.laposte.fr/outils/suivre-vos-envois?code=6A1"
    assert api(world.other_staff).get(f"{URL}{pk}/").status_code == 404


def test_the_student_confirms_the_delivery(world):
    pk = create(api(world.staff), channel="carrier", carrier="DHL", tracking_number="JD01").json()["id"]
    student = api(world.students[0])

    assert api(world.students[1]).post(f"{URL}{pk}/delivered/").status_code == 404
    response = student.post(f"{URL}{pk}/delivered/")
    assert response.status_code == 200 and response.json()["delivered_at"]
    assert student.post(f"{URL}{pk}/delivered/").json()["rule"] == "already_delivered"
    assert Notification.objects.filter(event="distribution.shipped", recipient=world.students[0]).exists()


def test_a_damaged_return_through_the_api_opens_a_ticket(world):
    client = api(world.staff)
    create(client)

    response = client.post(
        "/api/v1/distribution/returns/",
        {"device": "PC000000", "condition": "damaged", "category": "battery", "note": "Chargeur perdu"},
        format="json",
    )

    assert response.status_code == 201
    ticket = Ticket.objects.get(device=world.laptops[0])
    assert response.json() == {
        "device": "PC000000",
        "student": "eleve-0",
        "condition": "damaged",
        "ticket": ticket.reference,
    }
    assert ticket.category == "battery"


def test_the_endpoints_are_in_the_openapi_schema(client, world):
    client.force_login(world.manager)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/distribution/handovers/"]) >= {"post"}
    assert set(paths["/api/v1/distribution/handovers/{id}/"]) >= {"get", "delete"}
    assert "/api/v1/distribution/handovers/{id}/delivered/" in paths
    assert "/api/v1/distribution/returns/" in paths
    responses = paths["/api/v1/distribution/handovers/"]["post"]["responses"]
    assert set(responses) >= {"201", "400", "404", "409"}
