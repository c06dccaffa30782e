"""一户一档 over the API: households, persons, houses and places.

Adapters only: the scoped queryset (``visible_to``), the shared filtersets, the registry services for every
write, and serializers that never output a sensitive value in clear (reveal is an audited action).
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from minqing.accounts.models import User
from minqing.accounts.selectors import assignable_cadres
from minqing.api.viewsets import ScopedModelViewSet
from minqing.areas.models import Area
from minqing.core import codes
from minqing.core.masking import sensitive_reveal

from .filters import HouseFilter, HouseholdFilter, PersonFilter, PlaceFilter
from .models import CustomField, EconomyYear, House, Household, Person, Place
from .services import (
    ECONOMY_FIELDS,
    HOUSE_FIELDS,
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    PLACE_FIELDS,
    economy_save,
    house_create,
    house_update,
    household_create,
    household_update,
    person_add,
    person_move,
    person_update,
    place_create,
    place_update,
)

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


class CadreField(serializers.PrimaryKeyRelatedField):
    """帮扶责任人: active cadres assigned inside the caller's view scope (as on the household form)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=User.objects.none(), **kwargs)

    def get_queryset(self):
        return assignable_cadres(self.context["request"].user)


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": codes.PovertyCause.values}})
class PovertyCausesField(serializers.ListField):
    """其他致贫原因: a list of codes (inline enum: the same code table also names ``main_poverty_cause``)."""

    child = serializers.ChoiceField(choices=codes.PovertyCause.choices)


def masked(field: str, label: str) -> serializers.CharField:
    """A read-only output of the model's ``<field>_masked`` property under the plain field name."""
    return serializers.CharField(source=f"{field}_masked", read_only=True, label=label)


# --------------------------------------------------------------------------------- output serializers


class PlacedOutput(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True, allow_null=True)

    PLACED = ("area", "area_name", "grid", "grid_name")


class PersonListSerializer(PlacedOutput):
    household_number = serializers.CharField(source="household.number", read_only=True)
    relation_display = serializers.CharField(source="get_relation_display", read_only=True)
    sex_display = serializers.CharField(source="get_sex_display", read_only=True)
    id_number = masked("id_number", "公民身份号码（脱敏）")
    phone = masked("phone", "联系方式（脱敏）")

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
    phone = masked("phone", "联系电话（脱敏）")

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
        fields = ["year", *ECONOMY_FIELDS, "transfer_income", "total_income", "net_per_capita", "updated_at"]


class HouseholdListSerializer(PlacedOutput):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    phone = masked("phone", "联系电话（脱敏）")

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

    responsible_cadre = CadreField(required=False, allow_null=True, label="帮扶责任人（用户编号）")
    other_poverty_causes = PovertyCausesField(required=False, label="其他致贫原因")
    custom = serializers.DictField(required=False, label="自定义字段")
    version = _version_field()

    class Meta:
        model = Household
        fields = [*HOUSEHOLD_FIELDS, "version"]
        validators: list = []

    def validate_custom(self, value: dict[str, Any]) -> dict[str, Any]:
        known = set(CustomField.objects.filter(is_active=True).values_list("key", flat=True))
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValidationError(_("未定义的自定义字段：%(keys)s") % {"keys": "、".join(unknown)})
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

    class Meta:
        model = EconomyYear
        fields = ["year", *ECONOMY_FIELDS]
        validators: list = []


class PersonMoveSerializer(serializers.Serializer):
    """Where a person moves to, as what, and why."""

    to_household = ScopedPrimaryKeyField(model=Household, label="迁入户（id）")
    relation = serializers.ChoiceField(choices=codes.Relation.choices, label="在新户中与户主关系")
    reason = serializers.CharField(max_length=100, label="迁移原因")
    new_head = ScopedPrimaryKeyField(
        model=Person, required=False, allow_null=True, label="原户新户主（迁出户主时必填，人员 id）"
    )


def reveal_serializer(model: type) -> type[serializers.Serializer]:
    """``{"field": ...}`` limited to the model's sensitive fields."""
    return _reveal_serializer(tuple(sorted(model.SENSITIVE)))


@functools.cache
def _reveal_serializer(choices: tuple[str, ...]) -> type[serializers.Serializer]:
    # One class (and schema component) per choice set, e.g. PhoneRevealRequest for households and places.
    name = "".join(part.title() for choice in choices for part in choice.split("_"))
    field = serializers.ChoiceField(choices=choices, label="要查看的字段")
    return type(f"{name}RevealRequestSerializer", (serializers.Serializer,), {"field": field})


class RevealResponseSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(help_text="字段 → 错误列表；新户的户主错误嵌套在 head 下")


class ChangeEventSerializer(serializers.Serializer):
    actor_name = serializers.CharField()
    at = serializers.DateTimeField()
    changes = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    current_version = serializers.IntegerField()
    changes = ChangeEventSerializer(many=True)


# ------------------------------------------------------------------------------------------- helpers


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


def _write_schema(request_create, request_update, response) -> Any:
    errors = {400: OpenApiResponse(ErrorSerializer, description="输入有误（字段错误在 errors 中）")}
    conflict = {409: OpenApiResponse(ConflictSerializer, description="记录已被他人修改（版本冲突）")}
    return extend_schema_view(
        create=extend_schema(request=request_create, responses={201: response, **errors}),
        update=extend_schema(request=request_update, responses={200: response, **errors, **conflict}),
        partial_update=extend_schema(request=request_update, responses={200: response, **errors, **conflict}),
    )


# ------------------------------------------------------------------------------------------ viewsets


class RegistryViewSet(ScopedModelViewSet):
    """Lists and details read through the view scope; create/update call a service, never ``save()``."""

    lookup_value_regex = r"\d+"
    list_serializer_class: type[serializers.Serializer]
    create_serializer_class: type[serializers.Serializer]
    update_serializer_class: type[serializers.Serializer]
    ordering: tuple[str, ...] = ()
    list_related: tuple[str, ...] = ("area", "grid")

    def get_queryset(self):
        return super().get_queryset().select_related(*self.list_related).order_by(*self.ordering)

    def scoped_action(self) -> str:
        # Revealing is a read of a viewable row; sensitive_reveal itself checks the "reveal" scope.
        return self.read_action if self.action == "reveal" else super().scoped_action()

    def get_serializer_class(self):
        return {
            "list": self.list_serializer_class,
            "create": self.create_serializer_class,
            "update": self.update_serializer_class,
            "partial_update": self.update_serializer_class,
        }.get(self.action, self.serializer_class)

    def output(self, obj, **kwargs: Any) -> Response:
        return Response(self.serializer_class(obj, context=self.get_serializer_context()).data, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.service_create(dict(serializer.validated_data))
        return self.output(obj, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, partial: bool = False, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        # A stale version raises ConcurrentEditError: the shared handler answers 409 with the other changes.
        return self.output(self.service_update(instance, data, version))

    def reveal_value(self, request: Request) -> Response:
        obj = self.get_object()
        serializer = reveal_serializer(type(obj))(data=request.data)
        serializer.is_valid(raise_exception=True)
        field = serializer.validated_data["field"]
        value = sensitive_reveal(actor=request.user, obj=obj, field=field)
        return Response({"field": field, "value": value}, headers={"Cache-Control": "no-store"})

    def service_create(self, data: dict[str, Any]):
        raise NotImplementedError

    def service_update(self, instance, data: dict[str, Any], version: int):
        raise NotImplementedError


def _reveal_schema(model: type) -> Any:
    return extend_schema(
        request=reveal_serializer(model),
        responses={200: RevealResponseSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="查看脱敏字段的原值（记入审计日志）",
    )


MEMBERS = Prefetch("members", queryset=Person.objects.select_related("household", "area", "grid"))
HOUSES = Prefetch("houses", queryset=House.objects.select_related("household", "area", "grid"))


@_write_schema(HouseholdCreateSerializer, HouseholdUpdateSerializer, HouseholdDetailSerializer)
class HouseholdViewSet(RegistryViewSet):
    """户 (一户一档). ``?q=`` finds by head name, household number, ID number or phone; ``?area=`` by code prefix.

    POST creates the household together with its ``head``; PUT/PATCH need the ``version`` read.
    """

    queryset = Household.objects.all()
    serializer_class = HouseholdDetailSerializer
    list_serializer_class = HouseholdListSerializer
    create_serializer_class = HouseholdCreateSerializer
    update_serializer_class = HouseholdUpdateSerializer
    filterset_class = HouseholdFilter
    ordering = ("area_path", "number")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.select_related("responsible_cadre").prefetch_related(
                MEMBERS, HOUSES, "economy"
            )
        return queryset

    def output(self, obj, **kwargs: Any) -> Response:
        prefetch_related_objects([obj], MEMBERS, HOUSES, "economy")
        return super().output(obj, **kwargs)

    def service_create(self, data: dict[str, Any]) -> Household:
        head = data.pop("head")
        try:
            return household_create(actor=self.request.user, data=data, head=head)
        except DjangoValidationError as error:
            raise head_errors(error) from None

    def service_update(self, instance: Household, data: dict[str, Any], version: int) -> Household:
        return household_update(actor=self.request.user, household=instance, data=data, version=version)

    @_reveal_schema(Household)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """Return one sensitive value in clear for a role that may reveal it; audited."""
        return self.reveal_value(request)

    @extend_schema(
        request=EconomyInputSerializer, responses={200: EconomyYearSerializer, 400: ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def economy(self, request: Request, pk: str | None = None) -> Response:
        """Create or replace one year's income and expense; 年人均纯收入 is computed."""
        household = self.get_object()
        serializer = EconomyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        year = data.pop("year")
        row = economy_save(actor=request.user, household=household, year=year, data=data)
        return Response(EconomyYearSerializer(row).data)


@_write_schema(PersonCreateSerializer, PersonUpdateSerializer, PersonDetailSerializer)
class PersonViewSet(RegistryViewSet):
    """人员. POST adds a member to an existing ``household`` (id); ``move`` moves one to another household."""

    queryset = Person.objects.all()
    serializer_class = PersonDetailSerializer
    list_serializer_class = PersonListSerializer
    create_serializer_class = PersonCreateSerializer
    update_serializer_class = PersonUpdateSerializer
    filterset_class = PersonFilter
    ordering = ("household_id", "relation", "birth_date", "id")
    list_related = ("household", "area", "grid")

    def service_create(self, data: dict[str, Any]) -> Person:
        household = data.pop("household")
        return person_add(actor=self.request.user, household=household, data=data)

    def service_update(self, instance: Person, data: dict[str, Any], version: int) -> Person:
        return person_update(actor=self.request.user, person=instance, data=data, version=version)

    @_reveal_schema(Person)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """Return one sensitive value (ID number or phone) in clear for a role that may reveal it; audited."""
        return self.reveal_value(request)

    @extend_schema(
        request=PersonMoveSerializer, responses={200: PersonDetailSerializer, 400: ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move the person to another household (分户, 婚嫁, 迁入); a head needs ``new_head`` for the old one."""
        person = self.get_object()
        serializer = PersonMoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        moved = person_move(actor=request.user, person=person, **serializer.validated_data)
        return self.output(moved)


@_write_schema(HouseCreateSerializer, HouseUpdateSerializer, HouseSerializer)
class HouseViewSet(RegistryViewSet):
    """房屋. A house created with a ``household`` takes that household's area and grid."""

    queryset = House.objects.all()
    serializer_class = HouseSerializer
    list_serializer_class = HouseSerializer
    create_serializer_class = HouseCreateSerializer
    update_serializer_class = HouseUpdateSerializer
    filterset_class = HouseFilter
    ordering = ("area_path", "address", "id")
    list_related = ("household", "area", "grid")

    def service_create(self, data: dict[str, Any]) -> House:
        return house_create(actor=self.request.user, data=data)

    def service_update(self, instance: House, data: dict[str, Any], version: int) -> House:
        return house_update(actor=self.request.user, house=instance, data=data, version=version)


@_write_schema(PlaceCreateSerializer, PlaceUpdateSerializer, PlaceSerializer)
class PlaceViewSet(RegistryViewSet):
    """场所 (shops, schools, clinics …) with their hidden dangers; the phone is masked."""

    queryset = Place.objects.all()
    serializer_class = PlaceSerializer
    list_serializer_class = PlaceSerializer
    create_serializer_class = PlaceCreateSerializer
    update_serializer_class = PlaceUpdateSerializer
    filterset_class = PlaceFilter
    ordering = ("area_path", "name", "id")

    def service_create(self, data: dict[str, Any]) -> Place:
        return place_create(actor=self.request.user, data=data)

    def service_update(self, instance: Place, data: dict[str, Any], version: int) -> Place:
        return place_update(actor=self.request.user, place=instance, data=data, version=version)

    @_reveal_schema(Place)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """Return the phone in clear for a role that may reveal it; audited."""
        return self.reveal_value(request)
