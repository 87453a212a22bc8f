"""The admin follows the permission module and never bypasses the services."""

import pytest
from django.urls import reverse

from devices.models import Device, MasterImage, Profile, Role
from tests.devices.factories import (
    DeviceFactory,
    EstablishmentFactory,
    MasterImageFactory,
    UserFactory,
    ZoneFactory,
    make_person,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(make_person(Role.MANAGER))
    return client


def test_manager_finds_a_device_by_serial_typed_in_lower_case(manager_client):
    DeviceFactory(serial_number="PF3XK2LM")
    DeviceFactory(serial_number="5CG3201ABC")
    response = manager_client.get(reverse("admin:devices_device_changelist"), {"q": "pf3xk2lm"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list.values_list("serial_number", flat=True)) == ["PF3XK2LM"]


def test_manager_finds_an_establishment_by_uai_or_name(manager_client):
    EstablishmentFactory(uai="0310024H", name="Lycée Pierre-de-Fermat")
    EstablishmentFactory(uai="0340005B", name="Lycée Joffre", departement="34")
    url = reverse("admin:devices_establishment_changelist")
    for term in ("0310024H", "Fermat"):
        names = [e.name for e in manager_client.get(url, {"q": term}).context["cl"].result_list]
        assert names == ["Lycée Pierre-de-Fermat"]


def test_device_list_query_count_does_not_grow_with_rows(manager_client, django_assert_max_num_queries):
    url = reverse("admin:devices_device_changelist")
    DeviceFactory.create_batch(3)
    with django_assert_max_num_queries(12) as small:
        manager_client.get(url)
    DeviceFactory.create_batch(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = manager_client.get(url)
    assert response.status_code == 200


def test_technician_sees_only_the_devices_of_their_zone_and_the_depot(client):
    zone = ZoneFactory(code="north")
    mine = DeviceFactory(establishment=EstablishmentFactory(zone=zone))
    depot = DeviceFactory(establishment=None)
    DeviceFactory(establishment=EstablishmentFactory(zone=ZoneFactory(code="south")))
    client.force_login(make_person(Role.TECHNICIAN, zone=zone))
    response = client.get(reverse("admin:devices_device_changelist"))
    assert set(response.context["cl"].result_list) == {mine, depot}


def test_supervisor_reads_but_cannot_change(client):
    device = DeviceFactory()
    client.force_login(make_person(Role.SUPERVISOR))
    assert client.get(reverse("admin:devices_device_change", args=[device.pk])).status_code == 200
    assert client.get(reverse("admin:devices_device_add")).status_code == 403
    response = client.post(
        reverse("admin:devices_device_change", args=[device.pk]), {"serial_number": "CHANGED", "asset_tag": "X"}
    )
    assert response.status_code == 403
    assert Device.objects.get(pk=device.pk).serial_number == device.serial_number


@pytest.mark.parametrize("role", [Role.STUDENT, Role.STAFF])
def test_students_and_staff_have_no_admin(client, role):
    user = make_person(role)
    user.is_staff = True  # even if someone ticks the box, the permission module says no
    user.save()
    client.force_login(user)
    assert client.get(reverse("admin:devices_device_changelist")).status_code == 403


def test_make_current_action_switches_the_current_image_atomically(manager_client):
    old = MasterImageFactory(academie="toulouse", is_current=True)
    new = MasterImageFactory(academie="toulouse")
    response = manager_client.post(
        reverse("admin:devices_masterimage_changelist"), {"action": "make_current", "_selected_action": [new.pk]}
    )
    assert response.status_code == 302
    assert list(MasterImage.objects.filter(is_current=True)) == [new]
    assert not MasterImage.objects.get(pk=old.pk).is_current


def test_make_current_refuses_two_images_of_one_academie(manager_client):
    first, second = MasterImageFactory(academie="toulouse"), MasterImageFactory(academie="toulouse")
    manager_client.post(
        reverse("admin:devices_masterimage_changelist"),
        {"action": "make_current", "_selected_action": [first.pk, second.pk]},
    )
    assert not MasterImage.objects.filter(is_current=True).exists()


def test_a_lower_case_duplicate_serial_is_a_form_error_not_a_crash(manager_client):
    existing = DeviceFactory(serial_number="PF3XK2LM")
    response = manager_client.post(
        reverse("admin:devices_device_add"),
        {
            "serial_number": "pf3xk2lm",
            "asset_tag": "RO-NEW",
            "model": existing.model_id,
            "status": "in_stock",
            "coverages-TOTAL_FORMS": 0,
            "coverages-INITIAL_FORMS": 0,
            "assignments-TOTAL_FORMS": 0,
            "assignments-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["serial_number"]
    assert Device.objects.count() == 1


def test_manager_cannot_make_anyone_superuser(manager_client):
    target = UserFactory()
    response = manager_client.get(reverse("admin:auth_user_change", args=[target.pk]))
    assert response.status_code == 200
    assert "is_superuser" not in response.context["adminform"].form.fields


def test_staff_profile_needs_an_establishment(manager_client):
    user = UserFactory()
    form = {
        "username": user.username,
        "is_active": "on",
        "profile-TOTAL_FORMS": 1,
        "profile-INITIAL_FORMS": 0,
        "profile-0-role": "staff",
        "profile-0-user": user.pk,
    }
    url = reverse("admin:auth_user_change", args=[user.pk])
    response = manager_client.post(url, form)
    assert response.status_code == 200
    assert not Profile.objects.filter(user=user).exists()

    establishment = EstablishmentFactory()
    assert manager_client.post(url, {**form, "profile-0-establishment": establishment.pk}).status_code == 302
    assert Profile.objects.get(user=user).establishment == establishment
