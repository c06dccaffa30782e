"""一户一档 over the API: households, persons, houses and places.

Adapters only: the scoped queryset (``visible_to``), the shared filtersets, the registry services for every
write, and serializers that never output a sensitive value in clear (reveal is an audited action).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from minqing.api.schema import ConflictSerializer, ErrorSerializer, reveal_schema, write_schema
from minqing.api.viewsets import ServiceModelViewSet

from .filters import HouseFilter, HouseholdFilter, PersonFilter, PlaceFilter
from .models import House, Household, Person, Place
from .serializers import (
    EconomyInputSerializer,
    EconomyYearSerializer,
    HouseCreateSerializer,
    HouseholdCreateSerializer,
    HouseholdDetailSerializer,
    HouseholdListSerializer,
    HouseholdUpdateSerializer,
    HouseSerializer,
    HouseUpdateSerializer,
    PersonCreateSerializer,
    PersonDetailSerializer,
    PersonListSerializer,
    PersonMoveSerializer,
    PersonUpdateSerializer,
    PlaceCreateSerializer,
    PlaceSerializer,
    PlaceUpdateSerializer,
    head_errors,
)
from .services import (
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


class RegistryViewSet(ServiceModelViewSet):
    lookup_value_regex = r"\d+"
    list_related: tuple[str, ...] = ("area", "grid")


MEMBERS = Prefetch("members", queryset=Person.objects.select_related("household", "area", "grid"))
HOUSES = Prefetch("houses", queryset=House.objects.select_related("household", "area", "grid"))


@write_schema(HouseholdCreateSerializer, HouseholdUpdateSerializer, HouseholdDetailSerializer)
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

    @reveal_schema(Household)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """Return one sensitive value in clear for a role that may reveal it; audited."""
        return self.reveal_value(request)

    @extend_schema(
        request=EconomyInputSerializer,
        responses={200: EconomyYearSerializer, 400: ErrorSerializer, 409: ConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def economy(self, request: Request, pk: str | None = None) -> Response:
        """Create or replace one year's income and expense; 年人均纯收入 is computed.

        Replacing a saved year needs the ``version`` read; a stale or missing one answers 409.
        """
        household = self.get_object()
        serializer = EconomyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        year, version = data.pop("year"), data.pop("version", None)
        row = economy_save(actor=request.user, household=household, year=year, data=data, version=version)
        return Response(EconomyYearSerializer(row).data)


@write_schema(PersonCreateSerializer, PersonUpdateSerializer, PersonDetailSerializer)
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

    def may_create(self, request: Request) -> bool:
        # A stationed cadre adds members to the households paired with them (``models.paired``), as on the
        # member page: the ``household`` field offers only households in the caller's change scope.
        return super().may_create(request) or Household.objects.visible_to(request.user, "change").exists()

    def service_create(self, data: dict[str, Any]) -> Person:
        household = data.pop("household")
        return person_add(actor=self.request.user, household=household, data=data)

    def service_update(self, instance: Person, data: dict[str, Any], version: int) -> Person:
        return person_update(actor=self.request.user, person=instance, data=data, version=version)

    @reveal_schema(Person)
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


@write_schema(HouseCreateSerializer, HouseUpdateSerializer, HouseSerializer)
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

    def may_create(self, request: Request) -> bool:
        # A paired cadre adds houses to the households paired with them, as on the house page; the service
        # checks the household's change right and places the house where the household is.
        return super().may_create(request) or Household.objects.visible_to(request.user, "change").exists()

    def service_create(self, data: dict[str, Any]) -> House:
        return house_create(actor=self.request.user, data=data)

    def service_update(self, instance: House, data: dict[str, Any], version: int) -> House:
        return house_update(actor=self.request.user, house=instance, data=data, version=version)


@write_schema(PlaceCreateSerializer, PlaceUpdateSerializer, PlaceSerializer)
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

    @reveal_schema(Place)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """Return the phone in clear for a role that may reveal it; audited."""
        return self.reveal_value(request)
