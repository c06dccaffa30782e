"""Writes of the check-in app: checking in (or being refused, on the record), and keeping the rules.

A check-in is valid against the rule of one of the cadre's assigned areas (the nearest rule at or above the
area): from one of its office networks, or, when the rule allows it, with a browser position inside the
village's radius. Every refusal is stored (``CheckInAttempt``) and audited, in a transaction of its own, and
then raised as ``CheckInRefused`` with a message that says what to do.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.areas.models import Area, ancestor_paths
from minqing.core import audit, geo
from minqing.core.scoping import nearest_rule

from .models import (
    CADRE_ROLES,
    CheckIn,
    CheckInAttempt,
    CheckInRule,
    Method,
    Reason,
)

if TYPE_CHECKING:
    from minqing.accounts.models import User

EARTH_RADIUS_M = 6_371_008.8
#: The fields of a rule a manager edits (the audit row names the changed ones).
RULE_FIELDS = ("networks", "allow_location", "latitude", "longitude", "radius_m", "start_time", "end_time")


class CheckInRefused(ValidationError):
    """A check-in from outside the allowed networks and area; the attempt is already recorded."""

    def __init__(self, attempt: CheckInAttempt) -> None:
        super().__init__(attempt.message, code=attempt.reason)
        self.attempt = attempt


@dataclass(frozen=True)
class Fix:
    """A parsed browser position (all None when the browser sent none)."""

    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy_m: int | None = None


def parse_position(latitude: Any = None, longitude: Any = None, accuracy: Any = None) -> Fix:
    """The position as the browser (or an API client) sent it, checked by ``core.geo`` (both coordinates or
    neither, in range); the accuracy rounded up to whole metres, as check-ins store it."""
    position = geo.parse_position(latitude, longitude, accuracy)
    accuracy_m = None if position.accuracy_m is None else math.ceil(position.accuracy_m)
    return Fix(position.latitude, position.longitude, accuracy_m)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine): plenty for a village's radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def checkin_areas(user: User) -> list[Area]:
    """The areas the user checks in for: those of their active cadre assignments, innermost path first."""
    areas = {a.area.code: a.area for a in user.active_assignments() if a.role in CADRE_ROLES}
    return [areas[code] for code in sorted(areas, key=lambda c: (-len(c), c))]


def effective_rules(areas: list[Area]) -> dict[str, CheckInRule | None]:
    """Each area's rule: its own, or the nearest one above it (one query for all the areas)."""
    paths = {p for area in areas for p in [*ancestor_paths(area.code), area.code]}
    rules = list(CheckInRule.objects.filter(area_path__in=paths).select_related("area"))
    return {area.code: nearest_rule(rules, area.code) for area in areas}


def effective_rule(area: Area) -> CheckInRule | None:
    return effective_rules([area])[area.code]


@dataclass
class Verdict:
    """How one area's rule answers a check-in: the method that allows it, or the reason it is refused."""

    area: Area
    rule: CheckInRule | None
    method: str = ""
    reason: str = ""
    distance: int | None = None


def _in_networks(rule: CheckInRule, ip: str | None) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in rule.network_list)


def judge(
    area: Area, rule: CheckInRule | None, *, ip: str | None, fix: Fix, moment: datetime.time
) -> Verdict:
    """Apply one rule: its time window, then its networks, then (if allowed) the position."""
    verdict = Verdict(area, rule)
    if rule is None:
        verdict.reason = Reason.NO_RULE
        return verdict
    if fix.latitude is not None and fix.longitude is not None and rule.latitude is not None:
        verdict.distance = round(
            distance_m(
                float(fix.latitude), float(fix.longitude), float(rule.latitude), float(rule.longitude or 0)
            )
        )
    if not rule.in_window(moment):
        verdict.reason = Reason.OUTSIDE_WINDOW
    elif _in_networks(rule, ip):
        verdict.method = Method.NETWORK
    elif not rule.allow_location or rule.radius_m is None:
        verdict.reason = Reason.WRONG_NETWORK
    elif verdict.distance is None:
        verdict.reason = Reason.NO_POSITION
    elif fix.accuracy_m is not None and fix.accuracy_m > rule.radius_m:
        verdict.reason = Reason.LOW_ACCURACY
    elif verdict.distance > rule.radius_m:
        verdict.reason = Reason.OUTSIDE_AREA
    else:
        verdict.method = Method.LOCATION
    return verdict


def refusal_message(verdict: Verdict, *, ip: str | None, fix: Fix) -> str:
    """What went wrong and what to do, in the words a cadre on a phone understands."""
    rule, name = verdict.rule, verdict.area.short_name
    either = _("请在村委会办公网络内签到，或开启定位后在本村范围内签到。")
    office = _("请连接村委会（乡镇）办公网络后签到。")
    if verdict.reason == Reason.NO_RULE:
        return _("%(area)s尚未设置签到规则，暂不能签到。请联系数据管理员设置办公网络或定位范围。") % {
            "area": name
        }
    assert rule is not None
    if verdict.reason == Reason.OUTSIDE_WINDOW:
        return _("现在不在签到时段（%(start)s–%(end)s），请在签到时段内签到。") % {
            "start": rule.start_time.strftime("%H:%M") if rule.start_time else "00:00",
            "end": rule.end_time.strftime("%H:%M") if rule.end_time else "24:00",
        }
    address = ip or _("未知")
    if verdict.reason == Reason.WRONG_NETWORK:
        return _("当前网络（IP %(ip)s）不是%(area)s的办公网络。") % {"ip": address, "area": name} + office
    has_networks = bool(rule.networks)
    if verdict.reason == Reason.NO_POSITION:
        if has_networks:
            return _("当前网络（IP %(ip)s）不是办公网络，也未获取到定位。") % {"ip": address} + either
        return _("未获取到定位。请开启手机定位并允许本网站使用位置信息后，在本村范围内签到。")
    if verdict.reason == Reason.LOW_ACCURACY:
        return _("定位精度太低（约 %(acc)d 米），无法确认您在本村范围内。请到室外开启GPS定位后重试。") % {
            "acc": fix.accuracy_m or 0
        } + (either if has_networks else "")
    return _("您的位置距%(area)s中心约 %(km)s 公里，超出签到范围（%(radius)d 米）。") % {
        "area": name,
        "km": f"{(verdict.distance or 0) / 1000:.1f}",
        "radius": rule.radius_m or 0,
    } + (either if has_networks else _("请在本村范围内签到。"))


