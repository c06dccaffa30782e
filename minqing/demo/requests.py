"""The demo county's request routing (which department handles which category) and a few requests of 鱼塘村
in every state, filed and handled through the ticket services as the demo logins would.

Routing rules are each county's own configuration; these are what a county of Guizhou typically sets: health
to 卫健局 with the household's 帮扶责任人 beside it, housing to 住建局, village matters (roads, sanitation,
disputes, land) to the village first. 其他 has no rule: it lands in the desk's triage queue.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F

from minqing.accounts.models import Department
from minqing.areas.models import Area
from minqing.registry.models import Household
from minqing.tickets import services
from minqing.tickets.models import Category, RoutingRule, Ticket

from .areas import COUNTY_CODE, FOCUS_VILLAGE

if TYPE_CHECKING:
    from minqing.accounts.models import User

# category code: (department codes, add the paired cadre, village first)
ROUTES: dict[str, tuple[tuple[str, ...], bool, bool]] = {
    "01": (("health",), True, False),
    "02": (("housing",), True, False),
    "03": (("water",), False, True),
    "04": (("civil",), True, False),
    "05": (("hrss",), False, False),
    "06": (("education",), True, False),
    "07": (("civil",), False, False),
    "08": (("disabled",), True, False),
    "09": (("transport",), False, True),
    "10": (("ecology",), False, True),
    "11": (("justice",), False, True),
    "12": (("justice",), False, True),
    "13": (("agriculture",), False, True),
    "14": (("natural-resources",), False, True),
    "15": (("hrss",), False, False),
    "16": (("hrss", "medicare"), False, False),
    "17": (("police",), False, False),
    "18": (("agriculture",), False, False),
    "19": (("power",), False, False),
}

#: (key, who files, channel, kind, category code, urgency, description, steps taken afterwards)
REQUESTS = [
    (
        "med-1",
        "desk",
        "hotline",
        "help",
        "0101",
        "urgent",
        "老人慢阻肺加重，行动不便，想请家庭医生上门看看。",
        ("accept", "resolve", "visit_back", "archive"),
    ),
    (
        "med-2",
        "desk",
        "hotline",
        "help",
        "0104",
        "normal",
        "询问大病医疗费用二次报销需要准备哪些材料。",
        ("accept",),
    ),
    ("house-1", "grid", "grid", "help", "0202", "normal", "雨季屋顶漏雨，厨房一角渗水，请求帮助修缮。", ()),
    (
        "water-1",
        "village",
        "visit",
        "help",
        "0301",
        "urgent",
        "三组自来水已停两天，村民取水困难。",
        ("accept", "resolve"),
    ),
    (
        "road-1",
        "grid",
        "grid",
        "suggestion",
        "0901",
        "normal",
        "通组路有一段塌陷，建议尽快修补。",
        ("escalate",),
    ),
    ("other-1", "desk", "hotline", "consult", "99", "normal", "来电咨询村里红白理事会的办事规定。", ()),
]


def ensure_routing_rules() -> int:
    """County-wide rules for the seeded categories, once (a county that set its own keeps them)."""
    if RoutingRule.objects.exists():
        return 0
    county = Area.objects.get(code=COUNTY_CODE)
    departments = {d.code: d for d in Department.objects.all()}
    made = 0
    for code, (names, paired, village_first) in ROUTES.items():
        category = Category.objects.filter(code=code).first()
        if category is None:
            continue
        rule = RoutingRule.objects.create(
            category=category, area=county, add_paired_cadre=paired, village_first=village_first
        )
        rule.departments.set([departments[n] for n in names if n in departments])
        made += 1
    return made


def _act(step: str, ticket: Ticket, users: dict[str, User]) -> Ticket:
    lead = users["village"] if ticket.level == "village" else users["health"]
    if step == "accept":
        return services.accept(actor=lead, ticket=ticket)
    if step == "resolve":
        return services.resolve(actor=lead, ticket=ticket, answer="已安排人员上门处理，问题已解决。")
    if step == "escalate":
        return services.escalate(actor=lead, ticket=ticket, reason="需要乡镇协调资金和施工队。")
    if step == "visit_back":
        return services.visit_back(
            actor=users["desk"], ticket=ticket, satisfaction="satisfied", note="电话回访"
        )
    return services.archive(actor=users["desk"], ticket=ticket)


def _household_for(user: User, index: int) -> int | None:
    """A household of the focus village the filer may file for, paired ones first (their cadre joins)."""
    rows = (
        Household.objects.visible_to(user, "lookup")
        .filter(area_path__startswith=FOCUS_VILLAGE)
        .order_by(F("responsible_cadre").asc(nulls_last=True), "pk")
        .values_list("pk", flat=True)
    )
    found = list(rows[index : index + 1]) or list(rows[:1])
    return found[0] if found else None


@transaction.atomic
def seed_requests(users: dict[str, User]) -> int:
    """The focus village's demo requests, once (their client ids are fixed: a second run files nothing)."""
    filed = 0
    for index, (key, who, channel, kind, code, urgency, text, steps) in enumerate(REQUESTS):
        category = Category.objects.filter(code=code).first()
        household = _household_for(users[who], index)
        if category is None or household is None:
            continue
        data = {
            "channel": channel,
            "kind": kind,
            "category": category.pk,
            "urgency": urgency,
            "household": household,
            "description": text,
        }
        client_id = uuid.uuid5(uuid.NAMESPACE_URL, f"minqing-demo-request-{key}")
        ticket, created = services.file_ticket(actor=users[who], data=data, client_id=client_id)
        if not created:
            continue
        filed += 1
        for step in steps:
            ticket = _act(step, ticket, users)
    return filed
