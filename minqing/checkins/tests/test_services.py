"""Checking in: office networks, positions inside and outside the village, refusals on the record, one a day."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.checkins import services
from minqing.checkins.models import CheckIn, CheckInAttempt, CheckInRule, Method, Reason
from minqing.checkins.services import CheckInRefused, checkin_submit, parse_position, rule_delete, rule_save
from minqing.core.models import AuditEvent

from .conftest import CENTRE, ELSEWHERE_IP, OFFICE_IP, north_of_centre

pytestmark = pytest.mark.django_db

EITHER = "请在村委会办公网络内签到，或开启定位后在本村范围内签到"


def test_office_network_allows_and_the_grid_inherits_the_village_rule(users, tree, rule):
    checkin, created = checkin_submit(user=users.grid, ip=OFFICE_IP)
    assert created and checkin.method == Method.NETWORK
    assert checkin.area == tree.vg1 and checkin.area_path == tree.vg1.code  # counted for the grid it serves
    assert checkin.date == timezone.localdate() and checkin.ip == OFFICE_IP
    assert not CheckInAttempt.objects.exists()


def test_wrong_network_without_position_is_refused_recorded_and_audited(users, tree, rule):
    with pytest.raises(CheckInRefused) as refused:
        checkin_submit(user=users.inside, ip=ELSEWHERE_IP)
    message = refused.value.messages[0]
    assert ELSEWHERE_IP in message and EITHER in message
    attempt = CheckInAttempt.objects.get()
    assert (attempt.user, attempt.reason, attempt.ip, attempt.area_path) == (
        users.inside,
        Reason.NO_POSITION,
        ELSEWHERE_IP,
        tree.v.code,
    )
    assert attempt.message == message
    event = AuditEvent.objects.get(verb="checkins.refused")
    assert event.area_path == tree.v.code and event.actor == users.inside
    assert event.changes["IP地址"] == ELSEWHERE_IP
    assert not CheckIn.objects.exists()


def test_network_only_rule_says_to_use_the_office_network(users, tree, rule):
    CheckInRule.objects.filter(pk=rule.pk).update(allow_location=False)
    with pytest.raises(CheckInRefused) as refused:
        checkin_submit(
            user=users.inside, ip=ELSEWHERE_IP, latitude=CENTRE[0], longitude=CENTRE[1], accuracy=10
        )
    assert refused.value.attempt.reason == Reason.WRONG_NETWORK
    assert "请连接村委会（乡镇）办公网络后签到" in refused.value.messages[0]


def test_position_inside_the_radius_allows(users, rule, stationed):
    lat, lon = north_of_centre(600)
    checkin, created = checkin_submit(
        user=stationed, ip=ELSEWHERE_IP, latitude=lat, longitude=lon, accuracy=25
    )
    assert created and checkin.method == Method.LOCATION
    assert 590 <= checkin.distance_m <= 610
    assert checkin.latitude == Decimal(f"{lat:.6f}") and checkin.accuracy_m == 25


def test_position_outside_the_radius_is_refused_with_the_distance(users, rule, stationed):
    lat, lon = north_of_centre(5200)
    with pytest.raises(CheckInRefused) as refused:
        checkin_submit(user=stationed, ip=ELSEWHERE_IP, latitude=lat, longitude=lon, accuracy=15)
    attempt = refused.value.attempt
    assert attempt.reason == Reason.OUTSIDE_AREA and 5150 <= attempt.distance_m <= 5250
    assert "约 5.2 公里" in attempt.message and "1000 米" in attempt.message and EITHER in attempt.message
    assert attempt.latitude == Decimal(f"{lat:.6f}")


def test_a_vague_position_is_no_evidence(users, rule, stationed):
    with pytest.raises(CheckInRefused) as refused:
        checkin_submit(user=stationed, ip=None, latitude=CENTRE[0], longitude=CENTRE[1], accuracy=3000)
    assert refused.value.attempt.reason == Reason.LOW_ACCURACY
    assert "约 3000 米" in refused.value.messages[0]


def test_second_check_in_of_the_day_returns_the_first(users, rule):
    first, created = checkin_submit(user=users.inside, ip=OFFICE_IP)
    again, created_again = checkin_submit(user=users.inside, ip=ELSEWHERE_IP)  # even from elsewhere
    assert created and not created_again and again.pk == first.pk
    assert CheckIn.objects.count() == 1 and not CheckInAttempt.objects.exists()


def test_rules_are_inherited_until_an_area_has_its_own(users, tree):
    CheckInRule.objects.create(area=tree.t, area_path=tree.t.code, networks="172.16.5.0/24")
    assert checkin_submit(user=users.inside, ip="172.16.5.20")[0].area == tree.v  # T's office network
    assert checkin_submit(user=users.neighbour, ip="172.16.5.21")[0].area == tree.w
    CheckIn.objects.all().delete()
    CheckInRule.objects.create(area=tree.v, area_path=tree.v.code, networks="10.9.0.0/16")
    with pytest.raises(CheckInRefused):
        checkin_submit(user=users.inside, ip="172.16.5.20")  # V's own rule replaces T's
    assert checkin_submit(user=users.inside, ip="10.9.1.1")[1]
    assert checkin_submit(user=users.neighbour, ip="172.16.5.21")[1]  # W still inherits T's
    assert services.effective_rule(tree.x) is None  # township U has none: nothing to inherit


def test_no_rule_anywhere_is_refused_with_whom_to_ask(users, tree):
    with pytest.raises(CheckInRefused) as refused:
        checkin_submit(user=users.inside, ip=OFFICE_IP)
    assert refused.value.attempt.reason == Reason.NO_RULE
    assert "尚未设置签到规则" in refused.value.messages[0] and "数据管理员" in refused.value.messages[0]


def test_roles_that_do_not_check_in_are_refused_without_a_record(users, rule):
    for user in (users.county, users.supervisor, users.desk, users.data_admin, users.nobody):
        with pytest.raises(PermissionDenied):
            checkin_submit(user=user, ip=OFFICE_IP)
    assert not CheckInAttempt.objects.exists()


def test_outside_the_daily_window(users, rule, monkeypatch):
    CheckInRule.objects.filter(pk=rule.pk).update(start_time=datetime.time(8), end_time=datetime.time(10))
    early = timezone.localtime().replace(hour=7, minute=30)
    monkeypatch.setattr(services.timezone, "localtime", lambda *a: early)
    with pytest.raises(CheckInRefused) as refused:
        checkin_submit(user=users.inside, ip=OFFICE_IP)
    assert (
        refused.value.attempt.reason == Reason.OUTSIDE_WINDOW and "08:00–10:00" in refused.value.messages[0]
    )


def test_ipv4_mapped_ipv6_address_matches_the_ipv4_range(users, rule):
    assert checkin_submit(user=users.inside, ip="::ffff:10.1.9.9")[1]


def test_a_cadre_of_two_villages_may_check_in_at_either(users, tree, rule):
    CheckInRule.objects.create(area=tree.x, area_path=tree.x.code, networks="192.168.7.0/24")
    cadre = assign(
        assign(UserFactory(username="twoplaces"), Role.VILLAGE_CADRE, tree.v), Role.VILLAGE_CADRE, tree.x
    )
    checkin, _ = checkin_submit(user=cadre, ip="192.168.7.7")
    assert checkin.area == tree.x


@pytest.mark.parametrize(
    ("values", "field", "text"),
    [
        ({"latitude": 200, "longitude": 108}, "latitude", "纬度应为 -90 到 90"),
        ({"latitude": 27, "longitude": -181}, "longitude", "经度应为 -180 到 180"),
        ({"latitude": "abc", "longitude": 108}, "latitude", "纬度应为"),
        ({"latitude": "nan", "longitude": 108}, "latitude", "纬度应为"),
        ({"latitude": 27, "longitude": 108, "accuracy": -5}, "accuracy", "定位精度"),
        ({"latitude": 27}, "longitude", "同时提供纬度和经度"),
    ],
)
def test_bad_positions_are_clear_errors_and_not_recorded(values, field, text, users, rule):
    with pytest.raises(ValidationError) as error:
        parse_position(**values)
    assert text in " ".join(error.value.message_dict[field])
    with pytest.raises(ValidationError):
        checkin_submit(user=users.inside, ip=ELSEWHERE_IP, **values)
    assert not CheckInAttempt.objects.exists() and not CheckIn.objects.exists()


# ------------------------------------------------------------------------------------------ rules


def test_rule_save_normalises_networks_and_audits(users, tree):
    rule = rule_save(
        actor=users.data_admin, area=tree.v, data={"networks": "10.0.0.5/24, 202.98.1.10\n10.0.0.9/24"}
    )
    assert rule.networks == "10.0.0.0/24\n202.98.1.10/32" and rule.updated_by == users.data_admin
    event = AuditEvent.objects.get(verb="checkins.rule.created")
    assert event.area_path == tree.v.code and "办公网络" in event.changes
    rule_save(actor=users.data_admin, area=tree.v, data={"networks": "10.0.0.0/24"})
    updated = AuditEvent.objects.get(verb="checkins.rule.updated")
    assert updated.changes == {"办公网络": ["10.0.0.0/24\n202.98.1.10/32", "10.0.0.0/24"]}
    rule_delete(actor=users.data_admin, area=tree.v)
    assert (
        not CheckInRule.objects.exists() and AuditEvent.objects.filter(verb="checkins.rule.deleted").exists()
    )


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"networks": "10.0.0.300/24"}, "networks", "“10.0.0.300/24”不是有效的IP地址或网段"),
        ({"networks": "10.0.0.0/24\nvillage-office"}, "networks", "第 2 项“village-office”"),
        ({"networks": ""}, "networks", "请至少填写一个办公网络"),
        ({"allow_location": True, "latitude": Decimal("27.5")}, "radius_m", "请填写本村中心点"),
        ({"allow_location": True, "latitude": 200, "longitude": 108, "radius_m": 1000}, "latitude", "90"),
        ({"networks": "10.0.0.0/8", "radius_m": 5}, "radius_m", "50"),
        (
            {"networks": "10.0.0.0/8", "start_time": datetime.time(18), "end_time": datetime.time(8)},
            "end_time",
            "截止时间应晚于开始时间",
        ),
    ],
)
def test_bad_rules_are_refused_with_clear_messages_and_nothing_saved(data, field, text, users, tree):
    with pytest.raises(ValidationError) as error:
        rule_save(actor=users.data_admin, area=tree.v, data=data)
    assert text in " ".join(error.value.message_dict[field]), error.value.message_dict
    assert (
        not CheckInRule.objects.exists()
        and not AuditEvent.objects.filter(verb__startswith="checkins.").exists()
    )


def test_only_managers_of_the_area_keep_rules(users, tree):
    for user in (users.inside, users.above, users.county, users.supervisor):
        with pytest.raises(PermissionDenied):
            rule_save(actor=user, area=tree.v, data={"networks": "10.0.0.0/8"})
    with pytest.raises(PermissionDenied):  # data_admin of T does not manage U's villages
        rule_save(actor=users.data_admin, area=tree.x, data={"networks": "10.0.0.0/8"})
    assert not CheckInRule.objects.exists()
