"""Serializers of the registry API: output never carries a sensitive value in clear; input feeds a service."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from minqing.areas.models import Area
from minqing.core import codes, restricted, sensitive

from .models import EconomyYear, House, Household, Person, Place
from .services import (
    ECONOMY_FIELDS,
    HOUSE_FIELDS,
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    PLACE_FIELDS,
)

RESTRICTED_HELP = {
    "health": _("健康信息：无权查看健康信息（health）的用户得到 null。"),
    "minors": _(
        "未满十四周岁未成年人的信息：无权查看未成年人信息（minors）的用户得到 null；成年人的照常返回。"
    ),
}
RESTRICTED_OTHER = _("无权查看的用户得到 null。")
VERSION_REQUIRED = _("请提交您读取这条记录时的版本号（version），以免覆盖他人在此期间的修改。")

# ------------------------------------------------------------------------------------------ fields


class AreaCodeField(serializers.SlugRelatedField):
    """An area given by its code. Scope and level are checked by the service, not here."""

    default_error_messages = {
        "does_not_exist": _("区划代码 {value} 不存在。"),
        "invalid": _("区划代码无效。"),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Area.objects.all(), **kwargs)

    def to_internal_value(self, data: Any) -> Area:
        try:
            return self.get_queryset().get(code=str(data).strip())
        except Area.DoesNotExist:
            self.fail("does_not_exist", value=str(data)[:20])
        except (TypeError, ValueError):
            self.fail("invalid")


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related row by id, looked up only among the rows the caller may ``action``."""

    default_error_messages = {
        "does_not_exist": _("编号为 {pk_value} 的记录不存在，或不在您的管辖范围内。"),
        "incorrect_type": _("请填写记录的编号（整数）。"),
    }

    def __init__(self, *, model: type, action: str = "change", **kwargs: Any) -> None:
        self.model, self.scope_action = model, action
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.context["request"].user, self.scope_action)


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": codes.PovertyCause.values}})
class PovertyCausesField(serializers.ListField):
    """其他致贫原因: a list of codes (inline enum: the same code table also names ``main_poverty_cause``)."""

    child = serializers.ChoiceField(choices=codes.PovertyCause.choices)


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": codes.RiskType.values}})
class RiskTypesField(serializers.ListField):
    """风险类型(多选): a list of codes of the 风险类型 table."""

    child = serializers.ChoiceField(choices=codes.RiskType.choices)


class MaskedField(serializers.CharField):
    """A sensitive field's value, masked by its registered mask; the clear value only through ``reveal``."""

    def __init__(self, *, field: str, **kwargs: Any) -> None:
        self.sensitive_field = field
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        return sensitive.masked(instance, self.sensitive_field)


