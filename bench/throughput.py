"""Requests per second under gunicorn (2 sync workers), a page against the bare view.

Started by bench/region_figures.py on the database it built: gunicorn serves the site plus
/bench/bare/ (bench/bare.py), and a few client threads request one URL as fast as the server
answers for a fixed time, logged in with the session cookie of the person the page is for.
The client threads run on the same two cores: like every figure here, compare the ratio. Beside
the rate, `measure` gives the CPU time a request cost the workers and the client threads: the rate
depends on the share of the cores the rest of the machine leaves, the CPU time much less.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, *, log: Path, workers: int = 2):
        self.port = free_port()
        self.log = log.open("w")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "false"}
        self.process = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn, fixed arguments
            [
                str(gunicorn),
                "--pythonpath",
                str(ROOT / "bench"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "bare:make_application()",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,  # a failing page is counted as such; its traceback stays in this file
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/bench/bare/", cookie="") == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within a minute")

    def get(self, url: str, *, cookie: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", url, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def workers_cpu(self) -> float:
        """CPU seconds (user + system) spent so far by the workers, read from /proc: what a request
        costs the server whatever share of the cores the machine leaves it (0 where /proc is not)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # ppid: a worker of this server
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def measure(self, url: str, *, cookie: str, seconds: float, clients: int = 4) -> dict:
        """`rate`, with the CPU time each answered request cost the workers and the client threads."""
        workers, client = self.workers_cpu(), time.process_time()
        rate, failed, answered = self.rate(url, cookie=cookie, seconds=seconds, clients=clients, counted=True)
        workers, client = self.workers_cpu() - workers, time.process_time() - client
        return {
            "rate": rate,
            "failed": failed,
            "server_ms": workers / max(answered, 1) * 1000,
            "client_ms": client / max(answered, 1) * 1000,
        }

    def rate(self, url: str, *, cookie: str, seconds: float, clients: int = 4, counted: bool = False):
        """Requests per second answered 200 over `seconds`, and the number of other answers (and,
        with `counted`, the number of requests sent, warm-up included)."""
        done, failed = [0] * clients, [0] * clients
        stop = time.monotonic() + seconds

        def client(i: int) -> None:
            while time.monotonic() < stop:
                if self.get(url, cookie=cookie) == 200:
                    done[i] += 1
                else:
                    failed[i] += 1

        self.get(url, cookie=cookie)  # each worker warms up on its first requests
        self.get(url, cookie=cookie)
        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result = sum(done) / (time.monotonic() - started), sum(failed)
        return (*result, sum(done) + sum(failed) + 2) if counted else result

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
