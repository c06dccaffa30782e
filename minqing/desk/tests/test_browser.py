"""The desk on a 390 px phone: type the calling number, see the household and its paired cadre, file a
medical request (the proposed route comes in through htmx), and find the ticket in the list."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.assistance import services as assistance
from minqing.core.tests.browser import browser_page, log_in, needs_chromium, open_menu  # noqa: F401
from minqing.core.tests.test_phone_layout import overflow
from minqing.tickets.models import Category, RoutingRule, Ticket

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-42"


def test_desk_takes_a_call_and_files_a_ticket_on_a_phone(browser_page, users, records, tree):  # noqa: F811
    page = browser_page
    health = users.health.active_assignments()[0].department
    # A transactional test may follow a flush of the seeded catalogue: make the category it needs.
    category, _created = Category.objects.get_or_create(code="bt01", defaults={"name": "浏览器测试就医"})
    rule = RoutingRule.objects.create(category=category, add_paired_cadre=True)
    rule.departments.set([health])
    cadre = assign(UserFactory(username="zhucun", first_name="驻村干部甲"), Role.STATIONED_CADRE, tree.v)
    assistance.pair(actor=users.inside, household=records.hv, cadre=cadre, started_on=timezone.localdate())

    log_in(page, users.desk.username, PASSWORD)
    page.wait_for_url(f"{page.base_url}/")
    open_menu(page)
    page.click(f"a[href='{reverse('desk:index')}']")
    page.fill("[data-testid=desk-phone]", "138 0000 1111")
    page.click("[data-testid=desk-search]")
    page.wait_for_selector("[data-testid=desk-caller] >> text=龙在内")
    assert str(cadre) in page.inner_text("[data-testid=desk-cadre]")
    assert overflow(page) is None, overflow(page)

    page.select_option("[data-testid=desk-form] [name=category]", str(category.pk))
    page.wait_for_selector(f"[data-testid=route] >> text={health.name}")
    page.fill("[data-testid=desk-form] [name=description]", "老人腿疼，需要医生上门")
    page.click("[data-testid=desk-file]")
    page.wait_for_selector("[data-testid=timeline]")

    ticket = Ticket.objects.get()
    assert ticket.household == records.hv and ticket.channel == "hotline"
    assert {h.target_name for h in ticket.handlers.filter(is_active=True)} == {health.name, str(cadre)}
    assert overflow(page) is None, overflow(page)

    page.goto(f"{page.base_url}{reverse('tickets:list')}?tab=area")
    page.wait_for_selector(f"[data-testid=ticket-rows] >> text={ticket.number}")
    assert overflow(page) is None, overflow(page)
