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


@pytest.fixture(autouse=True)
def forget_reads():
    """The access log remembers this hour's reads in the cache: each test starts afresh."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
