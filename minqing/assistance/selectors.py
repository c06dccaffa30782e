"""Reads of pairings and plans, scoped: every read starts from ``visible_to(user, action)``.

Who may keep a household's plan (``plannable_households``): holders of the ``assist`` right where the household
lies, and the household's paired cadre while the pairing is open — a stationed cadre (驻村干部) or a department
official (部门干部) whose pairings grant ``change`` (``registry.models.paired``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from minqing.accounts.models import User
from minqing.core import codes
from minqing.core.scoping import path_allowed
from minqing.registry.models import Household
from minqing.registry.models.paired import paired_households_q, pairing_prefixes

from .models import AssistancePlan, Measure, MeasureStatus, Pairing

#: Measures by start date, those not started yet last (NULLs sort first on SQLite, last on PostgreSQL).
MEASURE_ORDER = (F("started_on").asc(nulls_last=True), "id")


def plannable_households(user: Any) -> QuerySet[Household]:
    """Households whose plan ``user`` may keep: the ``assist`` scope, or paired with them (stationed cadre,
    department official)."""
    assist = Household.objects.visible_to(user, "assist")
    mine = paired_households_q(user)
    if mine is None:
        return assist
    return Household.objects.filter(Q(pk__in=assist.values("pk")) | mine)


def can_plan(user: Any, household: Household) -> bool:
    return plannable_households(user).filter(pk=household.pk).exists()


def is_paired_cadre_over(user: Any, household: Household) -> bool:
    """Whether ``user`` holds an active assignment of a pairing role covering the household (in memory)."""
    return path_allowed(pairing_prefixes(user, "change"), household.area_path, household.grid_path)


def can_pair(user: Any, household: Household) -> bool:
    return Household.objects.visible_to(user, "assist").filter(pk=household.pk).exists()


def pairing_list(user: Any) -> QuerySet[Pairing]:
    """Pairings in the user's view scope, newest first, with what list rows show (one query per page)."""
    return (
        Pairing.objects.visible_to(user, "view")
        .select_related("cadre", "household")
        .only(
            "id",
            "area_path",
            "started_on",
            "ended_on",
            "end_reason",
            "cadre__id",
            "cadre__username",
            "cadre__first_name",
            "cadre__last_name",
            "household__id",
            "household__number",
            "household__head_name",
            "household__address",
        )
        .order_by("-started_on", "-id")
    )


def my_pairings(user: Any) -> QuerySet[Pairing]:
    """我的结对户: the user's open pairings inside their view scope."""
    return (
        pairing_list(user)
        .filter(cadre_id=user.pk, ended_on__isnull=True)
        .order_by("area_path", "household_id")
    )


def household_pairings(user: Any, household: Household) -> list[Pairing]:
    return list(
        Pairing.objects.visible_to(user, "view")
        .filter(household=household)
        .select_related("cadre", "created_by")
        .order_by("-started_on", "-id")
    )


def household_plans(user: Any, household: Household) -> list[AssistancePlan]:
    """The household's plans, newest year first, each with its measures (two queries)."""
    measures = Measure.objects.order_by(*MEASURE_ORDER)
    return list(
        AssistancePlan.objects.visible_to(user, "view")
        .filter(household=household)
        .prefetch_related(Prefetch("measures", queryset=measures))
        .order_by("-year")
    )


@dataclass(frozen=True)
class Step:
    """One step of the chain from risk to result (风险 → 规划 → 措施 → 成效), as the timeline shows it."""

    day: datetime.date | None
    kind: str  # risk, plan, measure, outcome, cleared
    title: str
    detail: str = ""
    risks: list[str] = field(default_factory=list)
    amount: Decimal | None = None
    income_change: Decimal | None = None
    status: str = ""


@dataclass
class Chain:
    """The household's chain: monitoring state, every step in date order, and which risks measures addressed."""

    monitoring: str
    risks: list[str]
    steps: list[Step]
    cleared_on: datetime.date | None
    income_change: Decimal
    amount: Decimal
    addressed: dict[str, list[str]]  # risk name → names of the kinds of measures done against it
    unaddressed: list[str]


def risk_names(codes_: list[str]) -> list[str]:
    names = dict(codes.RiskType.choices)
    return [str(names.get(c, c)) for c in codes_]


def risk_chain(household: Household, plans: list[AssistancePlan]) -> Chain:
    """一条链: 防止返贫监测 status and risk types → plans → measures by type → outcomes and risk cleared.

    Built from the household and the plans already read (no query of its own).
    """
    risk_codes = list(household.risk_types or [])
    if household.risk_type and household.risk_type not in risk_codes:
        risk_codes.insert(0, household.risk_type)
    steps: list[Step] = []
    if household.monitoring_status or household.monitoring_start:
        steps.append(
            Step(
                household.monitoring_start,
                "risk",
                _("纳入监测：%(type)s") % {"type": household.get_monitoring_type_display() or "—"},
                risks=risk_names(risk_codes),
            )
        )
    addressed: dict[str, list[str]] = {}
    income, amount = Decimal(0), Decimal(0)
    # Each plan, then its measures by start, then their outcomes by completion: the chain reads in its own
    # order (risk → plan → measures → results), each step with its date.
    for plan in sorted(plans, key=lambda p: p.year):
        steps.append(Step(plan.period_start or plan.created_at.date(), "plan", str(plan), plan.goal))
        measures = [m for m in plan.measures.all() if m.status != MeasureStatus.CANCELLED]
        measures.sort(key=lambda m: (m.started_on or datetime.date.max, m.pk))
        outcomes: list[Step] = []
        for m in measures:
            amount += m.amount or 0
            names = risk_names(m.risks_addressed or [])
            steps.append(
                Step(
                    m.started_on,
                    "measure",
                    m.get_kind_display(),
                    m.target,
                    risks=names,
                    amount=m.amount,
                    status=m.get_status_display(),
                )
            )
            if m.status == MeasureStatus.DONE:
                income += m.income_change or 0
                for name in names:
                    addressed.setdefault(name, []).append(m.get_kind_display())
                outcomes.append(
                    Step(
                        m.completed_on,
                        "outcome",
                        _("%(kind)s 成效") % {"kind": m.get_kind_display()},
                        m.outcome,
                        risks=names,
                        income_change=m.income_change,
                    )
                )
        steps.extend(sorted(outcomes, key=lambda s: s.day or datetime.date.max))
    if household.risk_cleared_on:
        steps.append(Step(household.risk_cleared_on, "cleared", _("风险消除"), risks=risk_names(risk_codes)))
    names = risk_names(risk_codes)
    return Chain(
        monitoring=household.get_monitoring_status_display() if household.monitoring_status else "",
        risks=names,
        steps=steps,
        cleared_on=household.risk_cleared_on,
        income_change=income,
        amount=amount,
        addressed={k: sorted(set(v)) for k, v in addressed.items()},
        unaddressed=[n for n in names if n not in addressed],
    )


def pairable_cadres(household: Household) -> QuerySet[User]:
    """The cadres who may be paired with ``household``: active, holding a cadre role whose area covers it."""
    from minqing.accounts.selectors import CADRE_ROLES

    covering = [household.area_path[:n] for n in (2, 4, 6, 9, 12, 15) if n <= len(household.area_path)]
    return (
        User.objects.filter(
            is_active=True,
            assignments__is_active=True,
            assignments__role__in=CADRE_ROLES,
            assignments__area__code__in=covering,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
