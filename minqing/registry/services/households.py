"""Households: create with a head, update (moves take members, houses and files along), split (分户)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from minqing.areas.models import Area
from minqing.core import audit
from minqing.core.editing import apply_changes, changeable, check_version, validate
from minqing.core.history import editable_fields

from ..models import EconomyYear, Household, Person, clean_custom_values
from ._common import HEAD, check_area, check_grid, check_move, households_changed
from .persons import person_add, person_move

if TYPE_CHECKING:
    from minqing.accounts.models import User


def next_household_number(area: Area) -> str:
    """户编号: village code + 4-digit sequence within the village."""
    village = area.code[:12]
    last = Household.objects.filter(number__startswith=village, number__regex=r"^\d{16}$").aggregate(
        m=Max("number")
    )["m"]
    seq = int(last[12:]) + 1 if last else 1
    return f"{village}{seq:04d}"


HOUSEHOLD_FIELDS = editable_fields(
    Household, exclude=("number", "head_name", "member_count", "area_path", "grid_path")
)


def check_cadre(row: Household | None, data: dict[str, Any]) -> None:
    """帮扶责任人 is the cadre of the household's open pairing: the assistance app's pairing service alone sets
    it (a focused update, with the pairing history); household edits leave it as it is."""
    if "responsible_cadre" in data and data["responsible_cadre"] != (row.responsible_cadre if row else None):
        raise ValidationError(
            {"responsible_cadre": _("帮扶责任人请在“结对帮扶”中结对或解除，不在户档案中直接修改。")}
        )


@transaction.atomic
def household_create(*, actor: User, data: dict[str, Any], head: dict[str, Any]) -> Household:
    """Create a household together with its head (a household never exists without one)."""
    area, grid = data.get("area"), data.get("grid")
    check_area(actor, area)
    check_grid(actor, grid)
    check_cadre(None, data)
    household = Household(**{k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS})
    household.custom = clean_custom_values(household.custom)
    household.number = next_household_number(area)
    household.place_paths()
    validate(household, exclude=["head_name"])
    household.save()
    audit.record(actor=actor, verb="registry.household.created", target=household, household_id=household.pk)
    person_add(actor=actor, household=household, data={**head, "relation": HEAD})
    household.refresh_from_db()
    return household


@transaction.atomic
def household_update(*, actor: User, household: Household, data: dict[str, Any], version: int) -> Household:
    """Save changes unless someone else saved first (optimistic locking); record each changed field."""
    row = changeable(actor, Household, household)
    check_version(row, version)
    check_move(actor, row, data)
    check_cadre(row, data)
    if "custom" in data:  # values already stored are kept as they are (see clean_custom_values)
        data = {**data, "custom": clean_custom_values(data["custom"], previous=row.custom)}
    changes = apply_changes(row, data, HOUSEHOLD_FIELDS, actor=actor)
    if not changes:
        return row
    moved = row.area_path != row.area.code or row.grid_path != (row.grid.code if row.grid_id else "")
    row.place_paths()
    row.version += 1
    row.save()
    if moved:  # members and houses follow the household
        row.members.update(area=row.area, area_path=row.area_path, grid=row.grid, grid_path=row.grid_path)
        row.houses.update(area=row.area, area_path=row.area_path, grid=row.grid, grid_path=row.grid_path)
        EconomyYear.objects.filter(household=row).update(area_path=row.area_path)
        row.attachments.update(area_path=row.area_path, grid_path=row.grid_path)
    households_changed([row.pk])
    audit.record(
        actor=actor, verb="registry.household.updated", target=row, changes=changes, household_id=row.pk
    )
    return row


@transaction.atomic
def household_split(
    *, actor: User, household: Household, head: Person, members: list[Person], address: str
) -> Household:
    """分户: ``head`` and ``members`` leave ``household`` and form a new one in the same area."""
    source = changeable(actor, Household, household)
    movers = [head, *members]
    if any(p.household_id != source.pk for p in movers):
        raise ValidationError(_("分户的人员必须都属于原户。"))
    if any(p.deceased for p in movers):
        raise ValidationError(_("已故人员不能分户，请从分户名单中去掉。"))
    if source.members.exclude(pk__in=[p.pk for p in movers]).count() == 0:
        raise ValidationError(_("分户后原户不能没有成员；如整户迁移请修改户的住址或区域。"))
    if head.relation == HEAD:
        raise ValidationError({"head": _("原户主不能分出；请先指定原户的新户主。")})
    new = Household(
        area=source.area,
        grid=source.grid,
        address=address or source.address,
        household_type=source.household_type,
    )
    new.number = next_household_number(source.area)
    new.place_paths()
    validate(new, exclude=["head_name"])
    new.save()
    audit.record(
        actor=actor,
        verb="registry.household.created",
        target=new,
        household_id=new.pk,
        changes={_("分户自"): ["", source.number]},
    )
    person_move(actor=actor, person=head, to_household=new, relation=HEAD, reason=_("分户"))
    for member in members:
        person_move(actor=actor, person=member, to_household=new, relation=member.relation, reason=_("分户"))
    new.refresh_from_db()
    return new
