"""The privacy notice: linked from every page's footer, French by default, edited in the admin."""

import pytest

from privacy.models import PrivacyNotice

pytestmark = pytest.mark.django_db


def test_every_page_links_to_the_notice_in_its_footer(client, world):
    assert 'href="/privacy/"' in client.get("/login/").content.decode()
    client.force_login(world.student)
    for url in ("/", "/tickets/", "/preferences/", "/privacy/me/"):
        page = client.get(url).content.decode()
        footer = page[page.index('<footer class="site-footer') :]
        assert 'href="/privacy/"' in footer and "Données personnelles" in footer, url


def test_the_notice_is_public_and_french_by_default(client):
    page = client.get("/privacy/").content.decode()
    for words in ("Responsable du traitement", "La Région", "Vos droits", "Contact", "jamais l’INE"):
        assert words in page


def test_a_manager_edits_the_notice_in_the_admin_and_the_page_shows_it(client, world):
    client.force_login(world.manager)
    add = client.get("/admin/privacy/privacynotice/add/")
    assert add.status_code == 200 and "Responsable du traitement" in add.content.decode()  # starts from the default
    response = client.post(
        "/admin/privacy/privacynotice/add/",
        {"body": "# Responsable\nRégion Occitanie, DPO : dpo@region.example\n\nTexte propre à la Région."},
    )
    assert response.status_code == 302
    page = client.get("/privacy/").content.decode()
    assert "Région Occitanie, DPO : dpo@region.example" in page and "<h2>Responsable</h2>" in page
    assert "Vos droits" not in page
    assert client.get("/admin/privacy/privacynotice/add/").status_code == 403  # one notice only
    assert PrivacyNotice.objects.count() == 1


def test_technicians_cannot_edit_the_notice(client, world):
    client.force_login(world.tech)
    assert client.get("/admin/privacy/privacynotice/add/").status_code == 403
