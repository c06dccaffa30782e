"""A cadre logs in on a phone-sized screen and opens the area browser."""

import pytest

from minqing.core.tests.browser import browser_page, log_in, needs_chromium  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def test_login_and_area_browser_on_a_phone(browser_page, users, records, tmp_path):  # noqa: F811
    page = browser_page
    log_in(page, "above", "Correct-Horse-42")
    page.wait_for_url(f"{page.base_url}/")
    page.get_by_role("link", name="朱家场镇").click()
    page.wait_for_selector("[data-testid=area-children]")
    assert page.locator("[data-testid=total-households]").inner_text() == "2"
    rows = page.locator("[data-testid=area-children] tbody tr")
    assert rows.count() == 2  # 鱼塘村 and 邻家村, not 田坪镇's villages
    assert "远方村" not in page.content()
    # The menu collapses into a toggler on a phone.
    assert page.locator(".navbar-toggler").is_visible()
    page.get_by_role("link", name="鱼塘村").click()
    page.wait_for_selector("text=鱼塘村第1网格")
    page.screenshot(path=str(tmp_path / "area.png"), full_page=True)


def test_wrong_password_shows_chinese_error(browser_page, users):  # noqa: F811
    page = browser_page
    log_in(page, "above", "wrong-password-1")
    assert page.locator(".alert-danger").inner_text().startswith("用户名或密码不正确")
