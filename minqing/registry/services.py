"""Every write to the registry: scoped, validated like user input, audited field by field, optimistic-locked.

Services take the acting user and plain data, never a request. They raise ``ValidationError`` with
Chinese messages keyed by field, ``PermissionDenied`` or ``Http404`` (out of scope looks like absent).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.areas.models import Area
from minqing.core import audit, codes
from minqing.core.history import diff, editable_fields, snapshot
from minqing.core.idnumber import IdNumberError, normalize_id_number
from minqing.core.models import AuditEvent
from minqing.tags.services import refresh_households

from .models import EconomyYear, House, Household, Person, Place

HEAD = codes.Relation.HEAD


class ConcurrentEditError(ValidationError):
    """Someone saved the record after this user opened it. ``changes`` lists what they changed."""

    def __init__(self, *, record, events: list[AuditEvent]):
        self.record = record
        self.events = events
        names = "、".join(sorted({e.actor_name or _("系统") for e in events})) or _("其他用户")
        super().__init__(
            _(
                "%(names)s 在您打开此页面后修改了这条记录。为避免覆盖他人的修改，本次没有保存；请查看对方的改动后重新填写。"
            )
            % {"names": names},
            code="concurrent_edit",
        )


def _check_area(actor, area: Area | None, *, field: str = "area") -> None:
    if area is None or not Area.objects.visible_to(actor, "change").filter(pk=area.pk).exists():
        raise ValidationError({field: _("该区域不在您的管辖范围内。")})


def _check_grid(actor, grid: Area | None) -> None:
    if grid is not None and not Area.objects.visible_to(actor, "view").filter(pk=grid.pk).exists():
        raise ValidationError({"grid": _("该网格不在您的管辖范围内。")})


def _changeable(actor, model, obj):
    """Re-read ``obj`` through the actor's change scope, locked for the transaction."""
    if not model.objects.visible_to(actor, "view").filter(pk=obj.pk).exists():
        raise Http404
    row = model.objects.visible_to(actor, "change").select_for_update().filter(pk=obj.pk).first()
    if row is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("您的角色不能修改这条记录。"))
    return row


def _history_since(obj, version: int) -> list[AuditEvent]:
    behind = obj.version - version
    events = AuditEvent.objects.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk)).order_by(
        "-at", "-id"
    )
    return list(events[: max(behind, 0)])


def _apply(obj, data: dict[str, Any], fields: list[str]) -> dict[str, list[str]]:
    before = snapshot(obj, fields)
    for name, value in data.items():
        if name in fields:
            setattr(obj, name, value)
    obj.full_clean(exclude=[f.name for f in obj._meta.fields if f.name not in fields and f.name not in data])
    return diff(obj, before)


# ---------------------------------------------------------------------------------------------- IDs


def id_number_check_unique(*, actor, id_number: str, exclude_pk: int | None = None) -> None:
    """One ID number is one person in the whole database.

    The error links the existing person when the actor may see them; otherwise it names only the township.
    """
    existing = (
        Person.objects.filter(id_number=id_number).exclude(pk=exclude_pk).select_related("household").first()
    )
    if existing is None:
        return
    if Person.objects.visible_to(actor, "view").filter(pk=existing.pk).exists():
        raise ValidationError(
            {
                "id_number": _(
                    "该身份证号已登记为 %(name)s（户编号 %(number)s），请勿重复登记；如需迁入请使用“迁移人员”。"
                )
                % {"name": existing.name, "number": existing.household.number}
            },
            code="duplicate_visible",
            params={"person_id": existing.pk},
        )
    township = Area.objects.filter(code=existing.area_path[:9]).first()
    raise ValidationError(
        {
            "id_number": _(
                "该身份证号已在%(township)s登记，不能重复登记。如该人员已迁入本地，请联系原所在地办理迁出。"
            )
            % {"township": township.name if township else _("其他地区")}
        },
        code="duplicate_elsewhere",
    )


