"""The hotline seat on a 390 px phone: home → caller box → results → basic card, with no ID number shown."""

import pytest

from minqing.core.models import AuditEvent
from minqing.core.tests.browser import VIEWPORT, browser_page, log_in, needs_chromium  # noqa: F401

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def no_horizontal_overflow(page) -> bool:
    # Under mobile emulation innerWidth grows to fit a too-wide page: compare with the viewport's own width.
    return page.evaluate(f"document.documentElement.scrollWidth <= {VIEWPORT} + 1")


def test_desk_finds_a_caller_from_home(browser_page, users, records):  # noqa: F811
    page = browser_page
    log_in(page, "desker", "Correct-Horse-42")
    page.wait_for_url(f"{page.base_url}/")
    page.wait_for_selector("[data-testid=caller-box]")
    assert no_horizontal_overflow(page)

    page.fill("#caller-q", "138 0000 1111")
    page.click("[data-testid=caller-box] button[type=submit]")
    hit = page.locator("[data-testid=lookup-hit]").first
    hit.wait_for()
    assert "138****1111" in hit.inner_text()
    assert no_horizontal_overflow(page)
    assert AuditEvent.objects.filter(verb="lookup", actor=users.desk).count() == 1

    hit.click()
    page.wait_for_selector("[data-testid=household-card]")
    card = page.locator("[data-testid=household-card]").inner_text()
    assert "龙在内" in card and "138****1111" in card
    assert records.pv.id_number not in page.content()
    assert no_horizontal_overflow(page)


def test_bad_input_is_explained_not_an_error_page(browser_page, users, records):  # noqa: F811
    page = browser_page
    log_in(page, "desker", "Correct-Horse-42")
    page.wait_for_url(f"{page.base_url}/")
    page.fill("#caller-q", "12345")
    page.click("[data-testid=caller-box] button[type=submit]")
    page.wait_for_selector("[data-testid=lookup-error]")
    assert "号码有误" in page.locator("[data-testid=lookup-error]").inner_text()
