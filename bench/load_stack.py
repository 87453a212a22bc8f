"""The processes under test of bench/load.py: its own Redis, gunicorn, a Celery worker and beat."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


class Stack:
    """The processes under test, each in its own session so that it stops with its children."""

    def __init__(self, *, work: Path, env: dict, redis_port: int, web_port: int, web_workers: int) -> None:
        self.work, self.env, self.redis_port = work, env, redis_port
        self.web_port, self.web_workers = web_port, web_workers
        self.processes: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, list[str]] = {}
        self.restarts: dict[str, int] = {}

    def start(self, name: str, command: list[str]) -> None:
        self.commands[name] = command
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the process's life)
        self.processes[name] = subprocess.Popen(  # noqa: S603 (our own commands, no shell)
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self, name: str, timeout: float = 30) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def redis_start(self) -> None:
        self.start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        )
        wait_for(lambda: not port_free(self.redis_port), 10, "Redis")

    def redis_stop(self) -> None:
        self.stop("redis")  # SIGTERM without a save: what was queued is gone

    def manage(self, *args: str, **env: str) -> None:
        subprocess.run(  # noqa: S603 (our own commands, no shell)
            [PYTHON, "manage.py", *args], cwd=ROOT, env={**self.env, **env}, check=True, capture_output=True
        )

    def app_start(self) -> None:
        self.start("worker", [str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "WARNING", "-c", "2"])
        schedule = str(self.work / "celerybeat-schedule")
        self.start("beat", [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "WARNING", "-s", schedule])
        web = [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{self.web_port}"]
        self.start("web", [*web, "--workers", str(self.web_workers), "config.wsgi"])
        wait_for(lambda: not port_free(self.web_port), 60, "gunicorn")

    def supervise(self, names: tuple[str, ...] = ("worker", "beat")) -> None:
        """What systemd's Restart=always does: start again a process that exited. (Celery's worker
        may exit when the broker vanishes under it with tasks unacknowledged: a kombu issue.)"""
        for name in names:
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                self.restarts[name] = self.restarts.get(name, 0) + 1
                print(f"  {name} exited (code {process.returncode}): restarted, as its service would be")
                self.start(name, self.commands[name])

    def stop_all(self) -> None:
        for name in ("web", "beat", "worker", "redis"):
            self.stop(name)


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not come up in {seconds:.0f} s")
