"""Mixed load on the production stack, with the broker stopped in the middle.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load.py
        [--duration 60] [--outage 30] [--web-workers 4] [--clients 12] [--redis-port 6390]

On a throwaway PostgreSQL database (next to DATABASE_URL's) with the small demo data set, it starts
its own Redis (--redis-port: never the shared one, since it stops it), gunicorn (production
profile, --web-workers sync workers), one Celery worker and one beat, then runs --clients threads
for --duration seconds: students declaring (and sometimes cancelling), technicians taking
declared tickets (request the device, start diagnosis, close diagnosed ones), school staff
receiving devices, managers reading the SLA report and the queue. Redis is shut down (without
saving: queued wake-up calls are lost) for --outage seconds in the middle.

It prints requests/s, median and p95 per kind and their ratio to a bare one-query baseline
(/healthz, measured first in the same run), errors (any 5xx, network error or unexpected 4xx; 409
conflicts between two people acting on one ticket are counted apart), then waits for the outbox to
drain and checks that every notification was delivered exactly once (e-mails by Message-ID in the
file backend's directory, SMS by line count).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_stack import Stack, port_free, wait_for  # bench/load_stack.py
from throwaway import postgres_create, postgres_drop

KINDS = ("student", "technician", "staff", "manager")

SETUP = """
import json, os
from rest_framework.authtoken.models import Token
from devices.models import Assignment, Profile
from repairs.models import Ticket
from repairs.states import OPEN_STATES
busy = Ticket.objects.filter(state__in=OPEN_STATES).values("device_id")
held = (Assignment.objects.filter(returned_at__isnull=True).exclude(device_id__in=busy)
        .exclude(student__username__startswith="demo-").select_related("student", "device"))
def token(user):
    return Token.objects.get_or_create(user=user)[0].key
people = {"student": [{"token": token(a.student), "device": a.device.serial_number} for a in held]}
for role, kind in (("technician", "technician"), ("staff", "staff"), ("manager", "manager")):
    profiles = Profile.objects.filter(role=role).exclude(user__username__startswith="demo-").select_related("user")
    people[kind] = [{"token": token(p.user)} for p in profiles]
with open(os.environ["LOAD_PEOPLE"], "w") as f:
    json.dump(people, f)
