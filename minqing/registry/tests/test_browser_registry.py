"""A village cadre on a phone: find a household, read its file, reveal an ID (audited), correct a field."""

import pytest

from minqing.core.models import AuditEvent
from minqing.core.tests.browser import browser_page, log_in, needs_chromium  # noqa: F401
from minqing.registry.models import Household

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def test_find_read_reveal_and_correct(browser_page, users, records):  # noqa: F811
    page = browser_page
    log_in(page, "inside", "Correct-Horse-42")
    page.wait_for_url(f"{page.base_url}/")
    page.fill("input[name=q]", "龙在")
    page.click("button:has-text('查找')")
    page.get_by_role("link", name="龙在内").click()
    page.wait_for_selector("[data-testid=members]")
    assert records.pv.id_number not in page.content()

    page.locator("[data-testid=members] .masked-value button").first.click()
    page.wait_for_selector(f"text={records.pv.id_number}")
    assert AuditEvent.objects.filter(verb="sensitive.revealed", actor=users.inside).count() == 1

    page.get_by_role("link", name="修改").first.click()
    page.fill("#id_address", "鱼塘村一组新18号")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已保存")
    assert Household.objects.get(pk=records.hv.pk).address == "鱼塘村一组新18号"
    history = page.locator("[data-testid=history]").inner_text()
    assert "鱼塘村一组新18号" in history


def test_neighbour_cannot_open_the_file(browser_page, users, records):  # noqa: F811
    page = browser_page
    log_in(page, "neighbour", "Correct-Horse-42")
    page.wait_for_url(f"{page.base_url}/")
    response = page.goto(f"{page.base_url}/households/{records.hv.pk}/")
    assert response.status == 404
    assert "不在您的管辖范围内" in page.content()
