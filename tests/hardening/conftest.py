import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test.utils import override_settings


@pytest.fixture
def in_process_wsgi(tmp_path):
    """Requests sent straight to Django's WSGI handler inside the test's transaction: Django's
    own test client does the same (a finished request must not close the test's connection)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with override_settings(MEDIA_ROOT=tmp_path):
        yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