def today_checkin(user: User) -> CheckIn | None:
    return CheckIn.objects.filter(user=user, date=timezone.localdate()).select_related("area").first()


def checkin_submit(
    *, user: User, ip: str | None, latitude: Any = None, longitude: Any = None, accuracy: Any = None
) -> tuple[CheckIn, bool]:
    """Check ``user`` in for today; returns (the check-in, whether it is new).

    The server's date and time count, never the client's. A second call the same day returns the first
    check-in. A refusal is recorded (attempt + audit row, committed) and raised as ``CheckInRefused``.
    """
    areas = checkin_areas(user)
    if not areas:
        raise PermissionDenied(_("只有网格员、村(社区)干部、驻村干部和乡镇干部需要签到。"))
    fix = parse_position(latitude, longitude, accuracy)
    existing = today_checkin(user)
    if existing is not None:
        return existing, False
    now = timezone.localtime()
    rules = effective_rules(areas)
    verdicts = [judge(area, rules[area.code], ip=ip, fix=fix, moment=now.time()) for area in areas]
    allowed = next((v for v in verdicts if v.method), None)
    if allowed is None:
        shown = next((v for v in verdicts if v.rule is not None), verdicts[0])
        raise CheckInRefused(_record_refusal(user=user, verdict=shown, ip=ip, fix=fix, day=now.date()))
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                user=user,
                date=now.date(),
                area=allowed.area,
                area_path=allowed.area.code,
                ip=ip,
                method=allowed.method,
                latitude=fix.latitude,
                longitude=fix.longitude,
                accuracy_m=fix.accuracy_m,
                distance_m=allowed.distance,
            )
    except IntegrityError:  # the same cadre's other request won the race: one check-in a day
        first = today_checkin(user)
        if first is None:
            raise
        return first, False
    return checkin, True


@transaction.atomic
def _record_refusal(
    *, user: User, verdict: Verdict, ip: str | None, fix: Fix, day: datetime.date
) -> CheckInAttempt:
    attempt = CheckInAttempt.objects.create(
        user=user,
        date=day,
        area=verdict.area,
        area_path=verdict.area.code,
        ip=ip,
        reason=verdict.reason,
        message=refusal_message(verdict, ip=ip, fix=fix)[:300],
        latitude=fix.latitude,
        longitude=fix.longitude,
        accuracy_m=fix.accuracy_m,
        distance_m=verdict.distance,
    )
    changes: dict[str, Any] = {"原因": attempt.get_reason_display(), "IP地址": ip or ""}
    if fix.latitude is not None:
        changes["位置"] = f"{fix.latitude},{fix.longitude}"
        changes["距中心点(米)"] = verdict.distance
    audit.record(actor=user, verb="checkins.refused", target=attempt, changes=changes)
    return attempt


# ------------------------------------------------------------------------------------------ the rules


def _check_manage(actor: User, area: Area) -> None:
    if not Area.objects.visible_to(actor, "manage").filter(pk=area.pk).exists():
        raise PermissionDenied(_("您不能管理该区域的签到规则。"))


def _shown(value: Any) -> Any:
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return "" if value is None else str(value)


@transaction.atomic
def rule_save(*, actor: User, area: Area, data: dict[str, Any]) -> CheckInRule:
    """Create or change the rule of ``area`` (manage right over it); validated by the model, audited."""
    _check_manage(actor, area)
    rule = CheckInRule.objects.select_for_update().filter(area=area).first()
    created = rule is None
    if rule is None:
        rule = CheckInRule(area=area, area_path=area.code)
    before = {name: _shown(getattr(rule, name)) for name in RULE_FIELDS}
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    rule.updated_by = actor
    rule.full_clean(exclude=["area", "area_path", "updated_by"])
    rule.save()
    changes = {}
    for name in RULE_FIELDS:
        after = _shown(getattr(rule, name))
        if created or after != before[name]:
            label = getattr(CheckInRule._meta.get_field(name), "verbose_name", name)
            changes[str(label)] = [before[name], after]
    verb = "checkins.rule.created" if created else "checkins.rule.updated"
    audit.record(actor=actor, verb=verb, target=rule, changes=changes)
    return rule


@transaction.atomic
def rule_delete(*, actor: User, area: Area) -> None:
    """Remove the area's own rule: the rule above it applies again."""
    _check_manage(actor, area)
    rule = CheckInRule.objects.select_for_update().filter(area=area).first()
    if rule is None:
        return
    audit.record(
        actor=actor, verb="checkins.rule.deleted", target=rule, changes={"办公网络": [rule.networks, ""]}
    )
    rule.delete()


def report_exported(*, actor: User, area: Area, month: str, rows: int) -> None:
    """An attendance report left the system as a file: on the record, filed under the area."""
    audit.record(
        actor=actor,
        verb="checkins.report.exported",
        target=area,
        area_path=area.code,
        changes={"月份": month, "行数": rows},
    )
