"""The main menu, by role: each person sees the few places they work in."""

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from devices import permissions as fleet
from devices.models import Role
from repairs.html_parts import Drawings

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
        _MENUS.clear()
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _MENUS.clear()
        _LANGUAGE_OPTIONS.clear()


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
    language = get_language()
    context = {
        "language_options": _LANGUAGE_OPTIONS.get(
            (language, *(code for code, _name in settings.LANGUAGES)), _language_options
        )
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    role = fleet.role_of(user)
    items = [{"url": url, "label": label, "current": False} for url, label in _entries(role)]
    # The entry whose address is the longest start of this page's: the campaign dashboard
    # (/distribution/dashboard/) is not also the hand-over desk (/distribution/).
    matches = [item for item in items if request.path.startswith(item["url"]) and item["url"] != "/"]
    matches += [item for item in items if item["url"] == "/" == request.path]
    current = None
    if matches:
        current = max(matches, key=lambda item: len(item["url"]))
        current["current"] = True
    key = (role, get_urlconf(), get_script_prefix(), language, current and current["url"])
    context.update(nav_items=items, user_role=role, nav_html=_MENUS.get(key, lambda: _menu(items)))
    return context


# The menu's entries and the language switcher's options, drawn once per role, language and
# current entry (base.html: a loop of lookups and a translation per entry on every page).
_MENUS = Drawings(512)
_LANGUAGE_OPTIONS = Drawings(16)


def _menu(items: list[dict]) -> SafeString:
    lines = []
    for item in items:
        current = ' aria-current="page"' if item["current"] else ""
        url, label = conditional_escape(item["url"]), conditional_escape(item["label"])
        lines.append(f'\n          <li><a href="{url}"{current}>{label}</a></li>\n          ')
    return mark_safe("".join(lines))  # noqa: S308 - escaped above


def _language_options() -> SafeString:
    # As {% get_available_languages %} and the loop of base.html wrote them: each language's name
    # in the active language.
    chosen = get_language()
    options = []
    for code, name in settings.LANGUAGES:
        label = conditional_escape(capfirst(translation.gettext(name)))
        selected = " selected" if code == chosen else ""
        options.append(f'<option value="{conditional_escape(code)}"{selected}>{label}</option>')
    return mark_safe("".join(options))  # noqa: S308 - escaped above
