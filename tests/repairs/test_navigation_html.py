"""The menu and the language switcher drawn once per key (repairs/navigation.py) are the markup of
the loops of templates/base.html they replaced, for every role, page and language."""

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


# base.html's loops before, word for word.
OLD_MENU = """{% for item in nav_items %}
          <li><a href="{{ item.url }}"{% if item.current %} aria-current="page"{% endif %}>{{ item.label }}</a></li>
          {% endfor %}"""
OLD_LANGUAGES = """{% load i18n %}{% get_current_language as LANGUAGE_CODE %}{% get_available_languages as LANGUAGES %}
        {% for code, name in LANGUAGES %}<option value="{{ code }}"{% if code == LANGUAGE_CODE %} selected{% endif %}>{% language code %}{{ name|capfirst }}{% endlanguage %}</option>{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_menu_and_languages_are_the_markup_of_the_loops_they_replaced(client, language):
    world = build_world()
    pages = ["/", "/tickets/", "/tickets/?state=declared", "/preferences/", "/declare/", "/distribution/"]
    seen = set()
    for person in world.people().values():
        client.force_login(person)
        client.cookies["django_language"] = language
        for url in pages:
            response = client.get(url)
            if response.status_code != 200:
                continue
            context = response.context
            with translation.override(language):
                menu = engines["django"].from_string(OLD_MENU).render({"nav_items": context["nav_items"]})
                languages = engines["django"].from_string(OLD_LANGUAGES).render({})
            assert context["nav_html"] == menu
            assert "\n        " + context["language_options"] == languages
            assert f"<ul>\n          {menu}\n        </ul>" in response.text
            seen.add((person.username, url, 'aria-current="page"' in menu))
    assert len(seen) > 20 and any(current for _user, _url, current in seen)
    client.logout()
    client.cookies["django_language"] = language
    with translation.override(language):
        languages = engines["django"].from_string(OLD_LANGUAGES).render({})
    assert languages in client.get(reverse("login")).text
