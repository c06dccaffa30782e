"""Houses and places: registered on their own or linked to a household."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from minqing.core import audit
from minqing.core.editing import apply_changes, changeable, check_version, validate
from minqing.core.history import editable_fields

from ..models import House, Household, Place
from ._common import check_area, check_grid, check_move, households_changed

if TYPE_CHECKING:
    from minqing.accounts.models import User


def _record_create(
    model: type[models.Model],
    *,
    actor: User,
    data: dict[str, Any],
    fields: list[str],
    verb: str,
    placed_by_household: bool = False,
):
    if not placed_by_household:  # else the household's change right (checked by the caller) covers its place
        check_area(actor, data.get("area"))
        check_grid(actor, data.get("grid"))
    obj = model(**{k: v for k, v in data.items() if k in fields})
    obj.place_paths()
    validate(obj)
    obj.save()
    if getattr(obj, "household_id", None):  # a house can make its household a 危房户
        households_changed([obj.household_id])
    audit.record(actor=actor, verb=verb, target=obj, household_id=getattr(obj, "household_id", None))
    return obj


def _record_update(
    model: type[models.Model],
    *,
    actor: User,
    obj,
    data: dict[str, Any],
    version: int,
    fields: list[str],
    verb: str,
):
    row = changeable(actor, model, obj)
    check_version(row, version)
    check_move(actor, row, data)
    new_household = data.get("household")
    if new_household is not None and new_household.pk != getattr(row, "household_id", None):
        new_household = changeable(actor, Household, new_household)
        data = {**data, "area": new_household.area, "grid": new_household.grid}
    previous_household_id = getattr(row, "household_id", None)
    changes = apply_changes(row, data, fields, actor=actor)
    if not changes:
        return row
    row.place_paths()
    row.version += 1
    row.save()
    # A house can make its household a 危房户: re-derive the household it left as well as the one it joined.
    touched = {previous_household_id, getattr(row, "household_id", None)} - {None}
    households_changed(sorted(touched))
    audit.record(
        actor=actor, verb=verb, target=row, changes=changes, household_id=getattr(row, "household_id", None)
    )
    return row


HOUSE_FIELDS = editable_fields(House, exclude=("area_path", "grid_path"))
PLACE_FIELDS = editable_fields(Place, exclude=("area_path", "grid_path"))


@transaction.atomic
def house_create(*, actor: User, data: dict[str, Any]) -> House:
    household = data.get("household")
    if household is not None:
        household = changeable(actor, Household, household)
        data = {**data, "area": household.area, "grid": household.grid}
    return _record_create(
        House,
        actor=actor,
        data=data,
        fields=HOUSE_FIELDS,
        verb="registry.house.created",
        placed_by_household=household is not None,
    )


@transaction.atomic
def house_update(*, actor: User, house: House, data: dict[str, Any], version: int) -> House:
    return _record_update(
        House,
        actor=actor,
        obj=house,
        data=data,
        version=version,
        fields=HOUSE_FIELDS,
        verb="registry.house.updated",
    )


@transaction.atomic
def place_create(*, actor: User, data: dict[str, Any]) -> Place:
    return _record_create(Place, actor=actor, data=data, fields=PLACE_FIELDS, verb="registry.place.created")


@transaction.atomic
def place_update(*, actor: User, place: Place, data: dict[str, Any], version: int) -> Place:
    return _record_update(
        Place,
        actor=actor,
        obj=place,
        data=data,
        version=version,
        fields=PLACE_FIELDS,
        verb="registry.place.updated",
    )
