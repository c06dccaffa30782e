"""The filtersets the HTML lists and the API share. Every choice is limited to the user's scope."""

from __future__ import annotations

import re
from dataclasses import dataclass

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minqing.areas.models import LEVEL_LENGTHS, Area, Level, short_name
from minqing.core import codes
from minqing.core.idnumber import IdNumberError, normalize_id_number
from minqing.core.scoping import in_grid, is_grid_path, under

from .models import House, Household, Person, Place

ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
PHONE_LIKE = re.compile(r"^1\d{10}$|^0\d{9,11}$")
NUMBER_LIKE = re.compile(r"^\d{12,24}$")


#: Scopes with at most this many villages list every group in the area picker.
OPEN_VILLAGES = 5


@dataclass(frozen=True)
class AreaOption:
    code: str
    label: str
    selected: bool


class ScopedFilterSet(filters.FilterSet):
    """A FilterSet whose area choices come from ``visible_to(user)``."""

    area = filters.CharFilter(method="filter_area", label=_("区域"))
    grid = filters.CharFilter(method="filter_grid", label=_("网格"))

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        user = user or getattr(request, "user", None)
        if queryset is None:  # never the unscoped default manager
            queryset = self._meta.model.objects.visible_to(user, "view")
        super().__init__(data, queryset, request=request, **kwargs)
        self.user = user

    def filter_area(self, queryset, name, value):
        value = value.strip()
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(under("area_path", value))

    def filter_grid(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(in_grid(value) if is_grid_path(value) else Q(grid_path=value))

    def area_options(self) -> list[AreaOption]:
        """The area picker: townships and villages in scope, and the groups of the villages that are open.

        A village is open when it holds the picked area, or when the scope has only a few villages (a
        cadre's own): a county's picker stays about a hundred options, not every group of the county.
        One query of plain values; the labels are built here, not per option in a template.
        """
        if self.user is None:
            return []
        rows = list(
            Area.objects.visible_to(self.user, "view")
            .filter(level__in=(Level.TOWNSHIP, Level.VILLAGE, Level.GROUP))
            .order_by("code")
            .values_list("code", "name", "level")
        )
        picked = str((self.data or {}).get("area", "")).strip()
        villages = {code: short_name(name) for code, name, level in rows if level == Level.VILLAGE}
        open_all = len(villages) <= OPEN_VILLAGES
        options = []
        for code, name, level in rows:
            label = short_name(name)
            if level == Level.GROUP:
                village = code[: LEVEL_LENGTHS["village"]]
                if not (open_all or picked.startswith(village)):
                    continue
                label = f"\u3000{villages.get(village, '')}{name}"
            options.append(AreaOption(code, label, code == picked))
        return options


def household_search(queryset, value: str):
    """One box for 户主姓名, 户编号, 身份证号 and 电话: the shape of the text decides which index answers."""
    text = value.strip().replace(" ", "")
    if not text:
        return queryset
    if ID_LIKE.match(text):
        try:
            number = normalize_id_number(text)
        except IdNumberError:
            return queryset.none()
        return queryset.filter(pk__in=Person.objects.filter(id_number=number).values("household_id"))
    if PHONE_LIKE.match(text):
        # Two index lookups, then ids: an OR across the household row and a member subquery defeats the indexes.
        ids = set(Household.objects.filter(phone=text).values_list("pk", flat=True))
        ids |= set(Person.objects.filter(phone=text).values_list("household_id", flat=True))
        return queryset.filter(pk__in=sorted(ids))
    if NUMBER_LIKE.match(text):
        return queryset.filter(number__startswith=text)
    return queryset.filter(head_name__startswith=text)


def person_search(queryset, value: str):
    """姓名, 身份证号 or 电话 in one box, like ``household_search``."""
    text = value.strip().replace(" ", "")
    if not text:
        return queryset
    if ID_LIKE.match(text):
        try:
            return queryset.filter(id_number=normalize_id_number(text))
        except IdNumberError:
            return queryset.none()
    if PHONE_LIKE.match(text):
        return queryset.filter(phone=text)
    return queryset.filter(name__startswith=text)


class HouseholdFilter(ScopedFilterSet):
    q = filters.CharFilter(method="filter_q", label=_("户主姓名/户编号/身份证号/电话"))
    status = filters.ChoiceFilter(choices=codes.HouseholdStatus.choices, label=_("户状态"))
    poverty_alleviated = filters.BooleanFilter(label=_("脱贫户"))
    monitoring_status = filters.ChoiceFilter(choices=codes.MonitoringStatus.choices[1:], label=_("监测状态"))
    dibao = filters.ChoiceFilter(choices=codes.AssistanceLevel.choices[1:], label=_("低保"))
    tekun = filters.ChoiceFilter(choices=codes.DestituteSupport.choices[1:], label=_("特困供养"))
    water_safe = filters.BooleanFilter(label=_("饮水安全"))
    housing_secure = filters.BooleanFilter(label=_("住房安全有保障"))

    class Meta:
        model = Household
        fields = ["q", "area", "grid", "status"]

    def filter_q(self, queryset, name, value):
        return household_search(queryset, value)


class PersonFilter(ScopedFilterSet):
    q = filters.CharFilter(method="filter_q", label=_("姓名/身份证号/电话"))
    sex = filters.ChoiceFilter(choices=codes.Sex.choices, label=_("性别"))
    ethnicity = filters.ChoiceFilter(choices=codes.Ethnicity.choices, label=_("民族"))
    residence_status = filters.ChoiceFilter(choices=codes.ResidenceStatus.choices, label=_("居住状态"))
    deceased = filters.BooleanFilter(label=_("已故"))

    class Meta:
        model = Person
        fields = ["q", "area", "grid", "sex", "ethnicity", "residence_status"]

    def filter_q(self, queryset, name, value):
        return person_search(queryset, value)


class HouseFilter(ScopedFilterSet):
    q = filters.CharFilter(field_name="address", lookup_expr="contains", label=_("地址"))
    safety_grade = filters.ChoiceFilter(choices=codes.HouseSafetyGrade.choices, label=_("安全等级"))
    dangerous = filters.BooleanFilter(method="filter_dangerous", label=_("危房"))
    rented_out = filters.BooleanFilter(label=_("出租"))

    class Meta:
        model = House
        fields = ["q", "area", "grid", "safety_grade", "rented_out"]

    def filter_dangerous(self, queryset, name, value):
        grades = [codes.HouseSafetyGrade.C, codes.HouseSafetyGrade.D]
        return (
            queryset.filter(safety_grade__in=grades) if value else queryset.exclude(safety_grade__in=grades)
        )


class PlaceFilter(ScopedFilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="contains", label=_("名称"))
    place_type = filters.ChoiceFilter(choices=codes.PlaceType.choices, label=_("场所类型"))
    hazard_type = filters.ChoiceFilter(choices=codes.HazardType.choices, label=_("隐患类型"))
    has_hazard = filters.BooleanFilter(method="filter_has_hazard", label=_("有隐患"))

    class Meta:
        model = Place
        fields = ["q", "area", "grid", "place_type", "hazard_type"]

    def filter_has_hazard(self, queryset, name, value):
        none = codes.HazardType.NONE
        return queryset.exclude(hazard_type=none) if value else queryset.filter(hazard_type=none)
