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
        current = request.path == url if name == "home" else request.path.startswith(url)
        items.append({"url": url, "label": label, "current": current})
    return {"nav_items": items, "user_role": role}
