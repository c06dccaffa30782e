"""The columns of each export, as cadres name them; coded fields are written as their names.

A column is ``(header, width, value)``, where ``value(row, ctx)`` reads one model instance. ``ctx.mask`` says
whether sensitive fields are masked (see ``selectors.may_reveal_all``); their cells are ``sensitive_value``.
``ctx.hidden`` names the privacy classes (``core.restricted``: health, minors) the file may not show (see
``selectors.hidden_classes``); their cells are ``restricted_value``, hidden on the rows the class applies to
(every row for health, persons under 14 for minors).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from minqing.areas.models import Area, Level
from minqing.core import codes, restricted, sensitive
from minqing.core.scoping import ALL, path_allowed
from minqing.registry.models import Household, Person


@dataclass(frozen=True)
class Context:
    """Per-export state: masking, today's date, and the code labels resolved once per export."""

    mask: bool
    today: datetime.date
    hidden: frozenset[str] = frozenset()
    #: The owner's view scope (``User.scope_prefixes("view")``): a linked person outside it (a parent in
    #: another village) is named only where the owner may see them.
    scope: Any = ALL
    labels: dict[tuple[type, str], dict[str, str]] = field(default_factory=dict)

    def linked_name(self, person: Any) -> str:
        """The name of a linked person (a parent) the owner may see, else "（不在管辖范围）"."""
        if person is None:
            return ""
        return person.name if path_allowed(self.scope, person.area_path, person.grid_path) else str(OUTSIDE)

    def label(self, obj: Any, name: str) -> str:
        """``obj.get_<name>_display()`` without its per-call cost (it hashes every lazy label of the field)."""
        key = (type(obj), name)
        if key not in self.labels:
            choices = type(obj)._meta.get_field(name).flatchoices
            self.labels[key] = {str(code): str(text) for code, text in choices}
        value = getattr(obj, name)
        return self.labels[key].get(str(value), value)


Column = tuple[Any, int, Callable[[Any, Context], Any]]
#: A linked person (a parent) outside the reader's scope: named nowhere the reader could not open them.
OUTSIDE = _("（不在管辖范围）")


def yes_no(value: bool) -> str:
    return str(_("是")) if value else str(_("否"))


def village_group(area: Area | None) -> str:
    """所属村/组: "鱼塘村一组" for a group, "鱼塘村" for a village."""
    if area is None:
        return ""
    if area.level == Level.GROUP and area.parent is not None:
        return f"{area.parent.short_name}{area.name}"
    return area.short_name


def sensitive_value(model: type, name: str) -> Callable[[Any, Context], str]:
    """A sensitive field's cell: masked by the field's own rule (``core.sensitive``) unless the file may
    show clear values. A field that is not registered sensitive fails here, at import, not as a leak."""
    if not sensitive.is_sensitive(model, name):
        raise LookupError(f"{model.__name__}.{name} is not registered in core.sensitive")

    def value(obj: Any, ctx: Context) -> str:
        return sensitive.masked(obj, name) if ctx.mask else getattr(obj, name) or ""

    return value


def restricted_value(
    model: type, name: str, value: Callable[[Any, Context], Any]
) -> Callable[[Any, Context], Any]:
    """A restricted field's cell (``core.restricted``): ``value`` unless the file may not show the field's
    class and the class applies to the row (a minor's ID number; an adult's shows). A field that is not
    registered restricted fails here, at import, not as a leak."""
    privacy_class = restricted.class_of(model, name)
    if privacy_class is None:
        raise LookupError(f"{model.__name__}.{name} is not registered in core.restricted")

    def cell(obj: Any, ctx: Context) -> Any:
        if privacy_class in ctx.hidden and restricted.applies(model, privacy_class, obj):
            return str(restricted.HIDDEN_VALUE)
        return value(obj, ctx)

    return cell


def _disability(p: Person, ctx: Context) -> str:
    if not p.disability_category:
        return ""
    return "/".join([ctx.label(p, "disability_category"), ctx.label(p, "disability_grade")])


