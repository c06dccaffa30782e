"""Playwright on Debian's chromium (never a downloaded browser).

Browser tests skip, with the command to run, when chromium or the built front-end assets are missing;
they never wait long: a missing asset or element fails within seconds, naming what was not found.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DIST = Path(__file__).resolve().parents[3] / "frontend" / "dist"
# What `make install` (npm run build) copies into frontend/dist/vendor and the pages load.
ASSETS = (
    "bootstrap.min.css",
    "bootstrap.bundle.min.js",
    "bootstrap-icons.min.css",
    "htmx.min.js",
    "echarts.min.js",
)
# Short on purpose: a page of this app answers in well under a second on a laptop.
ACTION_TIMEOUT_MS = 5_000
# A navigation waits for the page's scripts too: on a busy 2-core CI machine that can take seconds.
NAVIGATION_TIMEOUT_MS = 30_000
# Starting chromium takes seconds on a busy 2-core machine (xdist workers, a live server): allow it more.
LAUNCH_TIMEOUT_MS = 60_000
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


def missing_assets() -> list[str]:
    return [name for name in ASSETS if not (DIST / "vendor" / name).is_file()]


def skip_reason() -> str | None:
    if not chromium_available():
        return f"Debian chromium not found at {CHROMIUM}: run `apt-get install chromium` (or set CHROMIUM=…)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed: run `make install`"
    if missing := missing_assets():
        return (
            f"front-end assets not built ({', '.join(missing)} missing in {DIST}/vendor): run `make install`"
        )
    return None


# The name is historical: it also skips when the front-end assets are not built.
needs_chromium = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")


@pytest.fixture
def browser_page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS, timeout=LAUNCH_TIMEOUT_MS
        )
        # Reduced motion turns Bootstrap's transitions off: no click lands on a menu that is still unfolding.
        context = browser.new_context(locale="zh-CN", reduced_motion="reduce", **PHONE)
        page = context.new_page()
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        page.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        page.base_url = live_server.url
        # A static file the page could not load (asset not built, wrong path) is named in the failure.
        failed: list[str] = []
        page.on(
            "response",
            lambda r: (
                failed.append(f"{r.status} {r.url}") if "/static/" in r.url and r.status >= 400 else None
            ),
        )
        # A request aborted because the page moved on (a favicon during navigation) is not a missing asset.
        page.on(
            "requestfailed",
            lambda r: (
                failed.append(f"failed {r.url}: {r.failure}")
                if "/static/" in r.url and "ERR_ABORTED" not in (r.failure or "")
                else None
            ),
        )
        try:
            yield page
        finally:
            context.close()
            browser.close()
        if failed:
            pytest.fail(f"static assets did not load: {failed} (run `make install` to build frontend/dist)")


def open_menu(page) -> None:
    """Unfold the phone's navigation menu and wait until it is open."""
    page.click(".navbar-toggler")
    page.wait_for_selector(".navbar-collapse.show")


def log_in(page, username: str, password: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


# Under mobile emulation Chromium widens window.innerWidth to fit a page that is too wide; the viewport's
# own width is documentElement.clientWidth, so an overflow check takes the smaller of the two.
VIEWPORT = "Math.min(window.innerWidth, document.documentElement.clientWidth)"
