import pytest
from rest_framework.test import APIClient

from tests.repairs.factories import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api():
    def client_for(user) -> APIClient:
        client = APIClient()
        # A fresh user, as a request would load it (no profile cached by the set-up).
        client.force_authenticate(type(user).objects.get(pk=user.pk))
        return client

    return client_for