class MaskedOutput(serializers.ModelSerializer):
    """Output whose every field registered in ``minqing.core.sensitive`` comes out masked.

    Driven by the registry, not by a per-serializer list: a field registered later is masked everywhere.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        model = self.Meta.model
        restricted_fields = restricted.fields_of(model)
        self._restricted: dict[str, str] = {}
        for name, field in fields.items():
            source = field.source if field.source not in (None, "*") else name
            if sensitive.is_sensitive(model, source):
                label = _("%(label)s（脱敏）") % {"label": model._meta.get_field(source).verbose_name}
                fields[name] = MaskedField(field=source, label=label)
            if source in restricted_fields:  # null for readers without the right: the schema says so
                self._restricted[name] = source
                fields[name].allow_null = True
                fields[name].help_text = RESTRICTED_HELP.get(restricted_fields[source], RESTRICTED_OTHER)
        return fields

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if self._restricted:
            request = self.context.get("request")
            hidden = restricted.hidden_fields(getattr(request, "user", None), instance)
            for name, source in self._restricted.items():
                if source in hidden:
                    data[name] = None
        return data


# --------------------------------------------------------------------------------- output serializers


class PlacedOutput(MaskedOutput):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True, allow_null=True)

    PLACED = ("area", "area_name", "grid", "grid_name")


class PersonListSerializer(PlacedOutput):
    household_number = serializers.CharField(source="household.number", read_only=True)
    relation_display = serializers.CharField(source="get_relation_display", read_only=True)
    sex_display = serializers.CharField(source="get_sex_display", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "household",
            "household_number",
            "name",
            "relation",
            "relation_display",
            "sex",
            "sex_display",
            "birth_date",
            "id_number",
            "phone",
            *PlacedOutput.PLACED,
            "residence_status",
            "deceased",
            "version",
        ]


class PersonDetailSerializer(PersonListSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "household",
            "household_number",
            "relation_display",
            "sex_display",
            *PlacedOutput.PLACED,
            *PERSON_FIELDS,
            "version",
            "created_at",
            "updated_at",
        ]


class HouseSerializer(PlacedOutput):
    household_number = serializers.CharField(source="household.number", read_only=True, allow_null=True)
    safety_grade_display = serializers.CharField(source="get_safety_grade_display", read_only=True)

    class Meta:
        model = House
        fields = [
            "id",
            "household_number",
            *PlacedOutput.PLACED,
            *[f for f in HOUSE_FIELDS if f not in ("area", "grid")],
            "safety_grade_display",
            "is_dangerous",
            "version",
            "updated_at",
        ]


class PlaceSerializer(PlacedOutput):
    place_type_display = serializers.CharField(source="get_place_type_display", read_only=True)
    hazard_type_display = serializers.CharField(source="get_hazard_type_display", read_only=True)

    class Meta:
        model = Place
        fields = [
            "id",
            *PlacedOutput.PLACED,
            *[f for f in PLACE_FIELDS if f not in ("area", "grid")],
            "place_type_display",
            "hazard_type_display",
            "version",
            "updated_at",
        ]


class EconomyYearSerializer(serializers.ModelSerializer):
    transfer_income = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    total_income = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = EconomyYear
        fields = [
            "year",
            *ECONOMY_FIELDS,
            "transfer_income",
            "total_income",
            "net_per_capita",
            "version",
            "updated_at",
        ]


class HouseholdListSerializer(PlacedOutput):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "number",
            "head_name",
            "address",
            *PlacedOutput.PLACED,
            "member_count",
            "household_type",
            "status",
            "status_display",
            "phone",
            "poverty_alleviated",
            "monitoring_status",
            "dibao",
            "tekun",
            "housing_secure",
            "water_safe",
            "version",
            "updated_at",
        ]


class HouseholdDetailSerializer(HouseholdListSerializer):
    responsible_cadre_name = serializers.CharField(
        source="responsible_cadre.get_full_name", read_only=True, allow_null=True
    )
    members = PersonListSerializer(many=True, read_only=True)
    houses = HouseSerializer(many=True, read_only=True)
    economy = EconomyYearSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = [
            *HouseholdListSerializer.Meta.fields,
            *[f for f in HOUSEHOLD_FIELDS if f not in HouseholdListSerializer.Meta.fields],
            "responsible_cadre_name",
            "created_at",
            "members",
            "houses",
            "economy",
        ]


# ---------------------------------------------------------------------------------- input serializers


class WriteSerializer(serializers.ModelSerializer):
    """Parses input for a service. On update the client must send the ``version`` it read."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and attrs.get("version") is None:
            raise ValidationError({"version": [VERSION_REQUIRED]})
        return attrs


def _version_field() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, error_messages={"required": VERSION_REQUIRED})


class PlacedInput(WriteSerializer):
    """Area and grid by code; the service checks they lie in the caller's change scope."""

    area = AreaCodeField(label="所属区域（区划代码）")
    grid = AreaCodeField(label="所属网格（网格代码）", required=False, allow_null=True)


class HeadSerializer(WriteSerializer):
    """The head's person block of a new household (relation is 户主)."""

    # Normalised (full-width, spaces, 15 digits) and checked by the service, so no length limit here.
    id_number = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=40)
    # Parents may live in another household: any person the caller may view.
    father = ScopedPrimaryKeyField(
        model=Person, action="view", required=False, allow_null=True, label="父亲（人员 id）"
    )
    mother = ScopedPrimaryKeyField(
        model=Person, action="view", required=False, allow_null=True, label="母亲（人员 id）"
    )

    class Meta:
        model = Person
        fields = [f for f in PERSON_FIELDS if f not in ("relation", "deceased", "death_date")]
        validators: list = []


class PersonUpdateSerializer(HeadSerializer):
    """PUT/PATCH of a person: the person block plus the ``version`` read."""

    version = _version_field()

    class Meta:
        model = Person
        fields = [*PERSON_FIELDS, "version"]
        validators: list = []


class PersonCreateSerializer(HeadSerializer):
    """A new member of an existing household (given by id, within the caller's change scope)."""

    household = ScopedPrimaryKeyField(model=Household, label="所在户（户的编号 id）")

    class Meta:
        model = Person
        fields = ["household", *PERSON_FIELDS]
        validators: list = []


