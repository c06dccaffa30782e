"""In chromium on a phone: the button sends the browser's position (checkins.js) and the pages fit 320 px."""

from decimal import Decimal

import pytest
from django.urls import reverse

from minqing.checkins.models import CheckIn, CheckInAttempt, CheckInRule
from minqing.core.tests.browser import browser_page, log_in, needs_chromium  # noqa: F401
from minqing.core.tests.test_phone_layout import check_pages

from .conftest import CENTRE, north_of_centre

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-42"


@pytest.fixture
def village_rule(tree):
    # The live server sees 127.0.0.1: not an office network, so only the position can let the cadre in.
    return CheckInRule.objects.create(
        area=tree.v,
        area_path=tree.v.code,
        networks="10.1.0.0/16",
        allow_location=True,
        latitude=Decimal(str(CENTRE[0])),
        longitude=Decimal(str(CENTRE[1])),
        radius_m=1000,
    )


def test_a_cadre_checks_in_with_the_phone_position(browser_page, users, village_rule):  # noqa: F811
    page = browser_page
    lat, lon = north_of_centre(400)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 20})
    log_in(page, "inside", PASSWORD)
    page.wait_for_url(f"{page.base_url}/")
    page.goto(f"{page.base_url}{reverse('checkins:index')}")
    page.wait_for_function("document.querySelector('input[name=latitude]').value !== ''")
    page.click("[data-testid=checkin-button]")
    page.wait_for_selector("[data-testid=checked-in]")
    checkin = CheckIn.objects.get()
    assert checkin.method == "location" and 350 <= checkin.distance_m <= 450 and checkin.accuracy_m == 20
    assert not CheckInAttempt.objects.exists()


def test_without_a_position_the_refusal_says_what_to_do(browser_page, users, village_rule):  # noqa: F811
    page = browser_page  # no geolocation permission: the browser refuses, the form still goes
    log_in(page, "inside", PASSWORD)
    page.wait_for_url(f"{page.base_url}/")
    page.goto(f"{page.base_url}{reverse('checkins:index')}")
    page.click("[data-testid=checkin-button]")
    page.wait_for_selector(".alert-danger")
    assert "请在村委会办公网络内签到，或开启定位后在本村范围内签到" in page.inner_text(".alert-danger")
    assert CheckInAttempt.objects.get().reason == "no_position"


def test_check_in_pages_fit_a_phone(browser_page, users, tree, village_rule):  # noqa: F811
    page = browser_page
    log_in(page, "keeper", PASSWORD)  # data_admin of township T: reads the report, keeps the rules
    page.wait_for_url(f"{page.base_url}/")
    failures = check_pages(
        page,
        [
            ("check-in", reverse("checkins:index"), None),
            ("report", reverse("checkins:report") + f"?area={tree.v.code}&month=2026-10", None),
            ("rules", reverse("checkins:rules"), None),
            ("rule form", reverse("checkins:rule_edit", args=[tree.v.code]), None),
        ],
    )
    assert not failures, "\n".join(failures)
