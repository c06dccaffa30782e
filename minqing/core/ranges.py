"""What a number column can really hold, checked before saving, the same on SQLite and PostgreSQL.

Django's own validators are not enough: a DecimalField's ``max_digits`` is checked only for the fields a
``full_clean`` includes (a computed column such as 年人均纯收入 is excluded), and integer fields take their
range from the connected backend, which on SQLite is 64 bits for every integer field. SQLite then stores
anything, and a Decimal too long for its column cannot be read back (every later read of the row fails);
PostgreSQL refuses it with a DataError. Either way a 500. ``range_errors`` holds every numeric column of a
model instance to the portable ranges: ``max_digits``/``decimal_places`` and PostgreSQL's integer sizes.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Context, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _

#: internal type → (min, max), e.g. PositiveSmallIntegerField (0, 32767), IntegerField ±2^31: the ranges
#: PostgreSQL enforces, whatever the backend in use says.
INTEGER_RANGES: dict[str, tuple[int, int]] = dict(BaseDatabaseOperations.integer_field_ranges)


def decimal_limit(field: models.DecimalField[Any, Any]) -> Decimal:
    """The largest value the column holds: 9999999999.99 for max_digits=12, decimal_places=2."""
    places, digits = field.decimal_places or 0, field.max_digits or 0
    step = Decimal(1).scaleb(-places)
    return (Decimal(10) ** (digits - places) - step).quantize(step)


def limits(field: models.Field[Any, Any]) -> tuple[Decimal | int, Decimal | int] | None:
    """(min, max) of a numeric column; None for other fields and for numbers without a fixed size."""
    if isinstance(field, models.DecimalField):
        if field.max_digits is None or field.decimal_places is None:
            return None
        high = decimal_limit(field)
        return -high, high
    if isinstance(field, models.IntegerField):  # AutoField and BigAutoField included
        return INTEGER_RANGES.get(field.get_internal_type())
    return None


def range_error(field: models.Field[Any, Any], value: Any, *, label: Any = None) -> ValidationError | None:
    """Why ``value`` does not fit the column of ``field`` (a Chinese message naming it), or None.

    ``label`` replaces the field's name in the message, for a value held to the column of another (a sum).
    """
    bounds = limits(field)
    if bounds is None or value is None:
        return None
    name = str(label if label is not None else field.verbose_name)
    try:
        number = field.to_python(value)
    except (ValidationError, TypeError, ValueError, ArithmeticError):
        number = None
    if number is None or (isinstance(number, Decimal) and not number.is_finite()):
        return ValidationError(_("“%(field)s”不是有效的数字。") % {"field": name}, code="invalid")
    low, high = bounds
    if number > high:
        message = _("“%(field)s”不能超过 %(limit)s。")
        return ValidationError(message % {"field": name, "limit": high}, code="max_value")
    if number < low:
        message = _("“%(field)s”不能小于 %(limit)s。")
        return ValidationError(message % {"field": name, "limit": low}, code="min_value")
    if isinstance(field, models.DecimalField):
        places = field.decimal_places or 0
        exact = Context(prec=max(28, (field.max_digits or 0) + 1))
        if number != number.quantize(Decimal(1).scaleb(-places), context=exact):
            message = _("“%(field)s”最多保留 %(places)s 位小数。")
            return ValidationError(message % {"field": name, "places": places}, code="max_decimal_places")
    return None


def range_errors(
    instance: models.Model, fields: Iterable[str] | None = None
) -> dict[str, list[ValidationError]]:
    """The numeric columns of ``instance`` (all of them, or ``fields``) whose value the column cannot hold."""
    wanted = None if fields is None else set(fields)
    errors: dict[str, list[ValidationError]] = {}
    for field in instance._meta.concrete_fields:
        if field.is_relation or (wanted is not None and field.name not in wanted):
            continue
        error = range_error(field, getattr(instance, field.attname))
        if error is not None:
            errors[field.name] = [error]
    return errors


def check_ranges(instance: models.Model, fields: Iterable[str] | None = None) -> None:
    """Raise one ValidationError keyed by field when a numeric column of ``instance`` would overflow."""
    errors = range_errors(instance, fields)
    if errors:
        raise ValidationError(errors)
