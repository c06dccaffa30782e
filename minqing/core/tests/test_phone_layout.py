"""The main pages on a 320 px and a 390 px phone: the document must never scroll sideways.

A page that does fails with its name and the widest element that sticks out (tag, id, classes, test id and
a bit of its text), so the fix can start from the message. Also: picking a tag chip by typing in the search
page's tag box and submitting finds the people at 390 px.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from minqing.core.models import AuditEvent
from minqing.core.tests.browser import VIEWPORT, browser_page, log_in, needs_chromium  # noqa: F401
from minqing.registry.models import Household
from minqing.registry.tests.factories import PersonFactory
from minqing.search.tests.helpers import tag, years_ago
from minqing.tags.services import sync_catalog

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-42"
WIDTHS = (320, 390)

# Elements that stick out past the right edge of the viewport, outside any box that scrolls or clips them:
# the widest first, the deepest of equals first (the culprit rather than its wrappers).
OFFENDERS = """() => {
  const limit = Math.min(window.innerWidth, document.documentElement.clientWidth) + 1;
  function clipped(el) {
    for (let up = el.parentElement; up && up !== document.documentElement; up = up.parentElement) {
      const x = getComputedStyle(up).overflowX;
      if (x !== "visible") return true;
    }
    return false;
  }
  function depth(el) { let d = 0; for (let e = el; e; e = e.parentElement) d += 1; return d; }
  const found = [];
  document.querySelectorAll("body *").forEach(function (el) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= limit || clipped(el)) return;
    const id = el.id ? "#" + el.id : "";
    const classes = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "";
    const testid = el.dataset && el.dataset.testid ? "[data-testid=" + el.dataset.testid + "]" : "";
    const text = (el.innerText || el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    found.push({ right: Math.round(box.right), width: Math.round(box.width), depth: depth(el),
      name: el.tagName.toLowerCase() + id + classes + testid + (text ? " “" + text + "”" : "") });
  });
  found.sort(function (a, b) { return b.right - a.right || b.depth - a.depth; });
  return found.slice(0, 5);
}"""


def overflow(page) -> str | None:
    """None when the page fits its width, else what sticks out."""
    wide = page.evaluate(f"document.documentElement.scrollWidth > {VIEWPORT} + 1")
    if not wide:
        return None
    sizes = page.evaluate(f"[document.documentElement.scrollWidth, {VIEWPORT}]")
    offenders = page.evaluate(OFFENDERS)
    names = "; ".join(f"{o['name']} (right edge {o['right']} px, {o['width']} px wide)" for o in offenders)
    return f"scrollWidth {sizes[0]} > {sizes[1]}: widest {names or 'element not found'}"


def check_pages(page, pages: list[tuple[str, str, str | None]]) -> list[str]:
    """Each (name, url, selector to wait for) at every width; the failures as messages."""
    failures = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        for name, url, ready in pages:
            response = page.goto(f"{page.base_url}{url}")
            assert response is not None and response.status == 200, (
                f"{name} ({url}): {response and response.status}"
            )
            if ready:
                page.wait_for_selector(ready)
            page.wait_for_load_state("networkidle")
            problem = overflow(page)
            if problem:
                failures.append(f"{name} at {width} px ({url}): {problem}")
    return failures


@pytest.fixture
def files(users, records, tree):
    """A village with tagged elderly people, long addresses and names, and audit rows with long values."""
    sync_catalog()
    records.hv.address = "贵州省铜仁市玉屏侗族自治县朱家场镇鱼塘村第一村民小组一百二十三号附二号"
    records.hv.save(update_fields=["address"])
    for n in range(60):
        person = PersonFactory(
            household=records.hv, relation="20", name=f"龙老人{n}", birth_date=years_ago(61 + n % 30)
        )
        tag(person, "elderly")
    Household.objects.bulk_create(  # a second page: the pager shows on the household list
        Household(
            number=f"52062210221100{i:03d}",
            area=tree.v1,
            area_path=tree.v1.code,
            address=f"鱼塘村第一村民小组{i}号",
            head_name=f"龙户{i}",
            member_count=1,
        )
        for i in range(100, 160)
    )
    moment = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            verb="registry.household.updated",
            area_path=tree.v1.code,
            actor_name="测试干部",
            target_type="registry.household",
            target_id=str(records.hv.pk),
            target_label=f"{records.hv.head_name} · {records.hv.number}",
            changes={"address": ["鱼塘村一组", records.hv.address], "note": "x" * 120},
            at=moment - datetime.timedelta(minutes=i),
            ip="192.168.100.200",
        )
        for i in range(3)
    )
    return records


def test_main_pages_fit_a_phone_for_a_village_cadre(browser_page, users, files):  # noqa: F811
    page = browser_page
    log_in(page, "inside", PASSWORD)
    page.wait_for_url(f"{page.base_url}/")
    hv, pv = files.hv, files.pv
    pages = [
        ("home", reverse("home:index"), None),
        ("household list", reverse("registry:household_list"), "[data-testid=household-table]"),
        ("household page", reverse("registry:household", args=[hv.pk]), None),
        ("person page", reverse("registry:person", args=[pv.pk]), None),
        ("person list", reverse("registry:person_list"), "[data-testid=person-table]"),
        (
            "search with results and charts",
            reverse("search:persons") + "?tags_all=elderly",
            "[data-chart=area] canvas",
        ),
        (
            "household search",
            reverse("search:households") + "?area=" + hv.area_path[:12],
            "[data-testid=household-table]",
        ),
        ("household edit form", reverse("registry:household_edit", args=[hv.pk]), "main form"),
        ("lookup page", reverse("registry:lookup") + "?q=" + hv.head_name, None),
    ]
    failures = check_pages(page, pages)
    assert not failures, "pages scroll sideways on a phone:\n" + "\n".join(failures)


def test_audit_log_fits_a_phone(browser_page, users, files):  # noqa: F811
    page = browser_page
    log_in(page, "watcher", PASSWORD)  # a village cadre holds no audit right; the supervisor reads the log
    page.wait_for_url(f"{page.base_url}/")
    failures = check_pages(page, [("audit log", reverse("core:audit"), None)])
    assert not failures, "pages scroll sideways on a phone:\n" + "\n".join(failures)


def test_desk_home_and_lookup_fit_a_phone(browser_page, users, files):  # noqa: F811
    page = browser_page
    log_in(page, "desker", PASSWORD)
    page.wait_for_url(f"{page.base_url}/")
    pages = [
        ("desk home", reverse("home:index"), None),
        ("desk lookup", reverse("registry:lookup") + "?q=" + files.hv.head_name, None),
    ]
    failures = check_pages(page, pages)
    assert not failures, "pages scroll sideways on a phone:\n" + "\n".join(failures)


def test_pick_a_tag_chip_by_typing_and_search_on_a_phone(browser_page, users, files):  # noqa: F811
    page = browser_page
    log_in(page, "inside", PASSWORD)
    page.wait_for_url(f"{page.base_url}/")
    page.goto(f"{page.base_url}{reverse('search:persons')}")
    plain = page.locator("[data-testid=picker-tags_all]")
    assert not plain.is_visible()  # the 4-row listboxes give way to chips
    page.fill("[data-testid=tag-filter]", "老年")
    chip = page.locator("[data-chip-list] [data-tag=elderly]")
    assert chip.is_visible()
    assert not page.locator("[data-chip-list] [data-tag=disabled]").is_visible()  # filtered out
    chip.click()
    assert "老年" in page.locator("[data-testid=chosen-tags] [data-chosen=tags_all]").inner_text()
    assert overflow(page) is None
    page.click("[data-testid=search-submit]")
    page.wait_for_url("**/search/?*tags_all=elderly*")
    count = page.locator("[data-testid=search-count]")
    count.wait_for()
    assert "60" in count.inner_text()
    assert "老年人" in page.locator("[data-testid=applied-conditions]").inner_text()
    # The count and the first rows are on the first screen (measured from the top of the document).
    top = "sel => document.querySelector(sel).getBoundingClientRect().top + window.scrollY"
    assert page.evaluate(top, "[data-testid=search-count]") < 844
    first_row = page.evaluate(top, "[data-testid=person-table] tbody tr")
    assert first_row < 844 - 40, f"the first result starts {first_row} px down"
    assert overflow(page) is None


def test_chart_clicks_narrow_the_list_and_the_count(browser_page, users, files):  # noqa: F811
    page = browser_page
    log_in(page, "inside", PASSWORD)
    page.wait_for_url(f"{page.base_url}/")
    page.goto(f"{page.base_url}{reverse('search:persons')}?tags_all=elderly&age_min=65")
    page.wait_for_selector("[data-chart=age] canvas")
    narrowed = "([dim, item]) => window.mqCharts.narrowed(dim, item)"
    # An age band narrows within the ages already asked; a sex slice and an area bar add their condition.
    url = page.evaluate(narrowed, ["age", {"code": "60-69"}])
    assert "age_min=65" in url and "age_max=69" in url and "tags_all=elderly" in url
    assert "sex=2" in page.evaluate(narrowed, ["sex", {"code": "2"}])
    assert page.evaluate(narrowed, ["sex", {"code": ""}]) is None
    area = files.hv.area_path[:12]
    assert f"area={area}" in page.evaluate(narrowed, ["area", {"code": area}])
    page.goto(f"{page.base_url}{url}")
    count = page.locator("[data-testid=search-count]").inner_text()
    expected = sum(1 for n in range(60) if 65 <= 61 + n % 30 <= 69)
    assert f"{expected} 人" in count, count
    summary = page.locator("[data-testid=applied-conditions]").inner_text().replace("\n", "")
    assert "最小年龄：65" in summary and "最大年龄：69" in summary, summary
