"""派单: what the rules propose for a ticket, and setting its handlers.

A route names the units that handle a ticket: an area's level (the household's village or township) or
county departments as 主办, and the household's paired cadre (帮扶责任人, the open pairing's cadre) beside them.
A route without a lead sends the ticket to the desk's triage queue (待受理): it is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from minqing.accounts.models import Department, User
from minqing.areas.models import Area
from minqing.assistance.models import Pairing
from minqing.core.scoping import nearest_rule
from minqing.registry.models import Household

from ..models import LEVEL_LENGTH, Category, HandlerRole, Level, RoutingRule, Ticket, TicketHandler
from .common import covering, deactivate, level_of

if TYPE_CHECKING:
    from django.db.models import QuerySet


@dataclass
class Route:
    """Who should handle a ticket. ``area``: a village or township handling it as 主办; ``departments``:
    county departments as 主办 (used when no area leads); ``cadre``: the paired cadre beside them."""

    departments: list[Department] = field(default_factory=list)
    area: Area | None = None
    cadre: User | None = None
    rule: RoutingRule | None = None

    @property
    def has_lead(self) -> bool:
        return self.area is not None or bool(self.departments)

    @property
    def level(self) -> str:
        return level_of(self.area.code) if self.area is not None else str(Level.COUNTY)

    def describe(self) -> dict[str, Any]:
        """The route as the timeline stores it (names, so it reads the same after a rename)."""
        return {
            "departments": [d.name for d in self.departments],
            "area": self.area.name if self.area is not None else "",
            "cadre": str(self.cadre) if self.cadre is not None else "",
            "rule": self.rule.pk if self.rule is not None else None,
        }


def paired_cadre(household: Household | None) -> User | None:
    """The cadre of the household's open pairing (one at most: a constraint of ``assistance``)."""
    if household is None:
        return None
    pairing = (
        Pairing.objects.filter(household=household, ended_on__isnull=True).select_related("cadre").first()
    )
    return pairing.cadre if pairing is not None and pairing.cadre.is_active else None


def routing_rule(category: Category, area_path: str) -> RoutingRule | None:
    """The rule of the category (or its nearest parent that has one) for the nearest area at or above."""
    lineage = category.lineage()
    rules = list(RoutingRule.objects.filter(category_id__in=lineage).prefetch_related("departments"))
    for category_id in lineage:
        found = nearest_rule([r for r in rules if r.category_id == category_id], area_path)
        if found is not None:
            return found
    return None


def propose_route(*, category: Category, area_path: str, household: Household | None = None) -> Route:
    """What the rules say for a ticket (pure: nothing is written). No rule: an empty route (triage)."""
    rule = routing_rule(category, area_path)
    if rule is None:
        return Route()
    departments = [d for d in rule.departments.all() if d.is_active]
    cadre = paired_cadre(household) if rule.add_paired_cadre else None
    if rule.village_first and len(area_path) >= 12:
        village = Area.objects.filter(code=area_path[:12]).first()
        if village is not None:
            return Route(area=village, cadre=cadre, rule=rule)
    return Route(departments=departments, cadre=cadre, rule=rule)


def build_route(
    *,
    ticket: Ticket,
    department_ids: Any = (),
    area_id: Any = None,
    cadre_id: Any = None,
) -> Route:
    """A route the operator chose (ids from a form or the API), checked: the area must be the ticket's village
    or township, the departments active."""
    ids = sorted({int(i) for i in department_ids or ()})
    departments: QuerySet[Department] = Department.objects.filter(pk__in=ids, is_active=True)
    found = list(departments)
    if len(found) != len(ids):
        raise ValidationError({"departments": _("所选部门不存在或已停用。")}, code="department")
    area = None
    if area_id:
        area = Area.objects.filter(pk=area_id).first()
        if area is None or len(area.code) not in (9, 12) or not ticket.area_path.startswith(area.code):
            raise ValidationError({"area": _("承办区域只能是工单所在的村(社区)或乡镇(街道)。")}, code="area")
    cadre = None
    if cadre_id:
        cadre = User.objects.filter(pk=cadre_id, is_active=True).first()
        if cadre is None:
            raise ValidationError({"cadre": _("所选帮扶责任人不存在或已停用。")}, code="cadre")
    return Route(departments=found, area=area, cadre=cadre)


def check_dispatch_route(actor: User, path: str, route: Route) -> None:
    """Who may send a ticket at ``path`` where: ``dispatch`` over the area (403 otherwise); a village or
    township office only to its own level or below (county departments are for the desk: a village that needs
    them escalates)."""
    reach = covering(actor, path, "dispatch")
    if not reach:
        raise PermissionDenied(_("您没有这张工单所在区域的派单权限，请按系统建议派单。"))
    widest = min(len(p) for p in reach)
    if route.departments and widest > LEVEL_LENGTH[Level.COUNTY]:
        raise PermissionDenied(_("乡镇、村只能派给本级承办；需要县直部门办理的，请上报。"))
    if route.area is not None and len(route.area.code) < widest:
        raise PermissionDenied(_("不能派给您管辖范围以外的区域。"))


def apply_route(ticket: Ticket, route: Route) -> list[TicketHandler]:
    """Replace the ticket's active handlers by the route's (rows are kept, inactive, as history).

    The paired cadre stays with the household's matter: a route naming no cadre keeps the active one.
    """
    active = list(ticket.handlers.filter(is_active=True))
    cadres = [h for h in active if h.role == HandlerRole.PAIRED_CADRE]
    kept = cadres if route.cadre is None else [h for h in cadres if h.user_id == route.cadre.pk]
    deactivate(h for h in active if h not in kept)
    rows: list[TicketHandler] = []
    if route.area is not None:
        rows.append(
            TicketHandler(ticket=ticket, area=route.area, area_path=route.area.code, role=HandlerRole.LEAD)
        )
    else:
        rows += [TicketHandler(ticket=ticket, department=d, role=HandlerRole.LEAD) for d in route.departments]
    if route.cadre is not None and not kept:
        rows.append(TicketHandler(ticket=ticket, user=route.cadre, role=HandlerRole.PAIRED_CADRE))
    TicketHandler.objects.bulk_create(rows)
    ticket.level = route.level
    return rows
