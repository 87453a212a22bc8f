"""The main menu, by role: each person sees the few places they work in."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from devices import permissions as fleet
from devices.models import Role

# (url name, label, roles); None means every signed-in person.
MENU = [
    ("home", _("Home"), None),
    ("repairs:declare", _("Declare a fault"), {Role.STUDENT, Role.STAFF, Role.TECHNICIAN}),
    ("repairs:ticket_list", _("Tickets"), None),
    ("repairs:establishment", _("My establishment"), {Role.STAFF}),
    ("distribution:desk", _("Hand-over desk"), {Role.STAFF, Role.TECHNICIAN}),
    ("distribution:my_laptop", _("My laptop"), {Role.STUDENT}),
    ("repairs:reports", _("Reports"), {Role.MANAGER, Role.SUPERVISOR}),
    ("distribution:dashboard", _("Campaign"), {Role.MANAGER, Role.SUPERVISOR, Role.STAFF}),
    ("insights:pools", _("Spare pools"), {Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN}),
    ("insights:drift", _("Image drift"), {Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN}),
    ("insights:batches", _("Failing batches"), {Role.MANAGER, Role.SUPERVISOR}),
    ("admin:index", _("Administration"), {Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN}),
    ("repairs:preferences", _("My notifications"), None),
    ("privacy:my_data", _("My data"), None),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = fleet.role_of(user)
    items = []
    for name, label, roles in MENU:
        if roles is not None and role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page another part of the product has not published yet
            continue
        items.append({"url": url, "label": label, "current": False})
    # The entry whose address is the longest start of this page's: the campaign dashboard
    # (/distribution/dashboard/) is not also the hand-over desk (/distribution/).
    matches = [item for item in items if request.path.startswith(item["url"]) and item["url"] != "/"]
    matches += [item for item in items if item["url"] == "/" == request.path]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["current"] = True
    return {"nav_items": items, "user_role": role}
