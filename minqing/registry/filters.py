"""The filtersets the HTML lists and the API share. Every choice is limited to the user's scope."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from html import escape

import django_filters as filters
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from minqing.areas.models import VILLAGE_LENGTH, Area, Level, short_name
from minqing.core import codes
from minqing.core.idnumber import IdNumberError, normalize_id_number
from minqing.core.phone import normalize_phone
from minqing.core.scoping import ALL, in_grid, is_area_path, is_grid_path, under

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
        if not is_area_path(value):
            return queryset.none()
        return queryset.filter(under("area_path", value))

    def filter_grid(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(in_grid(value) if is_grid_path(value) else Q(grid_path=value))

    def area_options(self) -> list[AreaOption]:
        """The area picker: townships and villages in scope, and the groups of the villages that are open.

        A village is open when it holds the picked area, or when the scope has only a few villages (a
        cadre's own): a county's picker stays at its townships and villages, not every group of the county.
        """
        if self.user is None:
            return []
        picked = self._picked_area()
        return [
            AreaOption(code, label, code == picked)
            for code, label in _open_options(_picker_areas(self.user), picked)
        ]

    def area_options_html(self) -> SafeString:
        """``area_options`` as ``<option>`` tags, built once a minute per scope and open village.

        Every list and lookup page draws the picker (600 options for a county): as template nodes it was
        a fifth of the page's time. Labels are escaped here; codes are digits.
        """
        if self.user is None:
            return mark_safe("")
        picked = self._picked_area()
        areas = _picker_areas(self.user)
        key = ("html", areas.key, _open_village(areas, picked))
        html = _cached(
            key,
            lambda: "".join(
                f'<option value="{code}">{escape(label, quote=False)}</option>'
                for code, label in _open_options(areas, picked)
            ),
        )
        if is_area_path(picked):
            html = html.replace(f'<option value="{picked}">', f'<option value="{picked}" selected>', 1)
        return mark_safe(html)  # noqa: S308 - built above from escaped labels and digit codes

    def _picked_area(self) -> str:
        return str((self.data or {}).get("area", "")).strip()


#: The picker's areas are read again after this many seconds: a renamed or added area shows within a minute.
PICKER_TTL = 60.0
_PICKER_CACHE: dict[tuple, tuple[float, object]] = {}


@receiver([post_save, post_delete], sender=Area, dispatch_uid="registry-area-picker")
def _areas_changed(**kwargs) -> None:
    """This process forgets its pickers at once; the other workers within ``PICKER_TTL``."""
    _PICKER_CACHE.clear()


def _cached(key: tuple, build):
    """``build()``, kept per process for ``PICKER_TTL`` seconds under ``key``."""
    now = time.monotonic()
    hit = _PICKER_CACHE.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    if len(_PICKER_CACHE) > 512:  # many scopes: start again rather than grow
        _PICKER_CACHE.clear()
    value = build()
    _PICKER_CACHE[key] = (now + PICKER_TTL, value)
    return value


@dataclass(frozen=True)
class PickerAreas:
    """The townships, villages and groups a scope may pick from, labelled, in code order."""

    key: tuple
    rows: tuple[tuple[str, str, str], ...]  # (code, level, label)
    open_all: bool


def _picker_areas(user) -> PickerAreas:
    prefixes = user.scope_prefixes("view")
    key = ("areas", "ALL" if prefixes is ALL else tuple(prefixes))

    def build() -> PickerAreas:
        rows = (
            Area.objects.visible_to(user, "view")
            .filter(level__in=(Level.TOWNSHIP, Level.VILLAGE, Level.GROUP))
            .order_by("code")
            .values_list("code", "name", "level")
        )
        villages = {code: short_name(name) for code, name, level in rows if level == Level.VILLAGE}
        labelled = tuple(
            (
                code,
                level,
                f"\u3000{villages.get(code[:VILLAGE_LENGTH], '')}{name}"
                if level == Level.GROUP
                else short_name(name),
            )
            for code, name, level in rows
        )
        return PickerAreas(key, labelled, len(villages) <= OPEN_VILLAGES)

    return _cached(key, build)


def _open_village(areas: PickerAreas, picked: str) -> str:
    return "*" if areas.open_all else picked[:VILLAGE_LENGTH] if len(picked) >= VILLAGE_LENGTH else ""


def _open_options(areas: PickerAreas, picked: str) -> list[tuple[str, str]]:
    village = _open_village(areas, picked)
    return [
        (code, label)
        for code, level, label in areas.rows
        if level != Level.GROUP or village == "*" or code[:VILLAGE_LENGTH] == village
    ]


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
        phone = normalize_phone(text) or text  # stored forms: 13812345678, 0851-22222222
        ids = set(Household.objects.filter(phone=phone).values_list("pk", flat=True))
        ids |= set(Person.objects.filter(phone=phone).values_list("household_id", flat=True))
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
        return queryset.filter(phone=normalize_phone(text) or text)
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