def _normalized_id(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return normalize_id_number(raw)
    except IdNumberError as error:
        raise ValidationError({error.field: error.message}, code=error.code) from None


# --------------------------------------------------------------------------------------- households


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
PERSON_FIELDS = editable_fields(
    Person, exclude=("household", "area", "grid", "area_path", "grid_path", "name_initials")
)


@transaction.atomic
def household_create(*, actor, data: dict[str, Any], head: dict[str, Any]) -> Household:
    """Create a household together with its head (a household never exists without one)."""
    area, grid = data.get("area"), data.get("grid")
    _check_area(actor, area)
    _check_grid(actor, grid)
    household = Household(**{k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS})
    household.number = next_household_number(area)
    household.place_paths()
    household.full_clean(exclude=["head_name"])
    household.save()
    audit.record(actor=actor, verb="registry.household.created", target=household, household_id=household.pk)
    person_add(actor=actor, household=household, data={**head, "relation": HEAD})
    household.refresh_from_db()
    return household


@transaction.atomic
def household_update(*, actor, household: Household, data: dict[str, Any], version: int) -> Household:
    """Save changes unless someone else saved first (optimistic locking); record each changed field."""
    row = _changeable(actor, Household, household)
    if row.version != version:
        raise ConcurrentEditError(record=row, events=_history_since(row, version))
    if "area" in data and data["area"] != row.area:
        _check_area(actor, data["area"])
    if "grid" in data and data["grid"] != row.grid:
        _check_grid(actor, data["grid"])
    changes = _apply(row, data, HOUSEHOLD_FIELDS)
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
    refresh_households([row.pk])
    audit.record(
        actor=actor, verb="registry.household.updated", target=row, changes=changes, household_id=row.pk
    )
    return row


def _refresh_household_summary(household: Household) -> None:
    members = household.members.filter(deceased=False)
    head = household.members.filter(relation=HEAD).first()
    Household.objects.filter(pk=household.pk).update(
        member_count=members.count(), head_name=head.name if head else "", updated_at=timezone.now()
    )


# ------------------------------------------------------------------------------------------ persons


def _name_initials(name: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()[:50]


def _check_head_rule(household: Household, person: Person) -> None:
    if person.relation == HEAD and household.members.filter(relation=HEAD).exclude(pk=person.pk).exists():
        raise ValidationError({"relation": _("这户已经有户主了，一户只能有一位户主。请先修改原户主的关系。")})


@transaction.atomic
def person_add(*, actor, household: Household, data: dict[str, Any]) -> Person:
    household = _changeable(actor, Household, household)
    person = Person(**{k: v for k, v in data.items() if k in PERSON_FIELDS})
    person.id_number = _normalized_id(person.id_number)
    person.household, person.area, person.grid = household, household.area, household.grid
    person.place_paths()
    person.name_initials = _name_initials(person.name)
    if person.id_number:
        id_number_check_unique(actor=actor, id_number=person.id_number)
    _check_head_rule(household, person)
    person.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # a concurrent insert of the same ID number or head
        raise ValidationError({"id_number": _("保存时发现重复的身份证号或户主，请刷新后重试。")}) from None
    _refresh_household_summary(household)
    refresh_households([household.pk])
    audit.record(
        actor=actor,
        verb="registry.person.added",
        target=person,
        household_id=household.pk,
        changes={_("姓名"): ["", person.name], _("与户主关系"): ["", person.get_relation_display()]},
    )
    return person


@transaction.atomic
def person_update(*, actor, person: Person, data: dict[str, Any], version: int) -> Person:
    row = _changeable(actor, Person, person)
    if row.version != version:
        raise ConcurrentEditError(record=row, events=_history_since(row, version))
    if "id_number" in data:
        data = {**data, "id_number": _normalized_id(data["id_number"])}
        if data["id_number"] and data["id_number"] != row.id_number:
            id_number_check_unique(actor=actor, id_number=data["id_number"], exclude_pk=row.pk)
    changes = _apply(row, data, PERSON_FIELDS)
    _check_head_rule(row.household, row)
    if not changes:
        return row
    row.name_initials = _name_initials(row.name)
    row.version += 1
    row.save()
    _refresh_household_summary(row.household)
    refresh_households([row.household_id])
    audit.record(
        actor=actor,
        verb="registry.person.updated",
        target=row,
        changes=changes,
        household_id=row.household_id,
    )
    return row


@transaction.atomic
def person_move(
    *,
    actor,
    person: Person,
    to_household: Household,
    relation: str,
    reason: str,
    new_head: Person | None = None,
) -> Person:
    """Move a person to another household (分户, 迁入, 婚嫁), keeping history on both files.

    Moving a head requires naming the old household's new head, unless the old household becomes empty.
    """
    row = _changeable(actor, Person, person)
    target = _changeable(actor, Household, to_household)
    source = row.household
    if target.pk == source.pk:
        raise ValidationError({"to_household": _("目标户与当前户相同。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写迁移原因（如分户、婚嫁、迁入）。")})
    remaining = source.members.exclude(pk=row.pk)
    promote = None
    if row.relation == HEAD and remaining.exists():
        if new_head is None or new_head.household_id != source.pk or new_head.pk == row.pk:
            raise ValidationError({"new_head": _("该人员是户主，迁出前请在原户中指定新户主。")})
        promote = new_head
    row.household, row.area, row.grid, row.relation = target, target.area, target.grid, relation
    row.place_paths()
    _check_head_rule(target, row)
    row.version += 1
    row.save()
    if promote is not None:  # only after the old head has left, so the one-head rule holds throughout
        Person.objects.filter(pk=promote.pk).update(relation=HEAD, version=promote.version + 1)
        audit.record(
            actor=actor,
            verb="registry.person.updated",
            target=promote,
            household_id=source.pk,
            changes={_("与户主关系"): [promote.get_relation_display(), codes.Relation(HEAD).label]},
        )
    for household in (source, target):
        _refresh_household_summary(household)
    refresh_households([source.pk, target.pk])
    change = {_("所在户"): [source.number, target.number], _("原因"): ["", reason]}
    audit.record(
        actor=actor, verb="registry.person.moved_out", target=row, household_id=source.pk, changes=change
    )
    audit.record(
        actor=actor, verb="registry.person.moved_in", target=row, household_id=target.pk, changes=change
    )
    if not remaining.exists():
        Household.objects.filter(pk=source.pk).update(status=codes.HouseholdStatus.CANCELLED)
        audit.record(
            actor=actor,
            verb="registry.household.updated",
            target=source,
            household_id=source.pk,
            changes={
                _("户状态"): [codes.HouseholdStatus.NORMAL.label, codes.HouseholdStatus.CANCELLED.label]
            },
        )
    return row


@transaction.atomic
def household_split(
    *, actor, household: Household, head: Person, members: list[Person], address: str
) -> Household:
    """分户: ``head`` and ``members`` leave ``household`` and form a new one in the same area."""
    source = _changeable(actor, Household, household)
    movers = [head, *members]
    if any(p.household_id != source.pk for p in movers):
        raise ValidationError(_("分户的人员必须都属于原户。"))
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
    new.full_clean(exclude=["head_name"])
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


# ------------------------------------------------------------------------------------ houses, places


def _record_create(model, *, actor, data: dict[str, Any], fields: list[str], verb: str):
    _check_area(actor, data.get("area"))
    _check_grid(actor, data.get("grid"))
    obj = model(**{k: v for k, v in data.items() if k in fields})
    obj.place_paths()
    obj.full_clean()
    obj.save()
    if getattr(obj, "household_id", None):  # a house can make its household a 危房户
        refresh_households([obj.household_id])
    audit.record(actor=actor, verb=verb, target=obj, household_id=getattr(obj, "household_id", None))
    return obj


def _record_update(model, *, actor, obj, data: dict[str, Any], version: int, fields: list[str], verb: str):
    row = _changeable(actor, model, obj)
    if row.version != version:
        raise ConcurrentEditError(record=row, events=_history_since(row, version))
    if "area" in data and data["area"] != row.area:
        _check_area(actor, data["area"])
    if "grid" in data and data["grid"] != row.grid:
        _check_grid(actor, data["grid"])
    new_household = data.get("household")
    if new_household is not None and new_household.pk != getattr(row, "household_id", None):
        new_household = _changeable(actor, Household, new_household)
        data = {**data, "area": new_household.area, "grid": new_household.grid}
    previous_household_id = getattr(row, "household_id", None)
    changes = _apply(row, data, fields)
    if not changes:
        return row
    row.place_paths()
    row.version += 1
    row.save()
    # A house can make its household a 危房户: re-derive the household it left as well as the one it joined.
    touched = {previous_household_id, getattr(row, "household_id", None)} - {None}
    refresh_households(sorted(touched))
    audit.record(
        actor=actor, verb=verb, target=row, changes=changes, household_id=getattr(row, "household_id", None)
    )
    return row


HOUSE_FIELDS = editable_fields(House, exclude=("area_path", "grid_path"))
PLACE_FIELDS = editable_fields(Place, exclude=("area_path", "grid_path"))


@transaction.atomic
def house_create(*, actor, data: dict[str, Any]) -> House:
    household = data.get("household")
    if household is not None:
        household = _changeable(actor, Household, household)
        data = {**data, "area": household.area, "grid": household.grid}
    return _record_create(House, actor=actor, data=data, fields=HOUSE_FIELDS, verb="registry.house.created")


@transaction.atomic
def house_update(*, actor, house: House, data: dict[str, Any], version: int) -> House:
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
def place_create(*, actor, data: dict[str, Any]) -> Place:
    return _record_create(Place, actor=actor, data=data, fields=PLACE_FIELDS, verb="registry.place.created")


@transaction.atomic
def place_update(*, actor, place: Place, data: dict[str, Any], version: int) -> Place:
    return _record_update(
        Place,
        actor=actor,
        obj=place,
        data=data,
        version=version,
        fields=PLACE_FIELDS,
        verb="registry.place.updated",
    )


# ------------------------------------------------------------------------------------------ economy

ECONOMY_FIELDS = [*EconomyYear.INCOME_FIELDS, *EconomyYear.TRANSFER_FIELDS, "business_expense", "population"]


@transaction.atomic
def economy_save(*, actor, household: Household, year: int, data: dict[str, Any]) -> EconomyYear:
    """Create or replace one year's income and expense; 年人均纯收入 is computed, never typed."""
    household = _changeable(actor, Household, household)
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError({"year": _("年度应在2000年到今年之间。")})
    row = EconomyYear.objects.select_for_update().filter(household=household, year=year).first()
    created = row is None
    if created:
        row = EconomyYear(
            household=household,
            year=year,
            area_path=household.area_path,
            population=max(household.member_count, 1),
        )
    before = snapshot(row, ECONOMY_FIELDS)
    for name in ECONOMY_FIELDS:
        if name in data and data[name] is not None:
            setattr(row, name, data[name])
    row.compute()
    row.full_clean(exclude=["household", "net_per_capita"], validate_unique=False)
    row.save()
    changes = diff(row, before) if not created else {_("年度"): ["", str(year)]}
    audit.record(
        actor=actor,
        verb="registry.economy.saved",
        target=household,
        household_id=household.pk,
        changes=changes,
        label=f"{household} {year}",
    )
    return row
