"""A stationed cadre logs a visit with two photos on a 390 px phone; the visit pages fit 320 px.

Chromium grants the page a position (as the phone would after the cadre allows it): the form shows
已定位 ±N 米 and the entry keeps the coordinates. The photos are real JPEGs with an EXIF GPS block.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from minqing.core.tests.browser import browser_page, log_in, needs_chromium  # noqa: F401
from minqing.core.tests.test_phone_layout import overflow
from minqing.visits.models import Visit

from .helpers import jpeg_bytes, stationed

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-42"


def test_stationed_cadre_logs_a_visit_with_two_photos_on_a_phone(browser_page, users, records, tree):  # noqa: F811
    page = browser_page
    cadre = stationed(tree)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 27.2381, "longitude": 108.9070, "accuracy": 18})
    log_in(page, cadre.username, PASSWORD)
    page.wait_for_url(f"{page.base_url}/")

    page.goto(f"{page.base_url}{reverse('registry:household', args=[records.hv.pk])}")
    page.wait_for_selector("[data-testid=visit-timeline]")  # the timeline came in through htmx
    page.click("[data-testid=log-visit]")
    page.wait_for_selector("form[data-visit-form]")
    page.wait_for_selector("[data-geo-text]:has-text('已定位 ±18 米')")
    assert page.input_value("[name=client_id]")
    page.click("label[for=kind-support]")
    page.fill("#found", "老人腿脚不便，屋顶有漏雨")
    page.fill("#done", "送去慰问金，联系村里维修屋顶")
    page.set_input_files(
        "#photos",
        [
            {"name": "a.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()},
            {"name": "b.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(size=(900, 1200), gps=False)},
        ],
    )
    assert page.locator("[data-photo-previews] img").count() == 2
    assert overflow(page) is None, overflow(page)
    page.click("[data-submit]")
    page.wait_for_selector("[data-testid=visit-photos]")

    visit = Visit.objects.get()
    assert visit.author == cadre and visit.kind == "support" and visit.household == records.hv
    assert float(visit.latitude) == pytest.approx(27.2381) and float(visit.accuracy_m) == 18
    assert visit.photos.count() == 2
    assert page.locator("[data-testid=visit-photos] img").count() == 2
    assert "27.238167, 108.907000" in page.inner_text("[data-testid=visit-photos]")  # the EXIF position
    assert "校验通过" in page.inner_text("[data-testid=chain-status]")
    # Every image on the page loads (the access-checked photo views answer).
    assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")

    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 844})
        for url in (
            reverse("visits:list"),
            reverse("visits:detail", args=[visit.pk]),
            reverse("visits:new") + f"?household={records.hv.pk}",
            reverse("visits:new"),
        ):
            page.goto(f"{page.base_url}{url}")
            page.wait_for_load_state("networkidle")
            problem = overflow(page)
            assert problem is None, f"{url} at {width} px: {problem}"
