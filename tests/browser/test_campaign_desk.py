"""The hand-over desk on a phone, keyboard only (a barcode scanner is a keyboard): a member of
staff equips three students, each with two scans and three keys (what lets a desk equip a
student in seconds), and after each hand-over the focus is back in the first field, ready for
the next card. How fast the desk answers is measured in bench/handovers.py, not here."""

import pytest

from devices.models import Assignment, Device
from tests.distribution.desk_world import build_desk_world

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True, "device_scale_factor": 3}


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_staff_equip_three_students_on_a_phone_with_the_keyboard_only(new_page, live_server):
    world = build_desk_world(students=3)
    page = new_page("referent", **PHONE)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Identifiant").focus()
    page.keyboard.type("referent")
    page.keyboard.press("Tab")
    page.keyboard.type("pw")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/distribution/")

    for student, laptop in zip(world.students, world.laptops, strict=True):
        assert focused(page) == "id_student"
        page.keyboard.type(student.profile.student_number)  # the scanner types, then Enter
        page.keyboard.press("Enter")
        assert focused(page) == "id_device"
        page.keyboard.type(laptop.serial_number)
        page.keyboard.press("Enter")
        assert focused(page) == "id_charter_signed"
        page.keyboard.press("Space")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        done = page.get_by_role("status").filter(has_text="remis à")
        done.wait_for()
        assert f"Ordinateur {laptop.serial_number}" in done.inner_text()
        assert f"{student.first_name} {student.last_name}" in done.inner_text()
        assert page.get_by_role("button", name="Annuler").is_visible()
        assert page.get_by_role("link", name="Reçu PDF").is_visible()
        assert focused(page) == "id_student"

    assert {(a.student_id, a.device_id) for a in Assignment.objects.all() if a.student in world.students} == {
        (s.pk, d.pk) for s, d in zip(world.students, world.laptops, strict=True)
    }
    assert set(Device.objects.filter(pk__in=[d.pk for d in world.laptops]).values_list("status", flat=True)) == {
        "assigned"
    }

    # A refusal keeps the desk where it was, in French, with the focus on the field at fault.
    page.keyboard.type(world.students[0].profile.student_number)
    page.keyboard.press("Enter")
    page.keyboard.type(world.laptops[1].serial_number)
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "déjà attribué" in page.get_by_role("alert").first.inner_text()
    assert focused(page) == "id_device"
