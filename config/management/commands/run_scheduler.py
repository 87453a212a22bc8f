"""The embedded scheduler: `make run` starts it beside the web server, where there is no Celery beat.

It reads the same table as beat (settings.SCHEDULED_JOBS, from config/schedule.py) and decides
what is due with beat's own entries (celery.beat.ScheduleEntry, crontabs in CELERY_TIMEZONE), but
runs each job's management command in this process instead of publishing its task. Run it where
no beat runs: with both, jobs would run twice (harmless, every job being idempotent, but wasted).
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from celery.beat import ScheduleEntry
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from config.celery import app as celery_app
from config.schedule import Job

logger = logging.getLogger("config.scheduler")


class Command(BaseCommand):
    help = "Run the periodic jobs (SLA warnings, outbox sweep, digests, monthly report) in-process, like Celery beat."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-startup-run",
            action="store_true",
            help="wait one period before the first run of the interval jobs (by default they run at start)",
        )
        parser.add_argument("--max-sleep", type=float, default=60.0, help="longest sleep between checks (seconds)")
        parser.add_argument("--once", action="store_true", help="run what is due at start, then exit")

    def handle(self, *args, no_startup_run: bool = False, max_sleep: float = 60.0, once: bool = False, **options):
        self.stopping = threading.Event()
        if once:
            self.stopping.set()  # one pass of the loop below
        elif threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_args: self.stopping.set())
        jobs = {job.name: job for job in settings.SCHEDULED_JOBS}
        entries = {name: self.entry(job, startup_run=not no_startup_run) for name, job in jobs.items()}
        logger.info("scheduler: %s jobs: %s", len(jobs), ", ".join(jobs))
        while True:
            sleep = max_sleep
            for name, entry in list(entries.items()):
                due, next_check = entry.is_due()
                if due:
                    self.run(jobs[name])
                    entries[name] = entry = next(entry)
                    _due, next_check = entry.is_due()
                sleep = min(sleep, next_check)
            if self.stopping.wait(max(sleep, 0.5)):
                break
        logger.info("scheduler: stopped")

    @staticmethod
    def entry(job: Job, *, startup_run: bool) -> ScheduleEntry:
        entry = ScheduleEntry(name=job.name, task=job.task, schedule=job.when, app=celery_app)
        if startup_run and not isinstance(job.when, crontab):  # an interval job: run it now
            entry.last_run_at = entry.default_now() - job.when.run_every
        return entry

    def run(self, job: Job) -> None:
        started = time.monotonic()
        self.fresh_connections()
        try:
            call_command(job.command, verbosity=0)
        except Exception:  # one failing job must not stop the others: logged, tried at its next time
            logger.exception("scheduler: %s failed", job.name)
        else:
            logger.info("scheduler: %s done in %.1f s", job.name, time.monotonic() - started)
        finally:
            self.fresh_connections()

    @staticmethod
    def fresh_connections() -> None:
        # A long-lived process drops connections that are broken or past CONN_MAX_AGE, as Django
        # does between requests; not inside a caller's transaction (a test), which it would end.
        if not connection.in_atomic_block:
            close_old_connections()
