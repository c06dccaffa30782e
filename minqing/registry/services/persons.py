"""Members of a household: add, update, move between households (分户, 迁入, 婚嫁)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core import audit, codes
from minqing.core.editing import apply_changes, changeable, check_version, validate
from minqing.core.history import editable_fields

from ..models import Household, Person
from ..models.rules import head_errors
from ._common import HEAD, households_changed
from .ids import id_number_check_unique, normalized_id

if TYPE_CHECKING:
    from minqing.accounts.models import User

MOVE_REASON_MAX = 100  # the form and the API say the same

PERSON_FIELDS = editable_fields(
    Person, exclude=("household", "area", "grid", "area_path", "grid_path", "name_initials")
)


def refresh_household_summary(household: Household) -> None:
    members = household.members.filter(deceased=False)
    head = household.members.filter(relation=HEAD).first()
    Household.objects.filter(pk=household.pk).update(
        member_count=members.count(), head_name=head.name if head else "", updated_at=timezone.now()
    )


def _name_initials(name: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()[:50]


def _check_head_rule(household: Household, person: Person) -> None:
    if person.relation == HEAD and household.members.filter(relation=HEAD).exclude(pk=person.pk).exists():
        raise ValidationError({"relation": _("这户已经有户主了，一户只能有一位户主。请先修改原户主的关系。")})


def _check_parents(actor: User, person: Person, before: dict[str, int | None] | None = None) -> None:
    """父亲/母亲: persons the actor may view (the form and the API offer no others).

    A link kept as it was (``before``) stays even when its person lies outside this actor's scope.
    """
    before = before or {}
    wanted = {
        f: pk for f in ("father", "mother") if (pk := getattr(person, f"{f}_id")) and pk != before.get(f)
    }
    visible = set(
        Person.objects.visible_to(actor, "view").filter(pk__in=wanted.values()).values_list("pk", flat=True)
    )
    errors = {
        field: _("所选人员不存在，或不在您的管辖范围内。")
        for field, pk in wanted.items()
        if pk not in visible
    }
    if errors:
        raise ValidationError(errors)


def _check_head_identity(person: Person, field: str = "relation") -> None:
    """A person becoming head (moved in as head, promoted) must carry an ID or a reason and a known sex."""
    if errors := head_errors(person):
        raise ValidationError(
            {field: _("%(name)s：%(problems)s") % {"name": person.name, "problems": "".join(errors.values())}}
        )


@transaction.atomic
def person_add(*, actor: User, household: Household, data: dict[str, Any]) -> Person:
    household = changeable(actor, Household, household)
    person = Person(**{k: v for k, v in data.items() if k in PERSON_FIELDS})
    person.id_number = normalized_id(person.id_number)
    person.household, person.area, person.grid = household, household.area, household.grid
    person.place_paths()
    person.name_initials = _name_initials(person.name)
    if person.id_number:
        id_number_check_unique(actor=actor, id_number=person.id_number)
    _check_head_rule(household, person)
    _check_parents(actor, person)
    validate(person, validate_unique=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # a concurrent insert of the same ID number or head
        raise ValidationError({"id_number": _("保存时发现重复的身份证号或户主，请刷新后重试。")}) from None
    refresh_household_summary(household)
    households_changed([household.pk])
    audit.record(
        actor=actor,
        verb="registry.person.added",
        target=person,
        household_id=household.pk,
        changes={_("姓名"): ["", person.name], _("与户主关系"): ["", person.get_relation_display()]},
    )
    return person


@transaction.atomic
def person_update(*, actor: User, person: Person, data: dict[str, Any], version: int) -> Person:
    row = changeable(actor, Person, person)
    check_version(row, version)
    if "id_number" in data:
        data = {**data, "id_number": normalized_id(data["id_number"])}
        if data["id_number"] and data["id_number"] != row.id_number:
            id_number_check_unique(actor=actor, id_number=data["id_number"], exclude_pk=row.pk)
    parents_before = {"father": row.father_id, "mother": row.mother_id}
    changes = apply_changes(row, data, PERSON_FIELDS, actor=actor)
    _check_head_rule(row.household, row)
    _check_parents(actor, row, parents_before)
    if not changes:
        return row
    row.name_initials = _name_initials(row.name)
    row.version += 1
    row.save()
    refresh_household_summary(row.household)
    households_changed([row.household_id])
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
    actor: User,
    person: Person,
    to_household: Household,
    relation: str,
    reason: str,
    new_head: Person | None = None,
) -> Person:
    """Move a person to another household (分户, 迁入, 婚嫁), keeping history on both files.

    Moving a head requires naming the old household's new head, unless the old household becomes empty.
    """
    row = changeable(actor, Person, person)
    target = changeable(actor, Household, to_household)
    source = row.household
    if target.pk == source.pk:
        raise ValidationError({"to_household": _("目标户与当前户相同。")})
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("请填写迁移原因（如分户、婚嫁、迁入）。")})
    if len(reason) > MOVE_REASON_MAX:
        raise ValidationError({"reason": _("迁移原因请控制在100个字以内。")})
    if relation not in codes.Relation.values:
        raise ValidationError({"relation": _("请选择在新户中与户主的关系。")})
    remaining = source.members.exclude(pk=row.pk)
    promote = None
    if row.relation == HEAD and remaining.exists():
        if new_head is None or new_head.household_id != source.pk or new_head.pk == row.pk:
            raise ValidationError({"new_head": _("该人员是户主，迁出前请在原户中指定新户主。")})
        promote = new_head
        _check_head_identity(new_head, "new_head")
    row.household, row.area, row.grid, row.relation = target, target.area, target.grid, relation
    row.place_paths()
    _check_head_rule(target, row)
    if relation == HEAD:
        _check_head_identity(row)
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
        refresh_household_summary(household)
    households_changed([source.pk, target.pk])
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
