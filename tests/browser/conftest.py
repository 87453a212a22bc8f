"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Outside CI they are skipped, with the reason, when no Chromium is installed; in CI (CI=true) a
missing Chromium is an error, so that they can never be skipped silently there.

A test that fails leaves a full-page screenshot of each page it had open in test-artifacts/browser;
one that passes leaves none (the screenshots cost more than many of the tests).
"""

import os
import shutil
import threading
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        item.browser_failed = True  # read by the fixtures' teardown, which then keeps screenshots
    return report


def save_screenshots(request, pages: list[tuple[str, object]]) -> None:
    """Full-page screenshots of the pages a failed test had open (what the person saw)."""
    if not getattr(request.node, "browser_failed", False):
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, page in pages:
        if not page.is_closed():
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)


def watch_outside(context, base_url: str, outside: list[str]):
    """Nothing may be loaded from outside the app (no CDN, no external font or script)."""

    def watcher(req):
        if not req.url.startswith((base_url, "data:", "blob:")):
            outside.append(req.url)

    context.on("request", watcher)
    return watcher


def session_cookie(base_url: str, username: str) -> dict:
    """A signed-in session for this person, as the login form would leave it, without the form's
    three page loads (tests/browser/test_journeys.py goes through the form itself)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username), backend="config.auth.DemoAwareModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "url": base_url}


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium (.ci/run does)")
        pytest.skip("no Chromium found (apt-get install chromium, or set CHROMIUM_PATH): browser tests skipped")
    # Playwright's sync API runs an event loop in this thread; the test body still talks to the
    # database synchronously, which Django would otherwise refuse inside a running loop.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Django keeps a thread's connections in a context variable, and the tests that follow run in
    # the context Playwright's event loop sets: a connection opened before would stay open, out of
    # every later test's reach, and keep the test database from being dropped (PostgreSQL).
    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def join_request_threads() -> None:
    """Wait for the live server's threads serving the connections of closed contexts: one that
    ended during a later test would touch the database connection that test holds."""
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=5)


@pytest.fixture(scope="module")
def idle_pages(browser):
    """Browser contexts kept for the module's next test, each with its one page, signed out.

    Opening a context and its first page costs Chromium about a second of CPU (a renderer process
    to start, then its first document), many times what the test's own pages cost. A context that
    a test has finished with is cleared (cookies, storage, its page's scripts stopped) and handed to
    the next test that asks for the same options. They close with the module, not later: Chromium
    keeps its connections to the live server open while they live."""
    idle: dict[tuple, list] = {}
    yield idle
    for pages in idle.values():
        for page, _cdp in pages:
            page.context.close()
    join_request_threads()


@pytest.fixture
def new_page(browser, idle_pages, live_server, request):
    """A page in a browser context of its own (cookies, storage), signed out, in French; it may
    still show the previous test's last page, so a test's first act on it is a navigation.

    `own_context=True` gives a context that no other test will reuse (for a test that changes the
    context for good, e.g. by installing a fake clock). Each page's context is watched: nothing may
    be loaded from outside the app (no CDN, no external font or script)."""
    taken: list[tuple] = []
    outside: list[str] = []
    closed = False

    def new(name: str, *, width: int = 1280, height: int = 900, own_context: bool = False, **options):
        key = tuple(sorted(options.items()))
        idle = [] if own_context else idle_pages.setdefault(key, [])
        if idle:
            page, cdp = idle.pop()
            cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})
            page.set_viewport_size({"width": width, "height": height})
        else:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR", **options)
            page = context.new_page()
            page.set_default_timeout(10_000)
            cdp = context.new_cdp_session(page)
        watcher = watch_outside(page.context, live_server.url, outside)
        taken.append((name, page, cdp, watcher, None if own_context else key))
        return page

    new.base_url = live_server.url
    yield new
    save_screenshots(request, [(f"{index}-{name}", page) for index, (name, page, *_rest) in enumerate(taken)])
    failed = getattr(request.node, "browser_failed", False)
    for _name, page, cdp, watcher, key in taken:
        context = page.context
        context.remove_listener("request", watcher)
        if key is None or failed or len(context.pages) != 1:
            context.close()  # a failed test may have left it in any state
            closed = True
            continue
        # The page's scripts stopped (its timers with them: a dashboard polls) until the next test,
        # whose first navigation replaces the page: moving it elsewhere now would cost a
        # navigation, and about:blank a new renderer process too. The site's storage and every
        # cookie go.
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
        cdp.send("Storage.clearDataForOrigin", {"origin": live_server.url, "storageTypes": "all"})
        context.clear_cookies()
        idle_pages[key].append((page, cdp))
    if closed:
        join_request_threads()
    assert outside == [], f"pages loaded resources from outside the app: {outside}"


@pytest.fixture
def open_page(new_page, live_server):
    """A page for this person, signed in, on `path` (the home page by default; None loads no page,
    for a test that prepares the page first).

    `login_form=True` signs in through the login form, as the person would, instead of handing the
    browser a session cookie."""

    def open_as(username: str, path: str | None = "/", *, password: str = "pw", login_form: bool = False, **options):
        page = new_page(username, **options)
        if login_form:
            page.goto(f"{live_server.url}/login/")
            page.get_by_label("Identifiant").fill(username)
            page.get_by_label("Mot de passe").fill(password)
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_url(f"{live_server.url}/")
            if path not in ("/", None):
                page.goto(f"{live_server.url}{path}")
        else:
            page.context.add_cookies([session_cookie(live_server.url, username)])
            if path is not None:
                page.goto(f"{live_server.url}{path}")
        return page

    open_as.base_url = live_server.url
    return open_as
