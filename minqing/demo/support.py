"""The focus village's 帮扶计划 for this year and the cadres' 签到 of the last working days.

Plans and measures go through the assistance services (validated, audited) as the stationed cadre who keeps
them. Check-ins are history, which ``checkins.services.checkin_submit`` (today only, the server's time)
cannot write: each is judged by the same rule function (``checkins.services.judge``) against the area's
rule, then stored with its historical time.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from minqing.assistance.models import AssistancePlan, MeasureKind, MeasureStatus
from minqing.assistance.services import measure_create, plan_create
from minqing.checkins.models import CheckIn
from minqing.checkins.services import checkin_areas, effective_rule, judge, parse_position
from minqing.checkins.workdays import is_workday
from minqing.registry.models import Household

from .activity import VILLAGE_CENTRE

if TYPE_CHECKING:
    from minqing.accounts.models import User

#: kind: (target, amount range in yuan, outcome, yearly income gain range, the risk types it answers).
MEASURES: dict[str, tuple[str, tuple[int, int], str, tuple[int, int], tuple[str, ...]]] = {
    MeasureKind.HEALTH: (
        "落实家庭医生签约服务和慢特病门诊报销，降低医疗支出",
        (800, 6000),
        "慢特病待遇已认定，门诊报销比例提高，全年少支出药费约两千元",
        (0, 0),
        ("01", "03"),
    ),
    MeasureKind.EDUCATION: (
        "申请雨露计划和国家助学金，保障子女完成学业",
        (1500, 3000),
        "雨露计划补助已发放，孩子按时入学",
        (0, 0),
        ("02",),
    ),
    MeasureKind.SAFETY_NET: (
        "纳入农村低保，落实残疾人两项补贴",
        (3600, 7200),
        "已纳入农村低保，按月发放到一卡通",
        (3600, 7200),
        ("03", "08"),
    ),
    MeasureKind.EMPLOYMENT: (
        "推荐到县城扶贫车间稳定就业，参加技能培训",
        (0, 1000),
        "已在扶贫车间上岗，月工资约三千元",
        (20000, 36000),
        ("07",),
    ),
    MeasureKind.ECOLOGY: (
        "安排护林员公益性岗位",
        (6000, 10000),
        "已聘为护林员，按月领取岗位补贴",
        (6000, 10000),
        ("08", "07"),
    ),
    MeasureKind.INDUSTRY: (
        "发展辣椒种植两亩，由合作社提供种苗并保底收购",
        (1000, 3000),
        "辣椒已由合作社收购，户均增收三千余元",
        (2500, 5000),
        ("06",),
    ),
    MeasureKind.FINANCE: (
        "申请脱贫人口小额信贷五万元，发展肉牛养殖",
        (50000, 50000),
        "贷款已发放，购入肉牛三头",
        (4000, 8000),
        ("06",),
    ),
    MeasureKind.HOUSING: (
        "实施农村危房改造，加固墙体、更换屋面",
        (10000, 25000),
        "改造已完工并通过验收，住房安全有保障",
        (0, 0),
        ("04",),
    ),
    MeasureKind.CONSUMPTION: (
        "通过消费帮扶专柜销售自产土鸡蛋和腊肉",
        (0, 0),
        "年内销售土鸡蛋、腊肉等农产品",
        (800, 2000),
        (),
    ),
    MeasureKind.ASSET_INCOME: (
        "参与村集体茶园资产收益分红",
        (0, 0),
        "年底分红已到账",
        (300, 800),
        (),
    ),
}
RISK_KINDS = {
    "01": MeasureKind.HEALTH,
    "02": MeasureKind.EDUCATION,
    "03": MeasureKind.SAFETY_NET,
    "04": MeasureKind.HOUSING,
    "06": MeasureKind.FINANCE,
    "07": MeasureKind.EMPLOYMENT,
    "08": MeasureKind.ECOLOGY,
}
GENERAL_KINDS = [
    MeasureKind.INDUSTRY,
    MeasureKind.EMPLOYMENT,
    MeasureKind.CONSUMPTION,
    MeasureKind.ASSET_INCOME,
]
GOALS = [
    "巩固“两不愁三保障”成果，家庭人均纯收入稳定在监测线以上。",
    "稳定务工和产业收入，防止因病因学返贫。",
    "消除返贫致贫风险，年内达到风险消除标准。",
]


def _kinds(household: Household, rng: random.Random) -> list[str]:
    """Two to four measure kinds: one per registered risk first, then income measures."""
    risks = [household.risk_type, *(household.risk_types or [])]
    kinds: list[str] = list(dict.fromkeys(RISK_KINDS[r] for r in risks if r in RISK_KINDS))
    pool: list[str] = [k for k in GENERAL_KINDS if k not in kinds]
    rng.shuffle(pool)
    want = rng.randint(2, 4)
    return (kinds + pool)[: min(4, max(want, len(kinds)))]


def _measure(kind: str, household: Household, today: datetime.date, rng: random.Random) -> dict[str, Any]:
    target, (low, high), outcome, (gain_low, gain_high), answers = MEASURES[kind]
    known = set(household.risk_types or []) | ({household.risk_type} if household.risk_type else set())
    status = rng.choices(
        [MeasureStatus.DONE, MeasureStatus.IN_PROGRESS, MeasureStatus.PLANNED], weights=[45, 40, 15]
    )[0]
    first = datetime.date(today.year, 1, 1)
    data: dict[str, Any] = {
        "kind": kind,
        "target": target,
        "status": status,
        "amount": Decimal(rng.randrange(low, high + 1, 100) if high > low else low),
        "risks_addressed": [code for code in answers if code in known],
    }
    if status != MeasureStatus.PLANNED:
        data["started_on"] = first + datetime.timedelta(days=rng.randrange(max(1, (today - first).days // 2)))
    if status == MeasureStatus.DONE:
        started: datetime.date = data["started_on"]
        data["completed_on"] = started + datetime.timedelta(
            days=rng.randrange(max(1, (today - started).days))
        )
        data["outcome"] = outcome
        if gain_high:
            data["income_change"] = Decimal(rng.randrange(gain_low, gain_high + 1, 100))
    return data


def seed_plans(stationed: User, *, seed: int) -> tuple[int, int]:
    """This year's plan and its measures for each of the stationed cadre's households without one."""
    today = timezone.localdate()
    rng = random.Random(f"{seed}:plans")
    households = list(Household.objects.filter(responsible_cadre=stationed).order_by("number"))
    planned = set(
        AssistancePlan.objects.filter(household__in=households, year=today.year).values_list(
            "household_id", flat=True
        )
    )
    plans = measures = 0
    for household in households:
        kinds = _kinds(household, rng)
        if household.pk in planned:
            continue
        with transaction.atomic():
            plan = plan_create(
                actor=stationed,
                household=household,
                data={
                    "year": today.year,
                    "period_start": datetime.date(today.year, 1, 1),
                    "period_end": datetime.date(today.year, 12, 31),
                    "goal": rng.choice(GOALS),
                },
            )
            for kind in kinds:
                measure_create(actor=stationed, plan=plan, data=_measure(kind, household, today, rng))
        plans, measures = plans + 1, measures + len(kinds)
    return plans, measures


#: Working days of check-in history, and the share of them a cadre checked in.
CHECKIN_DAYS = 30
PRESENT = 0.88


def _working_days(today: datetime.date, count: int) -> list[datetime.date]:
    days: list[datetime.date] = []
    day = today
    while len(days) < count:
        day -= datetime.timedelta(days=1)
        if is_workday(day)[0]:
            days.append(day)
    return sorted(days)


def seed_checkins(users: list[User], *, seed: int) -> int:
    """Check-ins of the last ``CHECKIN_DAYS`` working days (before today) for users who have none yet.

    The village cadre checks in from the 村委会 network, the others mostly with a position in the village;
    each is judged against the rule as a live check-in would be, and kept only when allowed.
    """
    today = timezone.localdate()
    rng = random.Random(f"{seed}:checkins")
    days = _working_days(today, CHECKIN_DAYS)
    rows: list[tuple[CheckIn, datetime.datetime]] = []
    for user in users:
        areas = checkin_areas(user)
        present = [day for day in days if rng.random() < PRESENT]
        if not areas or CheckIn.objects.filter(user=user, date__lt=today).exists():
            continue
        area, rule = areas[0], effective_rule(areas[0])
        for day in present:
            minutes = 7 * 60 + 50 + rng.randrange(100)
            at = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
            )
            if user.username == "village" or rng.random() < 0.25:  # from the 村委会 office network
                ip, fix = f"192.168.1.{rng.randrange(10, 200)}", parse_position()
            else:  # from a phone in the village, on the mobile network
                ip = f"117.{rng.randrange(100, 200)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                fix = parse_position(
                    f"{VILLAGE_CENTRE[0] + rng.uniform(-0.004, 0.004):.6f}",
                    f"{VILLAGE_CENTRE[1] + rng.uniform(-0.004, 0.004):.6f}",
                    rng.randrange(8, 40),
                )
            verdict = judge(area, rule, ip=ip, fix=fix, moment=at.time())
            if not verdict.method:
                continue
            checkin = CheckIn(
                user=user,
                date=day,
                area=area,
                area_path=area.code,
                ip=ip,
                method=verdict.method,
                latitude=fix.latitude,
                longitude=fix.longitude,
                accuracy_m=fix.accuracy_m,
                distance_m=verdict.distance,
            )
            rows.append((checkin, at))
    with transaction.atomic():
        created = CheckIn.objects.bulk_create([c for c, _at in rows])
        for checkin, (_c, at) in zip(created, rows, strict=True):
            # ``at`` is auto_now_add: the historical time is set after the insert.
            CheckIn.objects.filter(pk=checkin.pk).update(at=at)
    return len(rows)
