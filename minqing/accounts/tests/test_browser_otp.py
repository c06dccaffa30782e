"""A village cadre on a phone enrols an authenticator, logs out, and logs in again with a code."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from minqing.core.models import AuditEvent
from minqing.core.tests.browser import browser_page, log_in, needs_chromium, open_menu  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def app_code(secret: str, steps: int = 0) -> str:
    """What the phone app shows for the secret typed in by hand (base32, shown in groups of four)."""
    key = secret.replace(" ", "")
    key += "=" * (-len(key) % 8)
    totp = TOTP(b32decode(key))
    totp.time = time.time() + steps * 30
    return f"{totp.token():06d}"


def test_enrol_log_out_and_log_in_with_a_code(browser_page, users, settings):  # noqa: F811
    settings.OTP_REQUIRED = True
    page = browser_page
    log_in(page, "inside", "Correct-Horse-42")
    page.wait_for_url(f"{page.base_url}/accounts/otp/setup/?next=%2F")
    assert page.locator("[data-testid=otp-qr] svg").is_visible()
    secret = page.locator("[data-testid=otp-secret]").inner_text().strip()
    page.fill("#id_code", app_code(secret))
    page.click("button:has-text('完成设置')")
    page.wait_for_selector("text=两步验证已设置成功")
    assert page.locator("[data-testid=recovery-codes] li").count() == 10
    page.click("text=我已保存，继续")
    page.wait_for_url(f"{page.base_url}/")
    assert AuditEvent.objects.filter(verb="account.otp_enrolled", actor=users.inside).count() == 1

    open_menu(page)
    with page.expect_navigation(url=f"{page.base_url}/accounts/login/"):
        page.click("button:has-text('退出')")

    log_in(page, "inside", "Correct-Horse-42")
    page.wait_for_url(f"{page.base_url}/accounts/otp/?next=%2F")
    page.goto(f"{page.base_url}/households/")  # nothing opens before the code
    page.wait_for_url(f"{page.base_url}/accounts/otp/?next=%2Fhouseholds%2F")
    page.fill("#id_code", "000000" if app_code(secret, 1) != "000000" else "111111")
    page.click("button:has-text('验证并登录')")
    page.wait_for_selector("text=动态码不正确")
    page.fill("#id_code", app_code(secret, 1))  # the next step: the enrolment's code was used already
    page.click("button:has-text('验证并登录')")
    page.wait_for_url(f"{page.base_url}/households/")
    assert page.locator("h1").first.is_visible()
