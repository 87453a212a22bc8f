"""Every periodic job, written once: Celery beat's schedule and `manage.py run_scheduler` (the
embedded default beside `make run`) both read this table.

Each job is a Celery task, which beat publishes to a worker, and a management command, which the
embedded scheduler, cron or an operator runs in-process. Both call the same service, and every
job is idempotent, so a job run twice (two beats, a command run by hand) wastes work and sends
nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from celery.schedules import crontab, schedule


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # what beat publishes
    command: str  # what run_scheduler, cron or a person runs
    when: schedule | crontab  # crontabs are read in CELERY_TIMEZONE (Europe/Paris)


def scheduled_jobs(*, sweep_every: int) -> list[Job]:
    return [
        # SLA (repairs/sla): flags at 80 % and at breach, each threshold announced once.
        Job("sla-warnings", "repairs.tasks.sla_warnings", "sla_warnings", schedule(300.0)),
        # The outbox: rows whose wake-up call was lost, or whose worker died mid-delivery.
        Job("notifications-sweep-outbox", "notifications.tasks.sweep_outbox", "sweep_outbox", schedule(sweep_every)),
        # The staff's daily digest, at the end of the school day.
        Job(
            "notifications-daily-digest",
            "notifications.tasks.send_digests",
            "send_digests",
            crontab(hour=17, minute=30),
        ),
        # Last month's report to managers on the 1st at 06:00; stale report files purged nightly.
        Job(
            "report-monthly",
            "repairs.tasks.report_monthly_email",
            "send_monthly_report",
            crontab(minute=0, hour=6, day_of_month=1),
        ),
        Job(
            "report-exports-purge",
            "repairs.tasks.report_exports_purge",
            "purge_report_exports",
            crontab(minute=30, hour=3),
        ),
        # Personal data past its retention period: anonymised or deleted, nightly.
        Job("privacy-purge", "privacy.tasks.privacy_purge", "privacy_purge", crontab(minute=0, hour=2)),
        # Loaners: reminders before and after the due date, each once per loan, every working hour.
        Job("loaner-reminders", "repairs.tasks.loaner_reminders", "loaner_reminders", crontab(minute=15, hour="8-18")),
        # Fleet intelligence: delivery batches failing more than the fleet, each announced once.
        Job(
            "failing-batches",
            "insights.tasks.failing_batches",
            "failing_batches",
            crontab(minute=0, hour=7, day_of_week=1),
        ),
    ]


def beat_schedule(jobs: list[Job]) -> dict[str, dict]:
    return {job.name: {"task": job.task, "schedule": job.when} for job in jobs}
