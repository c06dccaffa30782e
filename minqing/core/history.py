"""Field-level change history: before → after, in the words and codes users see."""

from __future__ import annotations

from typing import Any

from django.db import models

from . import sensitive as sensitive_fields


def concrete_field(instance: models.Model, name: str) -> models.Field[Any, Any]:
    """The field ``name`` of ``instance``; only concrete fields (with a column) have a history."""
    field = instance._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{name!r} is a reverse relation, not a field with a value")
    return field


def display(instance: models.Model, field: models.Field[Any, Any], value: Any) -> str:
    if field.choices and value in dict(field.flatchoices):
        return str(dict(field.flatchoices)[value])
    if value in (None, ""):
        return ""
    if isinstance(field, models.ForeignKey):
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(value, list):
        table = getattr(field, "code_table", None)  # core.fields.CodeListField: codes shown by their labels
        return "、".join(str(dict(table.choices).get(v, v)) if table else str(v) for v in value)
    return str(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, concrete_field(instance, name).attname) for name in fields}


def diff(instance: models.Model, before: dict[str, Any]) -> dict[str, list[str]]:
    """Changes between ``before`` (a snapshot) and the instance now, keyed by the field's Chinese name."""
    changes: dict[str, list[str]] = {}
    sensitive = sensitive_fields.fields_of(instance)
    for name, old in before.items():
        field = concrete_field(instance, name)
        new = getattr(instance, field.attname)
        if str(old if old is not None else "") == str(new if new is not None else ""):
            continue
        if name in sensitive:  # the history is read more widely than the value itself: keep it masked
            changes[str(field.verbose_name)] = [sensitive[name](old), sensitive[name](new)]
        else:
            changes[str(field.verbose_name)] = [display(instance, field, old), display(instance, field, new)]
    return changes


def editable_fields(model: type[models.Model], exclude: tuple[str, ...] = ()) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.editable
        and not f.primary_key
        and f.name not in ("version", "created_at", "updated_at", *exclude)
    ]