def _codes(table: Any, values: list[str]) -> str:
    names = dict(table.choices)
    return "、".join(str(names.get(v, v)) for v in values or [])


# Issue 11 fields: identity, school, self-care, area codes, parents and guardian, welfare flags.
WELFARE_PERSON_COLUMNS: list[Column] = [
    (_("无身份证号原因"), 12, lambda p, ctx: ctx.label(p, "no_id_reason")),
    (_("学段"), 8, lambda p, ctx: ctx.label(p, "school_stage")),
    (_("就读学校"), 20, lambda p, ctx: p.school),
    (_("生活自理能力"), 10, lambda p, ctx: ctx.label(p, "self_care")),
    (_("户籍地区划代码"), 14, lambda p, ctx: p.registered_area),
    (_("现住地区划代码"), 14, lambda p, ctx: p.current_area),
    (_("父亲"), 10, lambda p, ctx: ctx.linked_name(p.father if p.father_id else None)),
    (_("母亲"), 10, lambda p, ctx: ctx.linked_name(p.mother if p.mother_id else None)),
    (_("监护人姓名"), 10, lambda p, ctx: p.guardian_name),
    (_("监护人与本人关系"), 10, lambda p, ctx: p.guardian_relation),
    (
        _("监护人联系电话"),
        14,
        restricted_value(Person, "guardian_phone", sensitive_value(Person, "guardian_phone")),
    ),
    (_("不能履行监护职责原因"), 14, lambda p, ctx: ctx.label(p, "cannot_guard_reason")),
    (_("孤儿"), 6, lambda p, ctx: yes_no(p.orphan)),
    (_("事实无人抚养儿童"), 8, lambda p, ctx: yes_no(p.de_facto_unsupported)),
    (_("大病"), 6, restricted_value(Person, "serious_illness", lambda p, ctx: yes_no(p.serious_illness))),
]
WELFARE_HOUSEHOLD_COLUMNS: list[Column] = [
    (_("通生活用电"), 8, lambda h, ctx: yes_no(h.has_electricity)),
    (_("入户路类型"), 10, lambda h, ctx: ctx.label(h, "road_access")),
    (_("卫生厕所"), 8, lambda h, ctx: yes_no(h.sanitary_toilet)),
    (_("主要燃料"), 12, lambda h, ctx: ctx.label(h, "cooking_fuel")),
    (_("纳入监测日期"), 12, lambda h, ctx: h.monitoring_start or ""),
    (_("风险消除日期"), 12, lambda h, ctx: h.risk_cleared_on or ""),
    (_("风险类型"), 20, lambda h, ctx: _codes(codes.RiskType, h.risk_types)),
    (_("易地扶贫搬迁户"), 8, lambda h, ctx: yes_no(h.relocated)),
    (_("安置点"), 16, lambda h, ctx: h.resettlement_site),
    (_("计生户类型"), 12, lambda h, ctx: ctx.label(h, "family_planning")),
]

PERSON_COLUMNS: list[Column] = [
    (_("姓名"), 10, lambda p, ctx: p.name),
    (_("性别"), 6, lambda p, ctx: ctx.label(p, "sex")),
    (_("出生日期"), 12, restricted_value(Person, "birth_date", lambda p, ctx: p.birth_date)),
    (_("年龄"), 6, lambda p, ctx: p.age_on(ctx.today)),
    (_("民族"), 8, lambda p, ctx: ctx.label(p, "ethnicity")),
    (_("与户主关系"), 10, lambda p, ctx: ctx.label(p, "relation")),
    (_("公民身份号码"), 21, restricted_value(Person, "id_number", sensitive_value(Person, "id_number"))),
    (_("联系电话"), 14, restricted_value(Person, "phone", sensitive_value(Person, "phone"))),
    (_("居住状态"), 12, lambda p, ctx: ctx.label(p, "residence_status")),
    (_("健康状况"), 12, restricted_value(Person, "health", lambda p, ctx: ctx.label(p, "health"))),
    (_("残疾类别/等级"), 14, restricted_value(Person, "disability_category", _disability)),
    (_("政治面貌"), 12, lambda p, ctx: ctx.label(p, "political_status")),
    (_("户编号"), 18, lambda p, ctx: p.household.number),
    (_("户主"), 10, lambda p, ctx: p.household.head_name),
    (_("所属村/组"), 16, lambda p, ctx: village_group(p.area)),
    (_("网格"), 16, lambda p, ctx: p.grid.name if p.grid_id else ""),
    (_("住址"), 30, lambda p, ctx: p.current_address or p.household.address),
    *WELFARE_PERSON_COLUMNS,
]
PERSON_RELATED = ["household", "area__parent", "grid", "father", "mother"]
PERSON_ORDER = ["area_path", "household__number", "relation", "birth_date", "pk"]

