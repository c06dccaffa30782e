"""Roles and what each may do, in one table. ``User.scope_prefixes`` is the only reader.

Actions:
- ``view``    read the full household file (一户一档) of the area
- ``lookup``  read basic, masked information only (name, address, masked phone) — hotline look-ups
- ``change``  create and edit registry records
- ``reveal``  unmask sensitive values (ID number, phone); every reveal is audited
- ``health``  read persons' health and disability details (健康状况, 慢性病, 残疾类别/等级, 残疾人证号),
              sensitive personal information under PIPL; without it pages, API, history, audit log and
              exports hide them, and searches by health conditions are refused (``core.restricted``)
- ``minors``  read the ID number, phone, exact birth date and attachments of persons under 14 (PIPL art. 28:
              a minor's personal information is sensitive); without it the same outputs hide them on
              minors' records (their age in years still shows, and searches by age stay open)
- ``export``  download lists as Excel
- ``audit``   read the audit log of the area
- ``manage``  users, code tables, tags and imports of the area
- ``visit``   log visits (走访记录/帮扶日志) to the area's households
- ``assist``  pair cadres with the area's households and keep their assistance plans (结对帮扶, 帮扶计划)
- ``handle``  work on the resident requests (诉求工单) routed to the area's level (village or township handler);
              department staff get no area right: they handle through their department's handler rows
              (``tickets.models``), the paired cadre through a personal handler row
- ``dispatch`` file requests for anyone in the area and route them (派单), review returns (退单), record
              visit-backs (回访) and archive; the hotline desk holds it for the whole county
- ``supervise`` raise 督办 on overdue requests of the area and decide extension requests from below
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    VILLAGE_CADRE = "village_cadre", _("村(社区)干部")
    STATIONED_CADRE = "stationed_cadre", _("驻村干部/帮扶责任人")
    TOWNSHIP_STAFF = "township_staff", _("乡镇(街道)干部")
    COUNTY_LEADER = "county_leader", _("县领导/组织部")
    DEPARTMENT_STAFF = "department_staff", _("部门人员")
    SERVICE_DESK = "service_desk", _("服务台坐席")
    SUPERVISOR = "supervisor", _("监督员/纪检")
    DATA_ADMIN = "data_admin", _("数据管理员")
    RESIDENT = "resident", _("居民")


ACTIONS = (
    "view",
    "lookup",
    "change",
    "reveal",
    "health",
    "minors",
    "export",
    "audit",
    "manage",
    "visit",
    "assist",
    "handle",
    "dispatch",
    "supervise",
)

# The permission table of the docs (README "Roles"). A role grants its actions only inside the
# area of the assignment that carries it.
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset({"view", "lookup", "change", "reveal", "health", "minors", "visit"}),
    Role.VILLAGE_CADRE: frozenset(
        {
            "view",
            "lookup",
            "change",
            "reveal",
            "health",
            "minors",
            "export",
            "visit",
            "assist",
            "handle",
            "dispatch",
        }
    ),
    # Stationed cadres read their village and visit its households; the households paired with them
    # are editable (``assistance``), and they keep those households' plans.
    Role.STATIONED_CADRE: frozenset({"view", "lookup", "reveal", "health", "minors", "visit"}),
    Role.TOWNSHIP_STAFF: frozenset(
        {"view", "lookup", "change", "reveal", "health", "minors", "export", "visit", "assist"}
        | {"handle", "dispatch", "supervise"}
    ),
    # County leaders and supervisors read files but not health data nor minors' identifiers: they need
    # no person's diagnosis and no child's ID number.
    Role.COUNTY_LEADER: frozenset({"view", "lookup", "export", "supervise"}),
    # Department staff hold no area right: they read households only through the requests routed to their
    # department and the households paired with them (``registry.models.paired``).
    Role.DEPARTMENT_STAFF: frozenset(),
    # The hotline desk files and routes requests county-wide and follows them up; it reads requests, not files.
    Role.SERVICE_DESK: frozenset({"lookup", "dispatch", "supervise"}),
    Role.SUPERVISOR: frozenset({"view", "lookup", "audit", "supervise"}),
    Role.DATA_ADMIN: frozenset(
        {"view", "lookup", "change", "reveal", "health", "minors", "export", "audit", "manage", "assist"}
    ),
    # Residents use the portal, which reads their own household directly, never by area.
    Role.RESIDENT: frozenset(),
}


def role_allows(role: str, action: str) -> bool:
    return action in PERMISSIONS.get(role, frozenset())
