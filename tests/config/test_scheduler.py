"""One table of periodic jobs: Celery beat publishes their tasks, `run_scheduler` (beside
`make run`) runs their commands, and every job is a command an operator can run."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.utils import timezone

from config.celery import app as celery_app
from notifications.models import Notification
from repairs.models import ReportExport, SlaNotice
from tests.devices.factories import make_person
from tests.notifications import celery_helpers
from tests.repairs.factories import build_world

REFUSED = "redis://127.0.0.1:9/0"


def test_beat_publishes_a_task_for_every_job_of_the_table():
    assert set(settings.CELERY_BEAT_SCHEDULE) == {job.name for job in settings.SCHEDULED_JOBS}
    celery_app.loader.import_default_modules()
    for job in settings.SCHEDULED_JOBS:
        assert settings.CELERY_BEAT_SCHEDULE[job.name] == {"task": job.task, "schedule": job.when}
        assert job.task in celery_app.tasks, job.task


def test_every_job_is_a_management_command():
    commands = get_commands()
    assert {job.command for job in settings.SCHEDULED_JOBS} == {
        "sla_warnings",
        "sweep_outbox",
        "send_digests",
        "send_monthly_report",
        "purge_report_exports",
        "loaner_reminders",
        "privacy_purge",
    }
    assert all(job.command in commands for job in settings.SCHEDULED_JOBS)


def test_a_dead_worker_is_recovered_within_two_minutes_by_default():
    sweep = next(job for job in settings.SCHEDULED_JOBS if job.command == "sweep_outbox")
    assert settings.NOTIFICATIONS_SENDING_LEASE + sweep.when.run_every.total_seconds() <= 120
    # The delivery task is killed before its lease ends, so two workers never hold one row.
    deliver = celery_app.tasks["notifications.tasks.deliver_notification"]
    assert deliver.time_limit < settings.NOTIFICATIONS_SENDING_LEASE


@pytest.mark.django_db
def test_the_embedded_scheduler_warns_of_a_breached_ticket_and_sweeps_the_outbox(
    mailoutbox, django_capture_on_commit_callbacks
):
    world = build_world()
    world.student.email = "eleve@example.org"
    world.student.save()
    make_person("manager", username="chef", email="chef@example.org")
    with celery_helpers.broker(REFUSED):  # the declaration's email is left pending, as with a broker down
        ticket = world.declare(at=timezone.now() - dt.timedelta(days=10))
    Notification.objects.update(next_attempt_at=timezone.now() - dt.timedelta(hours=1))
    assert mailoutbox == []

    with celery_helpers.eager(), django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--once")

    assert SlaNotice.objects.filter(ticket=ticket, threshold="breach").exists()
    subjects = [message.subject for message in mailoutbox]
    assert any(ticket.reference in subject for subject in subjects)  # the declaration, swept
    assert set(Notification.objects.filter(channel="email").values_list("status", flat=True)) == {"sent"}
    assert Notification.objects.filter(event__startswith="sla", recipient__username="chef").exists()
    # Jobs on a calendar (the monthly report, the digests) wait for their time, not for a start.
    assert not ReportExport.objects.filter(kind="monthly").exists()


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("repairs.sla.warnings.sla_notices_send", broken)
    ran = []
    monkeypatch.setattr(
        "notifications.management.commands.sweep_outbox.outbox_sweep", lambda **kwargs: ran.append("sweep") or 0
    )
    with celery_helpers.eager():
        call_command("run_scheduler", "--once")
    assert ran == ["sweep"]
    assert "sla-warnings failed" in caplog.text


@pytest.mark.django_db
def test_the_monthly_report_command_sends_last_months_report_once(mailoutbox, capsys):
    make_person("manager", username="chef", email="chef@example.org")
    call_command("send_monthly_report", "--today", "2026-10-01")
    call_command("send_monthly_report", "--today", "2026-10-20")
    assert len(mailoutbox) == 1
    assert ReportExport.objects.get(kind="monthly").label == "2026-09"
    assert "1" in capsys.readouterr().out.splitlines()[0]
