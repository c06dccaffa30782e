"""Cross-field rules of households and persons that every entry path shares (form, API, import).

``Household.clean`` and ``Person.clean`` call these; each returns ``{field: message}`` so the caller can
report every problem at once.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core import codes
from minqing.core.idnumber import address_codes

if TYPE_CHECKING:
    from .households import Household, Person

_AREA_CODE = re.compile(r"^(?:\d{6}|\d{12})$")


def validate_area_code(value: object) -> None:
    """户籍地/现住地区划代码: a 6-digit county or a 12-digit village code (统计用区划代码)."""
    if value in (None, ""):
        return
    if not _AREA_CODE.match(str(value)):
        raise ValidationError(
            _("区划代码应为6位（县级，如 520622）或12位（村级，如 520622100201）数字。"), code="area_code"
        )
    if str(value)[:6] not in address_codes():  # every county code GB/T 2260 has issued, abolished ones too
        raise ValidationError(
            _("区划代码的前6位“%(code)s”不是有效的县级行政区划代码，请核对。") % {"code": str(value)[:6]},
            code="area_code_unknown",
        )


def household_errors(household: Household) -> dict[str, str]:
    """防止返贫监测 dates, risk types, 易地扶贫搬迁 site."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    start, cleared = household.monitoring_start, household.risk_cleared_on
    if isinstance(start, datetime.date) and start > today:
        errors["monitoring_start"] = _("纳入监测日期不能晚于今天。")
    if isinstance(cleared, datetime.date):
        if cleared > today:
            errors["risk_cleared_on"] = _("风险消除日期不能晚于今天。")
        elif isinstance(start, datetime.date) and cleared < start:
            errors["risk_cleared_on"] = _("风险消除日期不能早于纳入监测日期。")
    risks: Any = household.risk_types
    if not isinstance(risks, list) or any(r not in codes.RiskType.values for r in risks):
        errors["risk_types"] = _("风险类型只能从风险类型代码表中选择。")
    elif len(set(risks)) != len(risks):
        errors["risk_types"] = _("风险类型不要重复选择。")
    if household.relocated and not (household.resettlement_site or "").strip():
        errors["resettlement_site"] = _("易地扶贫搬迁户请填写安置点。")
    return errors


def _parent_error(person: Person, parent: Person | None, sex: str, role: str) -> str:
    if parent is None:
        return ""
    if person.pk is not None and parent.pk == person.pk:
        return _("%(role)s不能是本人。") % {"role": role}
    if parent.sex != sex:
        return _("%(role)s的性别应为%(sex)s，请核对所选人员。") % {"role": role, "sex": codes.Sex(sex).label}
    if person.birth_date and parent.birth_date and parent.birth_date >= person.birth_date:
        return _("%(role)s的出生日期应早于本人。") % {"role": role}
    return ""


def person_errors(person: Person) -> dict[str, str]:
    """Parent links (a different person, father male, mother female, born earlier) and the head's identity."""
    errors: dict[str, str] = {}
    for field, sex, role in (
        ("father", codes.Sex.MALE, _("父亲")),
        ("mother", codes.Sex.FEMALE, _("母亲")),
    ):
        parent = getattr(person, field) if getattr(person, f"{field}_id") is not None else None
        if message := _parent_error(person, parent, sex, role):
            errors[field] = message
    if person.relation == codes.Relation.HEAD:
        errors.update(head_errors(person))
    return errors


def head_errors(person: Person) -> dict[str, str]:
    """A household head has an ID number or a recorded reason, and a known sex (男 or 女)."""
    errors: dict[str, str] = {}
    if not person.id_number and not person.no_id_reason:
        errors["no_id_reason"] = _("户主须填写公民身份号码；确实没有的，请选择无身份证号原因。")
    if person.sex not in (codes.Sex.MALE, codes.Sex.FEMALE):
        errors["sex"] = _("户主的性别须为男或女。")
    return errors