class HouseholdUpdateSerializer(PlacedInput):
    """PUT/PATCH of a household: its fields plus the ``version`` read. Area and grid are codes."""

    # 帮扶责任人 is the cadre of the open pairing: read here, changed through /api/v1/pairings/ (with history).
    responsible_cadre = serializers.PrimaryKeyRelatedField(read_only=True, label="帮扶责任人（用户编号）")
    other_poverty_causes = PovertyCausesField(required=False, label="其他致贫原因")
    risk_types = RiskTypesField(required=False, label="风险类型(多选)")
    custom = serializers.DictField(
        required=False,
        label="自定义字段",
        help_text="字段代码: 值。只需提交要修改的字段；类型和选项由服务按字段定义检查。",
    )
    version = _version_field()

    class Meta:
        model = Household
        fields = [*HOUSEHOLD_FIELDS, "version"]
        validators: list = []

    def validate_custom(self, value: dict[str, Any]) -> dict[str, Any]:
        """Keys not sent keep their stored values; ``clean_custom_values`` in the service judges the rest."""
        return {**(self.instance.custom if self.instance is not None else {}), **value}


class HouseholdCreateSerializer(HouseholdUpdateSerializer):
    """A new household together with its head (户主); the 户编号 is assigned by the service."""

    version = None
    head = HeadSerializer(label="户主")

    class Meta:
        model = Household
        fields = [*HOUSEHOLD_FIELDS, "head"]
        validators: list = []


class HouseUpdateSerializer(PlacedInput):
    """PUT/PATCH of a house plus the ``version`` read."""

    household = ScopedPrimaryKeyField(model=Household, required=False, allow_null=True, label="所属户（id）")
    version = _version_field()

    class Meta:
        model = House
        fields = [*HOUSE_FIELDS, "version"]
        validators: list = []


class HouseCreateSerializer(HouseUpdateSerializer):
    """A house of a household takes the household's area; a house without one needs ``area``."""

    version = None
    area = AreaCodeField(label="所属区域（区划代码；填写了所属户时可省略）", required=False)

    class Meta:
        model = House
        fields = HOUSE_FIELDS
        validators: list = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("household") and not attrs.get("area"):
            raise ValidationError({"area": [_("请填写所属户或所属区域。")]})
        return attrs


class PlaceUpdateSerializer(PlacedInput):
    """PUT/PATCH of a place plus the ``version`` read."""

    version = _version_field()

    class Meta:
        model = Place
        fields = [*PLACE_FIELDS, "version"]
        validators: list = []


class PlaceCreateSerializer(PlaceUpdateSerializer):
    """A new place; area and grid are codes."""

    version = None

    class Meta:
        model = Place
        fields = PLACE_FIELDS
        validators: list = []


class EconomyInputSerializer(serializers.ModelSerializer):
    """One year's income and expense; a saved year is replaced."""

    population = serializers.IntegerField(min_value=1, required=False, label="家庭人口（默认为户的在世人数）")
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        label="版本号",
        help_text="修改已保存的年度时必填：读取该年度时的 version；新录入的年度不填。他人已先保存则答 409。",
    )

    class Meta:
        model = EconomyYear
        fields = ["year", *ECONOMY_FIELDS, "version"]
        validators: list = []


class PersonMoveSerializer(serializers.Serializer):
    """Where a person moves to, as what, and why."""

    to_household = ScopedPrimaryKeyField(model=Household, label="迁入户（id）")
    relation = serializers.ChoiceField(choices=codes.Relation.choices, label="在新户中与户主关系")
    reason = serializers.CharField(max_length=100, label="迁移原因")
    new_head = ScopedPrimaryKeyField(
        model=Person, required=False, allow_null=True, label="原户新户主（迁出户主时必填，人员 id）"
    )


HEAD_ONLY_FIELDS = frozenset(PERSON_FIELDS) - frozenset(HOUSEHOLD_FIELDS)


def head_errors(error: DjangoValidationError) -> Exception:
    """household_create validates the head through person_add; put the head's field errors under ``head``."""
    if not hasattr(error, "error_dict"):
        return error
    messages = error.message_dict
    head = {k: v for k, v in messages.items() if k in HEAD_ONLY_FIELDS}
    if not head:
        return error
    return ValidationError({**{k: v for k, v in messages.items() if k not in HEAD_ONLY_FIELDS}, "head": head})
