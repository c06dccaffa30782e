"""The one edit path every app's services use: scoped re-read, optimistic locking, field-level changes.

A service that changes a record does, inside its transaction::

    row = changeable(actor, Household, household)      # 404 outside view scope, 403 when only viewable
    check_version(row, version)                        # ConcurrentEditError when someone saved first
    changes = apply_changes(row, data, FIELDS, actor=actor)  # validated like user input; {} if unchanged

A service creating a record calls ``validate(obj)`` before saving it: the model's own validation plus the
real range of every number column (``core.ranges``), so forms, the API and imports cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from . import restricted, sensitive
from .history import diff, snapshot
from .idnumber import contains_id_or_phone
from .models import AuditEvent
from .phone import normalize_phone_fields
from .ranges import range_errors
from .scoping import can

if TYPE_CHECKING:
    from minqing.accounts.models import User

M = TypeVar("M", bound=models.Model)


class ConcurrentEditError(ValidationError):
    """Someone saved the record after this user opened it. ``events`` lists what they changed."""

    def __init__(self, *, record: Any, events: list[AuditEvent]) -> None:
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


def changeable(actor: User, model: type[M], obj: models.Model | int, *, lock: bool = True) -> M:
    """Re-read ``obj`` (or a primary key) through the actor's change scope, locked for the transaction.

    Out of the view scope it does not exist (404); viewable but not changeable is 403.
    """
    pk = obj if isinstance(obj, int) else obj.pk
    manager: Any = model._default_manager
    if not manager.visible_to(actor, "view").filter(pk=pk).exists():
        raise Http404
    rows = manager.visible_to(actor, "change")
    row = (rows.select_for_update() if lock else rows).filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(_("您的角色不能修改这条记录。"))
    return row


def history_since(obj: Any, version: int) -> list[AuditEvent]:
    """The audit events written since ``version``: what the other editors changed."""
    behind = obj.version - version
    events = AuditEvent.objects.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk)).order_by(
        "-at", "-id"
    )
    return list(events[: max(behind, 0)])


def check_version(row: Any, version: int) -> None:
    """Refuse to save over changes made since the editor opened the record."""
    if row.version != version:
        raise ConcurrentEditError(record=row, events=history_since(row, version))


def apply_changes(
    obj: models.Model, data: dict[str, Any], fields: list[str], *, actor: User
) -> dict[str, list[str]]:
    """Set ``data`` on the editable ``fields`` of ``obj``, validate the model, return the changes."""
    before = snapshot(obj, fields)
    for name, value in data.items():
        if name in fields:
            setattr(obj, name, value)
    validate(obj, exclude=[f.name for f in obj._meta.fields if f.name not in fields and f.name not in data])
    check_sensitive_changes(actor, obj, before)
    return diff(obj, before)


def check_sensitive_changes(actor: User, obj: models.Model, before: dict[str, Any]) -> None:
    """Replacing a stored sensitive value (an ID number, a phone: ``core.sensitive``) takes the right to see
    it: ``reveal`` where the record lies, and the record's privacy class (a minor's, ``core.restricted``).
    Writing a first value reveals nothing and needs no more than the change right."""
    changed = [
        name
        for name in sensitive.fields_of(obj)
        if before.get(name) and str(getattr(obj, name) or "") != str(before[name])
    ]
    if not changed:
        return
    may_reveal = can(actor, obj, "reveal")
    errors = {}
    for name in changed:
        privacy_class = restricted.class_of(obj, name)
        if not may_reveal or (privacy_class and not restricted.may_see(actor, privacy_class, obj)):
            label = getattr(obj._meta.get_field(name), "verbose_name", name)
            errors[name] = _("修改已登记的%(field)s需要查看该信息的权限，请由有权限的人员修改。") % {
                "field": label
            }
    if errors:
        raise ValidationError(errors)


def validate(
    obj: models.Model,
    *,
    exclude: Iterable[str] | None = None,
    validate_unique: bool = True,
    validate_constraints: bool = True,
) -> None:
    """``full_clean`` plus the range of every number column, in one ValidationError keyed by field.

    Fields excluded from ``full_clean`` (computed, not edited) are range-checked too: they are saved as well.
    A value out of its column's range gets that one message (naming the field and the range), the same on
    every database: Django's own range validators follow the connected backend. ``validate_constraints=False``
    (bulk writers) leaves ``Meta.constraints`` to the database, which checks them on insert: Django checks
    each with a query of its own.
    """
    normalize_phone_fields(obj)  # the one place phone numbers get their stored form (core.phone)
    errors: dict[str, list[ValidationError]] = {}
    try:
        obj.full_clean(
            exclude=list(exclude) if exclude is not None else None,
            validate_unique=validate_unique,
            validate_constraints=validate_constraints,
        )
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    errors.update(range_errors(obj))
    for name, message in embedded_number_errors(obj, exclude).items():
        errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)


def free_text(value: Any, name: str, label: str, *, limit: int, required: bool = False) -> str:
    """One free-text input of a service (a note, a reason, a reply), stripped and checked like a text column:
    required, at most ``limit`` characters, and no ID or phone number in it (free text is shown in clear)."""
    found = str(value or "").strip()
    if required and not found:
        raise ValidationError({name: _("请填写%(field)s。") % {"field": label}}, code="required")
    if len(found) > limit:
        raise ValidationError(
            {
                name: _("“%(field)s”最多 %(limit)s 字，现有 %(count)s 字。")
                % {"field": label, "limit": limit, "count": len(found)}
            },
            code="max_length",
        )
    if contains_id_or_phone(found):
        raise ValidationError({name: embedded_number_message(label)}, code="embedded_number")
    return found


def embedded_number_message(label: Any) -> str:
    return _("请不要在“%(field)s”中填写身份证号或电话号码：它们有专门的字段，加密保存并脱敏显示。") % {
        "field": label
    }


def embedded_number_errors(
    obj: models.Model, exclude: Iterable[str] | None = None
) -> dict[str, ValidationError]:
    """Free-text fields holding an ID number or a phone number: those have fields of their own, encrypted and
    masked, while free text is shown in clear to every reader of the record (and of its history)."""
    skipped = set(exclude or ())
    errors = {}
    for field in obj._meta.concrete_fields:
        if (
            not isinstance(field, models.CharField | models.TextField)
            or field.choices
            or not field.editable
            or field.name in skipped
            or sensitive.is_sensitive(obj, field.name)
        ):
            continue
        value = getattr(obj, field.attname)
        if isinstance(value, str) and value and contains_id_or_phone(value):
            errors[field.name] = ValidationError(
                embedded_number_message(field.verbose_name), code="embedded_number"
            )
    return errors
