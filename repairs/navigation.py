"""The main menu, by role: each person sees the few places they work in."""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
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


# (role, URL configuration, script prefix) → the role's entries as (url, label). The addresses
# depend on nothing else, and every page drew them again: a dozen reverse() per request.
_ENTRIES: dict[tuple, list[tuple[str, object]]] = {}


@receiver(setting_changed)
def _forget_entries(*, setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _ENTRIES.clear()


def _entries(role) -> list[tuple[str, object]]:
    key = (role, get_urlconf(), get_script_prefix())
    entries = _ENTRIES.get(key)
    if entries is None:
        entries = []
        for name, label, roles in MENU:
            if roles is not None and role not in roles:
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:  # a page another part of the product has not published yet
                continue
            entries.append((url, label))
        _ENTRIES[key] = entries
    return entries


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = fleet.role_of(user)
    items = [{"url": url, "label": label, "current": False} for url, label in _entries(role)]
    # The entry whose address is the longest start of this page's: the campaign dashboard
    # (/distribution/dashboard/) is not also the hand-over desk (/distribution/).
    matches = [item for item in items if request.path.startswith(item["url"]) and item["url"] != "/"]
    matches += [item for item in items if item["url"] == "/" == request.path]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["current"] = True
    return {"nav_items": items, "user_role": role}
