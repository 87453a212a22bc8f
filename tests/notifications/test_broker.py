"""The broker is a wake-up call, not the truth: a declaration never fails or hangs because the broker
is down, its notification waits in the outbox, and the sweep delivers it once the broker is back.
With CELERY_BROKER_URL set (CI's PostgreSQL + Redis run), a real worker delivers it."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from notifications import services
from notifications.models import Notification
from notifications.services import outbox_add
from repairs.models import Ticket
from tests.devices.factories import UserFactory
from tests.notifications import celery_helpers
from tests.pg_sessions import other_sessions
from tests.repairs.factories import build_world

REFUSED = "redis://127.0.0.1:9/0"  # the discard port on loopback: nothing listens, refused at once
# Generous: this asserts "does not hang" (a hung publish would take the broker timeouts, or forever).
QUICKLY = 3.0
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world():
    world = build_world()
    for person in (world.student, world.staff):
        person.email = f"{person.username}@example.org"
        person.save()
    return world


@pytest.mark.django_db
def test_a_declaration_succeeds_quickly_with_the_broker_down_and_the_sweep_delivers_it_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with celery_helpers.broker(REFUSED):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            ticket = world.declare()
        elapsed = time.monotonic() - started
    assert elapsed < QUICKLY
    assert Ticket.objects.get(pk=ticket.pk).state == "declared"
    assert len(callbacks) == 1  # the publish was attempted after commit, and failed quietly
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.recipient) == ("pending", 0, world.student)
    assert mailoutbox == []

    # Broker back (eager here), a few minutes later: the periodic sweep delivers it, once.
    later = timezone.now() + dt.timedelta(minutes=10)
    assert services.outbox_sweep(now=later) == 1
    assert services.outbox_sweep(now=later + dt.timedelta(minutes=10)) == 0
    assert len(mailoutbox) == 1
    assert ticket.reference in mailoutbox[0].subject
    assert Notification.objects.get().status == "sent"


@pytest.mark.django_db
def test_the_sweep_stops_at_the_first_publish_failure_while_the_broker_is_still_down(world, mailoutbox):
    world.declare()
    world.declare(category="battery")
    with celery_helpers.broker(REFUSED):
        assert services.outbox_sweep(now=timezone.now() + dt.timedelta(minutes=10)) == 0
    assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}


@pytest.mark.django_db(transaction=True)
def test_the_declaration_request_succeeds_with_the_broker_down(world, mailoutbox):
    client = APIClient()
    client.force_authenticate(world.student)
    payload = {"device": world.device.serial_number, "category": "screen", "description": "Écran noir"}
    with celery_helpers.broker(REFUSED):
        started = time.monotonic()
        response = client.post("/api/v1/tickets/", payload, format="json")
        elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert elapsed < QUICKLY
    assert Notification.objects.get().status == "pending"
    assert mailoutbox == []


@pytest.fixture
def worker_closes_its_connections():
    # The worker thread opens its own database connection: close it after each task, so that the
    # test database can be flushed and dropped afterwards.
    def close(**kwargs):
        connections.close_all()

    task_postrun.connect(close, weak=False)
    yield
    task_postrun.disconnect(close)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"),
    reason="needs a broker: set CELERY_BROKER_URL (CI's PostgreSQL + Redis run sets redis://127.0.0.1:6379/13)",
)
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_declaration_as_exactly_one_email(world, mailoutbox, worker_closes_its_connections):
    # A queue of our own: leftovers of other runs on the same Redis database are not ours to eat.
    queue = f"test-notifications-{uuid.uuid4().hex[:12]}"
    routes = {"notifications.tasks.deliver_notification": {"queue": queue}}
    with (
        celery_helpers.broker(
            os.environ["CELERY_BROKER_URL"], task_routes=routes, worker_hijack_root_logger=False
        ) as app,
        start_worker(app, pool="solo", queues=[queue], perform_ping_check=False, shutdown_timeout=30),
    ):
        ticket = world.declare()  # commits: the row is written, then published to Redis
        deadline = time.monotonic() + 30
        while Notification.objects.exclude(status="sent").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # a second delivery, if there were one, would land now
        with app.connection_for_write() as connection:  # leave nothing of ours on the broker
            channel = connection.default_channel
            channel.queue_delete(queue)
            channel.client.delete(f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("sent", 1)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [world.student.email]
    assert ticket.reference in mailoutbox[0].subject


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs a broker and PostgreSQL (a worker process shares the test database): CI's second run",
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_is_recovered_after_the_lease_and_sends_once(tmp_path, settings):
    broker_url = os.environ["CELERY_BROKER_URL"]
    queue = f"test-kill-{uuid.uuid4().hex[:12]}"
    routes = {"notifications.tasks.deliver_notification": {"queue": queue}}
    lease = 15  # the shortest lease the 2 s timeouts below allow; the task's hard limit is 5 s
    settings.NOTIFICATIONS_SENDING_LEASE = lease  # the sweep, run here, and the workers agree
    database = connections["default"].settings_dict
    sms_file, marker = tmp_path / "sms.log", tmp_path / "hanging"
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "local",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "SMS_BACKEND": "tests.notifications.backends.HangOnceSMSBackend",
        "SMS_FILE_PATH": str(sms_file),
        "HANG_MARKER": str(marker),
        "NOTIFICATIONS_SENDING_LEASE": str(lease),
        "DJANGO_EMAIL_TIMEOUT": "2",
        "SMS_HTTP_TIMEOUT": "2",
    }

    def worker() -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork"]
        command += ["--concurrency", "1", "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle"]
        return subprocess.Popen(command, cwd=ROOT, env=environ, start_new_session=True, stdout=subprocess.DEVNULL)

    def wait_for(condition, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.1)
        return condition()

    person = UserFactory(username="eleve-sms")
    before = sessions_of_others()
    first = worker()
    try:
        with celery_helpers.broker(broker_url, task_routes=routes):
            with transaction.atomic():
                row = outbox_add(
                    recipient=person,
                    channel="sms",
                    event="test.event",
                    subject="s",
                    body="Votre ordinateur est prêt.",
                    idempotency_key=f"kill-{queue}",
                    address="+33600000000",
                )
            assert wait_for(marker.exists, 30), "the worker never started the delivery"
            os.killpg(first.pid, signal.SIGKILL)  # the worker dies mid-delivery, its message unacknowledged
            first.wait(10)
            assert Notification.objects.get(pk=row.pk).status == "sending"

            second = worker()
            try:
                assert services.outbox_sweep() == 0  # within the lease: the row is still the dead worker's
                time.sleep(lease + 0.5)
                assert services.outbox_sweep() == 1
                assert wait_for(lambda: Notification.objects.get(pk=row.pk).status == "sent", 30)
                time.sleep(1)  # a second send, if there were one, would land now
            finally:
                os.killpg(second.pid, signal.SIGTERM)
                second.wait(30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        with celery_helpers.broker(broker_url) as app, app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
    assert sms_file.read_text().count("Votre ordinateur est prêt.") == 1
    reread = Notification.objects.get(pk=row.pk)
    assert (reread.status, reread.attempts) == ("sent", 2)
    # Neither the killed worker nor the stopped one leaves a session behind (one left open kept the
    # test database from being dropped at the end of CI's run).
    assert wait_for(lambda: sessions_of_others() == before, 10), sessions_of_others()


def sessions_of_others() -> list[tuple]:
    # Which sessions, not what they are doing: a session there before the workers may have moved on.
    with connections["default"].cursor() as cursor:
        return [row[:2] for row in other_sessions(cursor)]
