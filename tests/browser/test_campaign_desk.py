"""The hand-over desk on a phone, keyboard only (a barcode scanner is a keyboard): a member of
staff equips three students in under a minute, and after each hand-over the focus is back in the
first field, ready for the next card."""

import time

import pytest

from devices.models import Assignment, Device
from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS  # noqa: F401  (same browser, same artifacts)
from tests.distribution.desk_world import build_desk_world

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 3}


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_staff_equip_three_students_on_a_phone_with_the_keyboard_only(browser, live_server, request):
    world = build_desk_world(students=3)
    context = browser.new_context(locale="fr-FR", **PHONE)
    outside = []
    context.on(
        "request",
        lambda req: None if req.url.startswith((live_server.url, "data:", "blob:")) else outside.append(req.url),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Identifiant").focus()
        page.keyboard.type("referent")
        page.keyboard.press("Tab")
        page.keyboard.type("pw")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/distribution/")

        started = time.monotonic()
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
        elapsed = time.monotonic() - started

        assert elapsed < 60, f"three hand-overs took {elapsed:.1f} s"
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
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()
    assert outside == [], f"pages loaded resources from outside the app: {outside}"
