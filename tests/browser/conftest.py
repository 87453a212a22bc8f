"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Outside CI they are skipped, with the reason, when no Chromium is installed; in CI (CI=true) a
missing Chromium is an error, so that they can never be skipped silently there.
"""

import os
import shutil
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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server, request):
    """A fresh browser context per person; the last page of each is saved as a screenshot."""
    contexts = []
    outside: list[str] = []

    def open_as(username: str, *, password: str = "pw", width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
        contexts.append((username, context))
        # Nothing may be loaded from outside the app (no CDN, no external font or script).
        context.on(
            "request",
            lambda req: None if req.url.startswith((live_server.url, "data:", "blob:")) else outside.append(req.url),
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Identifiant").fill(username)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    open_as.base_url = live_server.url
    yield open_as
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for username, context in contexts:
        for index, page in enumerate(context.pages):
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{username}-{index}.png"), full_page=True)
        context.close()
    assert outside == [], f"pages loaded resources from outside the app: {outside}"
