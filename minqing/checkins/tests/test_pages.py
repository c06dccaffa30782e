"""The check-in page and the rules pages, role by role; the client's address is REMOTE_ADDR."""

import pytest
from django.urls import reverse

from minqing.checkins.models import CheckIn, CheckInAttempt, CheckInRule
from minqing.core.models import AuditEvent

from .conftest import ELSEWHERE_IP, OFFICE_IP, north_of_centre

pytestmark = pytest.mark.django_db

INDEX, CHECK_IN, RULES = reverse("checkins:index"), reverse("checkins:check_in"), reverse("checkins:rules")


def test_cadre_checks_in_from_the_office_and_sees_it(client, users, rule, django_assert_max_num_queries):
    client.force_login(users.inside)
    page = client.get(INDEX)
    body = page.content.decode()
    assert (
        page.status_code == 200 and 'data-testid="checkin-button"' in body and "minqing/checkins.js" in body
    )
    assert 'name="latitude"' in body and "<script>" not in body  # geolocation from the static file, no inline
    response = client.post(CHECK_IN, REMOTE_ADDR=OFFICE_IP, follow=True)
    assert "签到成功" in response.content.decode()
    assert CheckIn.objects.get().ip == OFFICE_IP
    with django_assert_max_num_queries(10):
        page = client.get(INDEX)
    assert 'data-testid="checked-in"' in page.content.decode() and "今日已签到" in page.content.decode()
    again = client.post(CHECK_IN, REMOTE_ADDR=ELSEWHERE_IP, follow=True)
    assert "今日已签到" in again.content.decode() and CheckIn.objects.count() == 1


def test_a_forwarded_header_is_not_the_client_without_a_trusted_proxy(client, users, rule, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client.force_login(users.inside)
    client.post(CHECK_IN, REMOTE_ADDR=ELSEWHERE_IP, HTTP_X_FORWARDED_FOR=OFFICE_IP)
    assert not CheckIn.objects.exists() and CheckInAttempt.objects.get().ip == ELSEWHERE_IP
    settings.TRUSTED_PROXY_COUNT = 1  # behind nginx: the address nginx saw counts
    client.post(CHECK_IN, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{ELSEWHERE_IP}, {OFFICE_IP}")
    assert CheckIn.objects.get().ip == OFFICE_IP


def test_refusal_is_shown_and_recorded(client, users, rule, stationed):
    client.force_login(stationed)
    lat, lon = north_of_centre(8000)
    response = client.post(
        CHECK_IN,
        {"latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}", "accuracy": "12"},
        REMOTE_ADDR=ELSEWHERE_IP,
        follow=True,
    )
    body = response.content.decode()
    assert "超出签到范围" in body and "请在村委会办公网络内签到，或开启定位后在本村范围内签到" in body
    assert "今日被拒记录" in body
    assert CheckInAttempt.objects.get().distance_m > 7000 and not CheckIn.objects.exists()


def test_position_inside_the_village_from_the_page(client, users, rule, stationed):
    client.force_login(stationed)
    lat, lon = north_of_centre(300)
    client.post(
        CHECK_IN,
        {"latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}", "accuracy": "20"},
        REMOTE_ADDR=ELSEWHERE_IP,
    )
    assert CheckIn.objects.get().method == "location"


def test_bad_position_from_the_page_is_a_message_not_a_500(client, users, rule):
    client.force_login(users.inside)
    response = client.post(
        CHECK_IN, {"latitude": "200", "longitude": "108"}, REMOTE_ADDR=ELSEWHERE_IP, follow=True
    )
    assert response.status_code == 200 and "纬度应为 -90 到 90 之间的数字" in response.content.decode()
    assert not CheckInAttempt.objects.exists()


@pytest.mark.parametrize(
    ("who", "button"), [("county", False), ("supervisor", False), ("grid", True), ("above", True)]
)
def test_index_for_each_role(who, button, client, users, rule):
    client.force_login(getattr(users, who))
    response = client.get(INDEX)
    assert response.status_code == 200
    assert ('data-testid="checkin-button"' in response.content.decode()) is button
    assert client.post(CHECK_IN, REMOTE_ADDR=OFFICE_IP).status_code == 302


def test_index_month_parameter_never_500s(client, users):
    client.force_login(users.inside)
    for month in ("2026-10", "2026-13", "²", "1999-01"):
        assert client.get(INDEX, {"month": month}).status_code == 200
    assert "2026年10月" in client.get(INDEX, {"month": "2026-10"}).content.decode()


def test_anonymous_is_sent_to_login(client):
    assert client.get(INDEX).status_code == 302 and client.post(CHECK_IN).status_code == 302
    assert client.get(RULES).status_code == 302


# ------------------------------------------------------------------------------------------- rules


def edit(area):
    return reverse("checkins:rule_edit", args=[area.code])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("data_admin", 200),
        ("inside", 403),
        ("above", 403),
        ("county", 403),
        ("supervisor", 403),
        ("nobody", 403),
    ],
)
def test_rules_page_is_for_managers(who, status, client, users, rule):
    client.force_login(getattr(users, who))
    assert client.get(RULES).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("data_admin", 200), ("inside", 404), ("above", 404), ("county", 404), ("nobody", 404)],
)
def test_rule_edit_scope(who, status, client, users, tree):
    client.force_login(getattr(users, who))
    assert client.get(edit(tree.v)).status_code == status
    assert client.post(edit(tree.v), {"networks": "10.0.0.0/8"}).status_code == (
        302 if status == 200 else 404
    )


def test_rule_edit_out_of_the_managers_area_is_404(client, users, tree):
    client.force_login(users.data_admin)  # data_admin of township T
    assert client.get(edit(tree.x)).status_code == 404
    assert client.get(reverse("checkins:rule_edit", args=["²"])).status_code == 404
    assert client.get(RULES, {"area": tree.x.code}).status_code == 404
    assert client.get(RULES, {"area": tree.v.code}).url == edit(tree.v)


def test_rule_form_shows_the_inherited_rule_then_saves_and_deletes(client, users, tree, rule):
    client.force_login(users.data_admin)
    page = client.get(edit(tree.vg1)).content.decode()
    assert "沿用鱼塘村村民委员会的规则" in page
    response = client.post(edit(tree.vg1), {"networks": "192.168.3.0/24"})
    assert response.status_code == 302
    assert CheckInRule.objects.get(area=tree.vg1).networks == "192.168.3.0/24"
    assert AuditEvent.objects.filter(verb="checkins.rule.created", area_path=tree.vg1.code).exists()
    assert "192.168.3.0/24" in client.get(RULES).content.decode()
    client.post(edit(tree.vg1), {"delete": "1"})
    assert not CheckInRule.objects.filter(area=tree.vg1).exists()


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"networks": "10.0.0.300/24"}, "“10.0.0.300/24”不是有效的IP地址或网段"),
        ({"allow_location": "on", "latitude": "200", "longitude": "108", "radius_m": "1000"}, "90"),
        ({"allow_location": "on", "latitude": "27.5"}, "请填写本村中心点的纬度、经度和范围半径"),
        ({"networks": "10.0.0.0/8", "start_time": "25:00"}, "时间格式应为"),
    ],
)
def test_bad_rules_show_clear_errors(data, text, client, users, tree):
    client.force_login(users.data_admin)
    response = client.post(edit(tree.v), data)
    assert response.status_code == 200 and text in response.content.decode()
    assert not CheckInRule.objects.exists()
