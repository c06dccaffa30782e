"""Rewrite the stored values of encrypted columns in batches: the first encryption and key rotation.

Raw SQL in primary-key order, one short transaction per batch, so a county's tables are rewritten without
holding locks for long and an interrupted run simply continues where it stopped (values already in the
wanted form are left alone).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, transaction

from . import fieldcrypt
from .fields import EncryptedCharField

#: ``transform(stored or clear value, context)`` → the value to store, or ``None`` to leave it as it is.
# Table and column names come from model metadata, quoted; values are parameters (hence the S608 noqa).
Transform = Callable[[str, str], "str | None"]


@dataclass
class Progress:
    table: str
    rows: int = 0
    changed: int = 0
    seconds: float = 0.0


def encrypt_clear(value: str, context: str) -> str | None:
    """Encrypt a clear value; values already encrypted stay."""
    return None if fieldcrypt.is_stored(value) else fieldcrypt.encrypt(value, context)


def reencrypt_old(value: str, context: str) -> str | None:
    """Re-encrypt a value not under the current key (or still in clear) under the current key."""
    if not fieldcrypt.is_stored(value):
        return fieldcrypt.encrypt(value, context)
    if fieldcrypt.key_id_of(value) == fieldcrypt.keyring().current.id:
        return None
    return fieldcrypt.encrypt(fieldcrypt.decrypt(value, context), context)


def decrypt_stored(value: str, context: str) -> str | None:
    """Back to clear (the reverse of the first encryption)."""
    return fieldcrypt.decrypt(value, context) if fieldcrypt.is_stored(value) else None


def encrypted_columns() -> dict[str, dict[str, str]]:
    """``{table: {column: context}}`` of every ``EncryptedCharField`` of the installed models."""
    found: dict[str, dict[str, str]] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField) and field.column:
                found.setdefault(model._meta.db_table, {})[field.column] = field.context
    return found


def rewrite(
    table: str, columns: dict[str, str], transform: Transform, *, batch: int = 2000, pk: str = "id"
) -> Progress:
    """Apply ``transform`` to every non-empty value of ``columns`` (``{column: context}``) of ``table``."""
    quote = connection.ops.quote_name
    names = list(columns)
    select = "SELECT {pk}, {cols} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s".format(  # noqa: S608
        pk=quote(pk), cols=", ".join(quote(c) for c in names), table=quote(table)
    )
    progress = Progress(table)
    started = time.monotonic()
    last = -1
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(select, [last, batch])
                rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            progress.rows += len(rows)
            updates = list(_changed(rows, names, columns, transform))
            progress.changed += len(updates)
            _write(table, pk, names, updates)
    progress.seconds = time.monotonic() - started
    return progress


def _changed(
    rows: Iterable[tuple], names: list[str], columns: dict[str, str], transform: Transform
) -> Iterable[list[Any]]:
    for row_pk, *values in rows:
        new = list(values)
        for i, value in enumerate(values):
            if value:
                result = transform(value, columns[names[i]])
                if result is not None:
                    new[i] = result
        if new != list(values):
            yield [row_pk, *new]


def _write(table: str, pk: str, names: list[str], updates: list[list[Any]]) -> None:
    if not updates:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            row = "(" + ", ".join(["%s"] * (len(names) + 1)) + ")"
            sql = "UPDATE {t} SET {sets} FROM (VALUES {rows}) AS v({cols}) WHERE {t}.{pk} = v.{pk}".format(  # noqa: S608
                t=quote(table),
                sets=", ".join(f"{quote(n)} = v.{quote(n)}" for n in names),
                rows=", ".join([row] * len(updates)),
                cols=", ".join(quote(c) for c in [pk, *names]),
                pk=quote(pk),
            )
            cursor.execute(sql, [value for update in updates for value in update])
        else:
            sql = "UPDATE {t} SET {sets} WHERE {pk} = %s".format(  # noqa: S608
                t=quote(table), sets=", ".join(f"{quote(n)} = %s" for n in names), pk=quote(pk)
            )
            cursor.executemany(sql, [[*update[1:], update[0]] for update in updates])
