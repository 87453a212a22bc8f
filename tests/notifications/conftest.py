import pytest

from notifications.channels import LocmemSMSBackend
from tests.notifications import celery_helpers


@pytest.fixture(autouse=True)
def eager_celery():
    """The same mode on every run (CI's PostgreSQL + Redis run sets CELERY_BROKER_URL): tests that
    need a broker say so with celery_helpers.broker()."""
    with celery_helpers.eager() as app:
        yield app


@pytest.fixture(autouse=True)
def sms_outbox(settings) -> list[dict[str, str]]:
    settings.SMS_BACKEND = "notifications.channels.LocmemSMSBackend"
    settings.SITE_URL = "https://sav.example.org"
    LocmemSMSBackend.outbox.clear()
    return LocmemSMSBackend.outbox
