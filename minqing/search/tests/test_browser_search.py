"""The Linfen Road sentence: a township cadre asks for 80岁以上独居老人 in one village and gets the list,
the count and the chart at once, all three agreeing, on a phone."""

import datetime
import json

import pytest

from minqing.core.tests.browser import browser_page, log_in, needs_chromium  # noqa: F401
from minqing.registry.tests.factories import HouseholdFactory, PersonFactory
from minqing.tags.services import refresh_all, sync_catalog

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def lonely_elder(area, name, age):
    household = HouseholdFactory(area=area, head_name=name)
    birth = datetime.date.today().replace(year=datetime.date.today().year - age) - datetime.timedelta(days=30)
    return PersonFactory(household=household, name=name, birth_date=birth)


def test_oldest_living_alone_in_one_village(browser_page, users, tree):  # noqa: F811
    for n, age in enumerate([81, 86, 92]):
        lonely_elder(tree.v1, f"鱼塘老人{n}", age)
    lonely_elder(tree.v1, "鱼塘七十", 75)  # alone but under 80
    lonely_elder(tree.w1, "邻村老人", 88)  # another village of the same township
    lonely_elder(tree.x1, "远方老人", 90)  # outside the township
    sync_catalog()
    refresh_all()

    page = browser_page
    log_in(page, "above", "Correct-Horse-42")
    page.wait_for_url(f"{page.base_url}/")
    page.goto(f"{page.base_url}/search/?area={tree.v.code}&tags_all=oldest-old,living-alone")
    count = page.locator("[data-testid=search-count]").inner_text()
    assert "3" in count
    body = page.locator("[data-testid=search-results]").inner_text()
    assert all(f"鱼塘老人{n}" in body for n in range(3))
    assert "鱼塘七十" not in body and "邻村老人" not in body and "远方老人" not in body
    page.wait_for_selector("[data-chart=area] canvas")
    chart = json.loads(
        page.evaluate(
            "url => fetch(url).then(r => r.text())",
            page.locator("[data-chart=area]").get_attribute("data-url"),
        )
    )
    assert sum(item["value"] for item in chart["items"]) == 3  # the chart agrees with the list and count
