"""Playwright on Debian's chromium (never a downloaded browser). Tests skip plainly when it is missing."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
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


needs_chromium = pytest.mark.skipif(
    not chromium_available(), reason=f"Debian chromium not found at {CHROMIUM}"
)


@pytest.fixture
def browser_page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(locale="zh-CN", **PHONE)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        try:
            yield page
        finally:
            context.close()
            browser.close()


def log_in(page, username: str, password: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