HOUSEHOLD_COLUMNS: list[Column] = [
    (_("户编号"), 18, lambda h, ctx: h.number),
    (_("户主"), 10, lambda h, ctx: h.head_name),
    (_("人口"), 6, lambda h, ctx: h.member_count),
    (_("住址"), 30, lambda h, ctx: h.address),
    (_("所属村/组"), 16, lambda h, ctx: village_group(h.area)),
    (_("网格"), 16, lambda h, ctx: h.grid.name if h.grid_id else ""),
    (_("电话"), 14, sensitive_value(Household, "phone")),
    (_("户别"), 10, lambda h, ctx: ctx.label(h, "household_type")),
    (_("户状态"), 8, lambda h, ctx: ctx.label(h, "status")),
    (_("脱贫户"), 8, lambda h, ctx: yes_no(h.poverty_alleviated)),
    (_("脱贫年度"), 8, lambda h, ctx: h.alleviated_year or ""),
    (_("监测状态"), 10, lambda h, ctx: ctx.label(h, "monitoring_status")),
    (_("监测对象类型"), 14, lambda h, ctx: ctx.label(h, "monitoring_type")),
    (_("低保"), 10, lambda h, ctx: ctx.label(h, "dibao")),
    (_("特困"), 10, lambda h, ctx: ctx.label(h, "tekun")),
    (_("主要致贫原因"), 12, lambda h, ctx: ctx.label(h, "main_poverty_cause")),
    (_("住房安全有保障"), 8, lambda h, ctx: yes_no(h.housing_secure)),
    (_("饮水安全"), 8, lambda h, ctx: yes_no(h.water_safe)),
    (_("耕地(亩)"), 8, lambda h, ctx: float(h.cultivated_land_mu)),
    (_("林地(亩)"), 8, lambda h, ctx: float(h.forest_land_mu)),
    (_("帮扶责任人"), 10, lambda h, ctx: str(h.responsible_cadre) if h.responsible_cadre_id else ""),
    *WELFARE_HOUSEHOLD_COLUMNS,
]
HOUSEHOLD_RELATED = ["area__parent", "grid", "responsible_cadre"]
HOUSEHOLD_ORDER = ["area_path", "number"]


@dataclass(frozen=True)
class Sheet:
    """What one kind of export writes: its sheet title, columns, joins and order."""

    title: Any
    columns: list[Column]
    related: list[str]
    order: list[str]

    def headers(self) -> list[str]:
        return [str(_("序号")), *(str(header) for header, _w, _v in self.columns)]

    def widths(self) -> list[int]:
        return [7, *(width for _h, width, _v in self.columns)]

    def row(self, number: int, obj: Any, ctx: Context) -> list[Any]:
        return [number, *(value(obj, ctx) for _h, _w, value in self.columns)]


SHEETS = {
    "persons": Sheet(_("人员名单"), PERSON_COLUMNS, PERSON_RELATED, PERSON_ORDER),
    "households": Sheet(_("户名单"), HOUSEHOLD_COLUMNS, HOUSEHOLD_RELATED, HOUSEHOLD_ORDER),
}
