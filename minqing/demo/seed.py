"""Seeding the demo county: how households are spread over villages and who the demo logins stand for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet

from minqing.areas.models import Area, Level
from minqing.assistance.services import pairings_adopt
from minqing.checkins.models import CheckInRule
from minqing.checkins.services import rule_save
from minqing.core.scoping import under
from minqing.registry.models import Household, Person

from .activity import ensure_quota_rules, history_start, seed_visits
from .areas import FOCUS_VILLAGE, children_of, ensure_grid_members
from .figures import refresh_figures
from .generator import VillageSpec

if TYPE_CHECKING:
    from minqing.accounts.models import User

FOCUS_HOUSEHOLDS = 286  # 鱼塘村 in the Yuping report: 8 groups, 286 households
STATIONED_PAIRS = 20


def spread(total: int, villages: list[Area]) -> list[int]:
    """Households per village: the focus village keeps its real 286, the rest share the remainder."""
    focus = min(FOCUS_HOUSEHOLDS, total)
    others = [v for v in villages if v.code != FOCUS_VILLAGE]
    rest = total - focus
    base, extra = divmod(rest, len(others)) if others else (0, 0)
    counts = []
    index = 0
    for village in villages:
        if village.code == FOCUS_VILLAGE:
            counts.append(focus)
        else:
            counts.append(base + (1 if index < extra else 0))
            index += 1
    return counts


def village_plan(total: int, villages: list[Area]) -> list[VillageSpec]:
    """``(village, its groups, its grids, households)`` for the generator, ``total`` households in all."""
    return [
        (village, children_of(village, Level.GROUP), children_of(village, Level.GRID), count)
        for village, count in zip(villages, spread(total, villages), strict=True)
    ]


def focus_grids() -> QuerySet[Area]:
    return Area.objects.filter(parent__code=FOCUS_VILLAGE, level=Level.GRID).order_by("code")


@transaction.atomic
def link_demo_people(users: dict[str, User]) -> None:
    """Tie the logins to the data: grid members, the stationed cadre's households, the resident's phone."""
    grids = list(focus_grids())
    if grids:
        ensure_grid_members(
            grid=grids[0], leader="龙光明", worker="杨秀英", informant="吴老三", worker_user=users["grid"]
        )
    stationed = users["stationed"]
    if not Household.objects.filter(responsible_cadre=stationed).exists():
        ids = list(
            Household.objects.filter(under("area_path", FOCUS_VILLAGE))
            .order_by("-poverty_alleviated", "-monitoring_status", "number")
            .values_list("pk", flat=True)[:STATIONED_PAIRS]
        )
        Household.objects.filter(pk__in=ids).update(responsible_cadre=stationed)
    # The 帮扶责任人 named above become open pairings (结对帮扶), open since the visit history begins.
    pairings_adopt(started_on=history_start())
    demo_checkin_rule(users["admin"])
    resident = users["resident"]
    if not resident.phone:
        person = (
            Person.objects.filter(under("area_path", FOCUS_VILLAGE), relation="02", deceased=False)
            .exclude(phone="")
            .order_by("household__number")
            .first()
        )
        if person is not None:
            resident.phone = person.phone
            resident.last_name, resident.first_name = person.name[:1], person.name[1:]
            resident.save(update_fields=["phone", "last_name", "first_name"])


#: The demo runs on one machine or a local network: its cadres check in from there, or from a phone with a
#: position within 20 km of the county seat (玉屏县城, 27.24 N 108.91 E).
DEMO_NETWORKS = "127.0.0.0/8\n::1/128\n10.0.0.0/8\n172.16.0.0/12\n192.168.0.0/16"


def demo_checkin_rule(admin: User) -> None:
    """A county-wide 签到 rule, so the demo's cadres can check in (a county sets its offices' networks)."""
    county = Area.objects.filter(level=Level.COUNTY).order_by("code").first()
    if county is None or CheckInRule.objects.filter(area=county).exists():
        return
    data = {
        "networks": DEMO_NETWORKS,
        "allow_location": True,
        "latitude": "27.240000",
        "longitude": "108.910000",
        "radius_m": 20000,
    }
    rule_save(actor=admin, area=county, data=data)


def seed_history(users: dict[str, User], *, seed: int) -> dict[str, int | str]:
    """Quota rules, then the focus village's visits, plans and check-ins, the routing rules of requests and a
    few requests; each step skipped when done before."""
    from .requests import ensure_routing_rules, seed_requests
    from .support import seed_checkins, seed_plans

    rules = ensure_quota_rules(users["admin"])
    visits = seed_visits(users, seed=seed)
    plans, measures = seed_plans(users["stationed"], seed=seed)
    checkins = seed_checkins([users["stationed"], users["grid"], users["village"]], seed=seed)
    routes = ensure_routing_rules()
    requests = seed_requests(users)
    return {
        "routes": routes,
        "requests": requests,
        "rules": rules,
        "visits": len(visits),
        "plans": plans,
        "measures": measures,
        "checkins": checkins,
        "figures": refresh_figures(visits),
    }