"""


def call(method: str, path: str, token: str | None, port: int, body: dict | None = None) -> tuple[int, object, float]:
    # As the reverse proxy would pass it on: HTTPS ended in front, the client's address forwarded.
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    payload = None
    if body is not None:
        payload, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = None
    return response.status, data, elapsed


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.conflicts: dict[str, int] = defaultdict(int)

    def request(self, kind: str, method: str, path: str, token: str | None, port: int, body=None):
        try:
            status, data, elapsed = call(method, path, token, port, body)
        except (OSError, http.client.HTTPException) as exc:
            with self.lock:
                self.errors[kind].append(f"{method} {path}: {exc.__class__.__name__}")
            return None, None
        with self.lock:
            self.samples[kind].append(elapsed)
            if status == 409:
                self.conflicts[kind] += 1
            elif status >= 400:
                self.errors[kind].append(f"{method} {path.split('?')[0]}: {status} {str(data)[:120]}")
        return status, data


class Load:
    """The four kinds of people, each a loop over the same small set of actions."""

    def __init__(self, *, people: dict, port: int, recorder: Recorder, report_query: str) -> None:
        self.people, self.port, self.rec, self.report_query = people, port, recorder, report_query
        self.free_students = list(people["student"])
        self.out: dict[str, dict] = {}  # device serial → student, while a ticket is open
        self.lock = threading.Lock()

    def _student(self, rng: random.Random) -> None:
        with self.lock:
            student = self.free_students.pop(rng.randrange(len(self.free_students))) if self.free_students else None
        if student is None:
            token = rng.choice(self.people["student"])["token"]
            self.rec.request("student", "GET", "/api/v1/tickets/?page_size=10", token, self.port)
            return
        body = {"device": student["device"], "category": rng.choice(["screen", "keyboard", "battery"])}
        status, data = self.rec.request(
            "student", "POST", "/api/v1/tickets/", student["token"], self.port, {**body, "description": "Panne (bench)"}
        )
        if status != 201:
            with self.lock:
                self.free_students.append(student)
            return
        if rng.random() < 0.4:  # changed their mind
            path = f"/api/v1/tickets/{data['reference']}/transitions/cancel/"
            status, _ = self.rec.request("student", "POST", path, student["token"], self.port, {"note": "Ça remarche"})
            if status == 200:
                with self.lock:
                    self.free_students.append(student)
                return
        with self.lock:
            self.out[student["device"]] = student

    def _act(self, kind: str, token: str, state: str, transition: str, rng: random.Random) -> bool:
        status, data = self.rec.request(kind, "GET", f"/api/v1/tickets/?state={state}&page_size=10", token, self.port)
        if status != 200 or not data["results"]:
            return False
        ticket = rng.choice(data["results"])
        path = f"/api/v1/tickets/{ticket['reference']}/transitions/{transition}/"
        status, answer = self.rec.request(kind, "POST", path, token, self.port, {"note": "bench"})
        if status == 200 and answer.get("state") in ("closed_no_fault", "cancelled"):
            with self.lock:
                student = self.out.pop(answer["device"], None)
                if student:
                    self.free_students.append(student)
        return True

    def _technician(self, rng: random.Random) -> None:
        token = rng.choice(self.people["technician"])["token"]
        plan = [("declared", rng.choice(["request_device", "start_diagnosis"])), ("diagnosing", "close_no_fault")]
        rng.shuffle(plan)
        for state, transition in plan:
            if self._act("technician", token, state, transition, rng):
                return

    def _staff(self, rng: random.Random) -> None:
        token = rng.choice(self.people["staff"])["token"]
        if not self._act("staff", token, "awaiting_device", "receive_device", rng):
            self.rec.request("staff", "GET", "/api/v1/tickets/?page_size=25", token, self.port)

    def _manager(self, rng: random.Random) -> None:
        token = rng.choice(self.people["manager"])["token"]
        if rng.random() < 0.5:
            group = rng.choice(["academie", "departement", "category"])
            self.rec.request(
                "manager", "GET", f"/api/v1/reports/sla/?{self.report_query}&group_by={group}", token, self.port
            )
        else:
            self.rec.request("manager", "GET", "/api/v1/tickets/?sla=breached&page_size=50", token, self.port)

    def run(self, kind: str, seed: int, until: float) -> None:
        rng, step = random.Random(seed), getattr(self, f"_{kind}")
        while time.monotonic() < until:
            step(rng)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def baseline(port: int, clients: int, seconds: float) -> tuple[float, float, float]:
    """The bare one-query request (/healthz: SELECT 1 and a broker ping) with the same clients."""
    rec, until = Recorder(), time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < until:
            rec.request("baseline", "GET", "/healthz", None, port)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    values = rec.samples["baseline"]
    return len(values) / seconds, statistics.median(values), percentile(values, 0.95)


def delivered_exactly_once(env: dict, mail_dir: Path, sms_file: Path, *, deadline: float, between_checks) -> dict:
    import psycopg

    query = """SELECT channel, status, count(*) FROM notifications_notification
               WHERE channel IN ('email', 'sms') GROUP BY channel, status"""
    with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        while True:
            counts = {(channel, status): n for channel, status, n in conn.execute(query).fetchall()}
            waiting = sum(n for (_channel, status), n in counts.items() if status in ("pending", "sending"))
            if not waiting or time.monotonic() > deadline:
                break
            between_checks()
            time.sleep(1)
    message_ids: dict[str, int] = defaultdict(int)
    for path in mail_dir.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                message_ids[line.split(":", 1)[1].strip()] += 1
    sms_lines = len(sms_file.read_text().splitlines()) if sms_file.exists() else 0
    return {
        "rows": counts,
        "waiting": waiting,
        "emails_sent_rows": counts.get(("email", "sent"), 0),
        "emails_delivered": len(message_ids),
        "emails_duplicated": sum(1 for n in message_ids.values() if n > 1),
        "sms_sent_rows": counts.get(("sms", "sent"), 0),
        "sms_delivered": sms_lines,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--outage", type=float, default=30, help="seconds without the broker, mid-run (0: none)")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=12, help="threads: a third students, the rest shared")
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--web-port", type=int, default=8792)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (a throwaway database is made beside it).")
    for port in (args.redis_port, args.web_port):
        if not port_free(port):
            raise SystemExit(f"port {port} is taken: this bench starts (and stops) its own servers there")

    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    db_url, admin_url, db_name = postgres_create(url, prefix="bench_load")
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "CACHE_URL": f"redis://127.0.0.1:{args.redis_port}/1",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(work / "mail"),
        "SMS_FILE_PATH": str(work / "sms.log"),
        "DJANGO_MEDIA_ROOT": str(work / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
        # Sweep sooner than in production, so that the backlog drains within the run's patience.
        "NOTIFICATIONS_SWEEP_AFTER": "20",
        "NOTIFICATIONS_SWEEP_EVERY": "10",
        "API_THROTTLE_USER": "100000/min",
        "LOAD_PEOPLE": str(work / "people.json"),
    }
    stack = Stack(work=work, env=env, redis_port=args.redis_port, web_port=args.web_port, web_workers=args.web_workers)
    try:
        print(f"setting up: {db_name}, demo data (small), Redis on {args.redis_port}, gunicorn ×{args.web_workers}")
        stack.manage("migrate", "--noinput")
        stack.manage("seed_demo", "--scale", "small", DJANGO_ENV="local")
        stack.manage("shell", "--no-imports", "-c", SETUP)
        stack.manage("collectstatic", "--noinput")
        people = json.loads((work / "people.json").read_text())
        stack.redis_start()
        stack.app_start()
        wait_for(lambda: call("GET", "/healthz", None, args.web_port)[0] == 200, 60, "the application")

        base_rps, base_median, base_p95 = baseline(args.web_port, args.clients, 5)
        rec = Recorder()
        load = Load(people=people, port=args.web_port, recorder=rec, report_query="from=2026-01-01&to=2026-12-31")
        started = time.monotonic()
        until = started + args.duration
        students = max(1, args.clients // 3)
        kinds = ["student"] * students + [KINDS[1 + i % 3] for i in range(args.clients - students)]
        threads = [threading.Thread(target=load.run, args=(kind, i, until)) for i, kind in enumerate(kinds)]
        for thread in threads:
            thread.start()
        outage = None
        if args.outage:
            time.sleep(max(0.0, (args.duration - args.outage) / 2))
            stack.redis_stop()
            down = time.monotonic()
            print(f"broker stopped at t={down - started:.0f} s")
            for _second in range(int(args.outage)):
                stack.supervise()
                time.sleep(1)
            stack.redis_start()
            outage = (down - started, time.monotonic() - started)
            print(f"broker back at t={outage[1]:.0f} s")
        for thread in threads:
            while thread.is_alive():
                stack.supervise()
                thread.join(1)
        elapsed = time.monotonic() - started
        back = time.monotonic()
        result = delivered_exactly_once(
            env, work / "mail", work / "sms.log", deadline=back + 180, between_checks=stack.supervise
        )
        drained_in = time.monotonic() - back

        print(f"\n{len(threads)} clients ({students} students) for {elapsed:.0f} s on gunicorn ×{args.web_workers}")
        print(
            f"baseline /healthz (one query): {base_rps:.0f} req/s, median {base_median * 1000:.0f} ms, "
            f"p95 {base_p95 * 1000:.0f} ms"
        )
        print(
            f"{'kind':<12}{'clients':>8}{'requests':>10}{'req/s':>8}{'median':>9}{'p95':>8}{'p95/base':>10}"
            f"{'409':>6}{'errors':>8}"
        )
        for kind in KINDS:
            values = rec.samples[kind]
            p95 = percentile(values, 0.95)
            print(
                f"{kind:<12}{kinds.count(kind):>8}{len(values):>10}{len(values) / elapsed:>8.1f}"
                f"{statistics.median(values) * 1000 if values else 0:>7.0f}ms{p95 * 1000:>6.0f}ms"
                f"{p95 / base_p95:>9.1f}×{rec.conflicts[kind]:>6}{len(rec.errors[kind]):>8}"
            )
        total = sum(len(v) for v in rec.samples.values())
        errors = sum(len(v) for v in rec.errors.values())
        print(
            f"{'all':<12}{len(threads):>8}{total:>10}{total / elapsed:>8.1f}{'':>25}"
            f"{sum(rec.conflicts.values()):>6}{errors:>8}"
        )
        for kind, messages in rec.errors.items():
            for message in messages[:5]:
                print(f"  error ({kind}): {message}")
        if outage:
            print(
                f"broker down from t={outage[0]:.0f} s to t={outage[1]:.0f} s; outbox drained "
                f"{drained_in:.0f} s after the load ended"
            )
        print(f"notifications: {result['rows']}; worker restarts: {stack.restarts.get('worker', 0)}")
        print(
            f"e-mails: {result['emails_sent_rows']} rows sent, {result['emails_delivered']} delivered, "
            f"{result['emails_duplicated']} delivered twice; SMS: {result['sms_sent_rows']} sent, "
            f"{result['sms_delivered']} delivered; still waiting: {result['waiting']}"
        )
        once = (
            result["waiting"] == 0
            and result["emails_duplicated"] == 0
            and result["emails_sent_rows"] == result["emails_delivered"]
            and result["sms_sent_rows"] == result["sms_delivered"]
        )
        print("exactly once: " + ("yes" if once else "NO"))
        if errors or not once:
            sys.exit(1)
    finally:
        stack.stop_all()
        postgres_drop(admin_url, db_name)


if __name__ == "__main__":
    main()
