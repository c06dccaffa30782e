"""Conditions a data admin writes for a tag of their own, checked against a whitelist of coded fields.

A condition is ``{"field": "health", "op": "in", "value": ["31", "37"]}``; a tag's conditions all
apply (AND). ``age_gte`` / ``age_lte`` compare ages on the day of evaluation.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from minqing.core import codes

from .rules import age_at_least, age_under

PERSON_FIELDS: dict[str, Any] = {
    "sex": codes.Sex,
    "ethnicity": codes.Ethnicity,
    "education": codes.Education,
    "marital_status": codes.MaritalStatus,
    "political_status": codes.PoliticalStatus,
    "religion": codes.Religion,
    "residence_status": codes.ResidenceStatus,
    "health": codes.Health,
    "employment": codes.Employment,
    "disability_category": codes.DisabilityCategory,
    "disability_grade": codes.DisabilityGrade,
    "labor_ability": codes.LaborAbility,
    "work_location": codes.WorkLocation,
    "military_service": codes.MilitaryService,
    "inflow_reason": codes.InflowReason,
    "medical_insurance": bool,
    "pension_insurance": bool,
    "registration_match": bool,
}
HOUSEHOLD_FIELDS: dict[str, Any] = {
    "household_type": codes.HouseholdType,
    "dibao": codes.AssistanceLevel,
    "tekun": codes.DestituteSupport,
    "monitoring_status": codes.MonitoringStatus,
    "monitoring_type": codes.MonitoringType,
    "risk_type": codes.RiskType,
    "main_poverty_cause": codes.PovertyCause,
    "poverty_alleviated": bool,
    "water_safe": bool,
    "housing_secure": bool,
    "medical_secure": bool,
    "education_secure": bool,
    "registration_match": bool,
}
OPS = ("eq", "ne", "in", "age_gte", "age_lte")


def _error(index: int, message: str) -> ValidationError:
    return ValidationError(
        {"conditions": _("第%(n)d个条件：%(message)s") % {"n": index + 1, "message": message}}
    )


def conditions_q(target: str, conditions: list[dict[str, Any]], today: datetime.date) -> Q:
    """Translate conditions into a Q, or raise a Chinese ValidationError naming the bad condition."""
    if not isinstance(conditions, list) or not conditions:
        raise ValidationError({"conditions": _("请至少填写一个条件。")})
    fields = PERSON_FIELDS if target == "person" else HOUSEHOLD_FIELDS
    q = Q()
    for index, condition in enumerate(conditions):
        if not isinstance(condition, dict):
            raise _error(index, _("格式不正确"))
        field, op, value = condition.get("field"), condition.get("op", "eq"), condition.get("value")
        if op not in OPS:
            raise _error(index, _("不支持的比较方式“%(op)s”") % {"op": op})
        if op in ("age_gte", "age_lte"):
            if target != "person" or not isinstance(value, int) or not 0 <= value <= 130:
                raise _error(index, _("年龄条件只适用于人员，且年龄应为0到130之间的整数"))
            q &= age_at_least(today, value) if op == "age_gte" else age_under(today, value + 1)
            continue
        if field not in fields:
            raise _error(index, _("不能按“%(field)s”设置条件") % {"field": field})
        kind = fields[field]
        values = value if op == "in" else [value]
        if not isinstance(values, list) or not values:
            raise _error(index, _("“包含于”条件需要一个取值列表"))
        for item in values:
            valid = isinstance(item, bool) if kind is bool else item in kind.values
            if not valid:
                raise _error(
                    index, _("“%(value)s”不是“%(field)s”的有效取值") % {"value": item, "field": field}
                )
        if op == "eq":
            q &= Q(**{field: value})
        elif op == "ne":
            q &= ~Q(**{field: value})
        else:
            q &= Q(**{f"{field}__in": values})
    return q
