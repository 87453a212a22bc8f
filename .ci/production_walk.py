"""Walk a running production server as its users would (CI, .ci/run's production stage).

    python .ci/production_walk.py walk BASE_URL MAIL_DIR STUDENT PASSWORD
        /healthz (database and broker ok), the login form, a demo account refused, the API token,
        a declaration, then its notification e-mail delivered by the Celery worker (MAIL_DIR is the
        worker's file e-mail backend directory). Prints the new ticket's reference.
    python .ci/production_walk.py tickets BASE_URL USER PASSWORD
        The references of the tickets USER sees through the API (first 200), one per line.

Standard library only: it runs with whichever Python, outside the application's virtualenv.
Requests carry X-Forwarded-Proto: https, as the reverse proxy in front of gunicorn would send.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str) -> None:
        if not base.startswith(("http://", "https://")):
            sys.exit(f"not an HTTP address: {base}")
        self.base = base.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        # Secure cookies over plain HTTP to gunicorn: the proxy ends TLS, so accept them here.
        self.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(secure_protocols=("http", "https")))
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def request(self, method: str, path: str, *, data=None, headers=None, json_body=None):
        headers = {**PROXY_HEADERS, **(headers or {})}
        body = None
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # An http(s) address: checked when the Browser was made.
        request = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def cookie(self, name: str) -> str:
        return next((cookie.value for cookie in self.cookies if cookie.name == name), "")


def secure(base: str) -> str:
    return "https://" + base.split("://", 1)[1].rstrip("/")


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"production walk FAILED: {what}")
    print(f"  ok: {what}", file=sys.stderr)


def form_login(base: str, username: str, password: str) -> tuple[Browser, int]:
    browser = Browser(base)
    status, _headers, page = browser.request("GET", "/login/")
    check(status == 200 and "csrfmiddlewaretoken" in page, "the login page answers with its form")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    status, _headers, _page = browser.request(
        "POST",
        "/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        # As the browser sees the site: over HTTPS, through the proxy.
        headers={"Referer": secure(base) + "/login/", "Origin": secure(base)},
    )
    return browser, status


def api_token(base: str, username: str, password: str) -> str:
    status, _headers, body = Browser(base).request(
        "POST", "/api/v1/auth/token/", json_body={"username": username, "password": password}
    )
    check(status == 200, f"the API gives {username} a token ({status})")
    return json.loads(body)["token"]


def walk(base: str, mail_dir: str, student: str, password: str) -> None:
    status, _headers, body = Browser(base).request("GET", "/healthz")
    health = json.loads(body)
    check(status == 200 and health == {"status": "ok", "database": "ok", "broker": "ok"}, f"/healthz: {health}")

    browser, status = form_login(base, student, password)
    check(status == 302 and browser.cookie("sessionid"), "the student logs in through the form")
    status, _headers, page = browser.request("GET", "/")
    check(status == 200 and "Se déconnecter" in page, "the home page is served, in French")
    _browser, status = form_login(base, "demo-manager", "demo")
    check(status == 200, "a demo account is refused under the production profile")

    token = api_token(base, student, password)
    api = Browser(base)
    auth = {"Authorization": f"Token {token}"}
    status, _headers, body = api.request("GET", "/api/v1/me/", headers=auth)
    devices = json.loads(body)["devices"]
    check(status == 200 and devices, f"the student holds a laptop ({devices})")
    started = time.monotonic()
    status, _headers, body = api.request(
        "POST",
        "/api/v1/tickets/",
        headers=auth,
        json_body={"device": devices[0], "category": "keyboard", "description": "Touches qui collent (CI)"},
    )
    check(status == 201, f"the declaration is accepted ({status}: {body[:200]})")
    reference = json.loads(body)["reference"]

    deadline = time.monotonic() + 60
    delivered = []
    while time.monotonic() < deadline and not delivered:
        delivered = [path for path in Path(mail_dir).glob("*.log") if reference in path.read_text(errors="replace")]
        time.sleep(0.5)
    check(len(delivered) == 1, f"the worker delivered {reference}'s e-mail in {time.monotonic() - started:.1f} s")
    print(reference)


def tickets(base: str, username: str, password: str) -> None:
    token = api_token(base, username, password)
    status, _headers, body = Browser(base).request(
        "GET", "/api/v1/tickets/?page_size=200", headers={"Authorization": f"Token {token}"}
    )
    check(status == 200, "the ticket list answers")
    for ticket in json.loads(body)["results"]:
        print(ticket["reference"])


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"walk": walk, "tickets": tickets}[command](*arguments)
