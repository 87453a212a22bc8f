import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from repairs import services
from tests.images import PNG
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


def test_attachment_download_page_checks_visibility_and_the_ticket_in_the_url(client, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        world = build_world()
        ticket, other = world.declare(), world.declare(category="battery")
        attachment = services.ticket_attach(
            ticket=ticket, actor=world.student, upload=SimpleUploadedFile("a.png", PNG, content_type="text/html")
        )
        url = f"/tickets/{ticket.reference}/attachments/{attachment.pk}/"
        assert client.get(url).status_code == 302  # to the login page
        client.force_login(world.staff)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"  # what we sniffed, not what the browser claimed
        assert response["Content-Disposition"] == 'attachment; filename="a.png"'
        assert client.get(f"/tickets/{other.reference}/attachments/{attachment.pk}/").status_code == 404
        client.force_login(world.other_staff)
        assert client.get(url).status_code == 404
