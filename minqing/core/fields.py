"""``EncryptedCharField``: a text field stored encrypted (``core.fieldcrypt``) and found by exact value.

Python code sees clear values: reads decrypt, saves encrypt (also ``bulk_create`` and ``core.db.copy_rows``).
Queries support what a blind index can answer and nothing else, so no search silently misses:

- ``field=value`` and ``field__in=[…]`` compare the blind index (``LEFT(column, 32)``, see
  :func:`blind_index`, which the model indexes) against the HMAC of each value under every key;
- ``field=""`` and ``field__isnull`` compare the column itself (an empty value is stored empty);
- any other lookup (``startswith``, ``icontains``, ranges, ordering by meaning) raises ``FieldError``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet, FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Lookup
from django.db.models.functions import Left
from django.db.models.lookups import IsNull
from django.db.models.sql.compiler import SQLCompiler

from . import fieldcrypt


def blind_index(field_name: str) -> Left:
    """The expression exact lookups on an encrypted field use: index it (``Index``/``UniqueConstraint``)."""
    return Left(F(field_name), fieldcrypt.INDEX_LENGTH)


class EncryptedCharField(models.CharField):
    """A ``CharField`` whose clear value never reaches the database. ``max_length`` is the clear value's."""

    description = "Text encrypted at rest (authenticated), searchable by exact value"
    context = ""

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        # Associated data of the cipher and part of the index key: a value only opens in its own column.
        self.context = f"{cls._meta.label_lower}.{name}"

    def db_type_parameters(self, connection: BaseDatabaseWrapper) -> Any:
        params = super().db_type_parameters(connection)
        params["max_length"] = fieldcrypt.stored_length(self.max_length or 255)
        return params

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if fieldcrypt.is_stored(value):
            return fieldcrypt.decrypt(value, self.context)
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value or fieldcrypt.is_stored(value):
            return value
        return fieldcrypt.encrypt(value, self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name in ("exact", "in"):
            return _BlindExact if lookup_name == "exact" else _BlindIn
        if lookup_name == "isnull":
            return IsNull
        return None  # Django raises FieldError: "Unsupported lookup … for EncryptedCharField"

    def get_transform(self, lookup_name: str) -> Any:
        return None


class _BlindLookup(Lookup):
    prepare_rhs = False

    def values(self) -> list[Any]:
        raise NotImplementedError

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        field = self.lhs.output_field
        if hasattr(self.rhs, "resolve_expression") or not isinstance(field, EncryptedCharField):
            raise FieldError("An encrypted field can only be compared with plain values.")
        values = [str(v) for v in self.values() if v is not None]
        parts: list[str] = []
        params: list[Any] = []
        if "" in values:
            column, column_params = compiler.compile(self.lhs)
            parts.append(f"{column} = %s")
            params += [*column_params, ""]
        hashes = [h for v in dict.fromkeys(values) if v for h in fieldcrypt.blind_indexes(v, field.context)]
        if hashes:
            index, index_params = compiler.compile(Left(self.lhs, fieldcrypt.INDEX_LENGTH))
            parts.append(f"{index} IN ({', '.join(['%s'] * len(hashes))})")
            params += [*index_params, *hashes]
        if not parts:
            raise EmptyResultSet
        return ("(" + " OR ".join(parts) + ")") if len(parts) > 1 else parts[0], params


class _BlindExact(_BlindLookup):
    lookup_name = "exact"

    def values(self) -> list[Any]:
        return [self.rhs]


class _BlindIn(_BlindLookup):
    lookup_name = "in"

    def values(self) -> list[Any]:
        if isinstance(self.rhs, str) or not hasattr(self.rhs, "__iter__"):
            raise FieldError("__in on an encrypted field needs a list of values.")
        return list(self.rhs)


class CodeListField(models.JSONField):
    """A list of codes of one code table (多选), e.g. 风险类型. ``code_table`` names the codes in history.

    The table is not part of the migration state: it only labels values, the model's ``clean`` checks them.
    """

    def __init__(self, *args: Any, code_table: type[models.Choices] | None = None, **kwargs: Any) -> None:
        self.code_table = code_table
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "minqing.core.fields.CodeListField", args, kwargs
