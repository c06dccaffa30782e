"""A tamper-evident hash chain for append-only tables (the audit log; later the visit logs).

Every row stores ``prev_hash`` (the ``row_hash`` of the row before it in chain order, the primary key) and
``row_hash`` = H(canonical JSON of ``{"prev": prev_hash, "row": {chained fields}}``), written as
``"<algorithm>:<hex>"`` so rows hashed before an algorithm switch still verify. Changing a row breaks its own
hash; removing, inserting or reordering rows breaks the link of the row after. The chain proves nothing
against someone who rewrites every later row too: keep the head hash that ``verify`` reports off the server
(the daily ``verify_audit`` log does that).

A model takes part by inheriting :class:`ChainedModel` and naming ``chain_fields``; its manager's queryset
inherits :class:`ChainedQuerySet`. Inserts go through :func:`append` (``save``/``create``) or
:func:`append_many` (``bulk_create``); updates and deletes through the ORM are refused (and, on
PostgreSQL, by the trigger of :func:`append_only_sql`). Writers are serialised per chain: on PostgreSQL by
``pg_advisory_xact_lock`` held until the caller's transaction ends, so two transactions can never both
chain onto the same last row (READ COMMITTED, Django's default, lets the second one see the first's row
once it holds the lock); SQLite serialises writers itself (``transaction_mode`` IMMEDIATE).

A model naming a ``chain_key`` field (the visit log's ``author``) keeps one chain per value of it, each in
id order with its own lock; :func:`verify` checks one chain, :func:`verify_chains` every chain of a table.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: ``prev_hash`` of the first row of a chain that was never purged.
GENESIS = ""
ALGORITHMS = ("sha256", "sm3")
#: Rows read per query by ``verify`` and by ``chain_existing``.
BATCH = 2000
#: How far ``verify`` looks back and ahead to tell an inserted or reordered row from a removed one.
WINDOW = 1000


class AppendOnlyError(Exception):
    """A chained row may only be appended: never changed, deleted or inserted around the chain."""


def configured_algorithm() -> str:
    name = str(getattr(settings, "AUDIT_HASH_ALGORITHM", "sha256")).strip().lower()
    if name not in ALGORITHMS:
        raise ImproperlyConfigured(
            f"AUDIT_HASH_ALGORITHM must be one of {', '.join(ALGORITHMS)}, not {name!r}."
        )
    return name


def digest(algorithm: str, data: bytes) -> str:
    """``"<algorithm>:<hex>"`` of ``data``; SM3 (GB/T 32905) through ``cryptography`` (OpenSSL)."""
    if algorithm == "sha256":
        return "sha256:" + hashlib.sha256(data).hexdigest()
    if algorithm == "sm3":
        from cryptography.hazmat.primitives import hashes

        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return "sm3:" + h.finalize().hex()
    raise ValueError(f"unknown hash algorithm {algorithm!r}")


# ------------------------------------------------------------------------------ canonical serialisation


def _number(value: float) -> int | float:
    # jsonb keeps a number's digits, not Python's float: 1.0 and 1e16 come back as 1 and 10000000000000000.
    # Integral floats are therefore hashed as the integer their decimal text means, on every database.
    if value.is_integer():
        return int(Decimal(repr(value)))
    return value


def plain(value: Any) -> Any:
    """A value as stable JSON: datetimes ISO in UTC, decimals as strings, integral floats as integers."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_default_timezone())
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return str(value)


def _field_value(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        # Exactly what the database will hand back: JSON text decoded again (tuples → lists, keys → text).
        return plain(json.loads(json.dumps(value, cls=field.encoder)))
    value = field.to_python(value)
    if isinstance(field, models.DecimalField) and field.decimal_places is not None:
        value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
    return plain(value)


@dataclass(frozen=True)
class Spec:
    """The chained fields of a model: their names (keys of the hashed document) and columns."""

    names: tuple[str, ...]
    attnames: tuple[str, ...]
    fields: tuple[models.Field[Any, Any], ...]

    @classmethod
    def of(cls, model: type[models.Model], names: Sequence[str]) -> Spec:
        fields = tuple(cast("models.Field[Any, Any]", model._meta.get_field(name)) for name in names)
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                # save() would set a new value after the hash was computed: use default=timezone.now.
                raise ImproperlyConfigured(
                    f"{model.__name__}.{field.name}: auto_now fields cannot be chained."
                )
        return cls(tuple(names), tuple(f.attname for f in fields), fields)

    def row_hash(self, prev_hash: str, values: Sequence[Any], algorithm: str) -> str:
        document = {
            "prev": prev_hash,
            "row": {
                name: _field_value(f, v) for name, f, v in zip(self.names, self.fields, values, strict=True)
            },
        }
        text = json.dumps(
            document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        return digest(algorithm, text.encode())


_SPECS: dict[type[models.Model], Spec] = {}


def spec_of(model: type[models.Model]) -> Spec:
    """The chained fields of a :class:`ChainedModel` subclass (computed once per model)."""
    if model not in _SPECS:
        _SPECS[model] = Spec.of(model, getattr(model, "chain_fields", ()))
    return _SPECS[model]


# ------------------------------------------------------------------------------------------ writing


def lock_key(table: str, key: Any = None) -> int:
    """A stable signed 64-bit advisory-lock key per chain (per table, or per table and chain key value)."""
    name = f"minqing.hashchain:{table}" if key is None else f"minqing.hashchain:{table}:{key}"
    raw = hashlib.sha256(name.encode()).digest()[:8]
    return int.from_bytes(raw, "big", signed=True)


def chain_key_attname(model: type[models.Model]) -> str | None:
    """The column that splits ``model``'s table into chains (``None``: the table is one chain)."""
    name = getattr(model, "chain_key", None)
    return model._meta.get_field(name).attname if name else None  # type: ignore[union-attr]


def lock(model: type[models.Model], using: str, key: Any = None) -> None:
    """Take the chain's writer lock until the transaction ends (PostgreSQL; SQLite serialises writers).

    ``key`` names the chain of a model with a ``chain_key``. Call inside ``transaction.atomic``: outside a
    transaction the lock would end with the statement.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(model._meta.db_table, key)])


def _lock_and_head(model: type[models.Model], using: str, key: Any = None) -> str:
    """Take the chain's writer lock, then read the last row's hash (committed rows only, READ COMMITTED)."""
    lock(model, using, key)
    rows: models.QuerySet[Any] = models.QuerySet(model, using=using)
    attname = chain_key_attname(model)
    if attname is not None:
        rows = rows.filter(**{attname: key})
    head = rows.order_by("-pk").values_list("row_hash", flat=True).first()
    return head or GENESIS


def _key_of(obj: models.Model, attname: str | None) -> Any:
    if attname is None:
        return None
    key = getattr(obj, attname)
    if key is None:
        raise AppendOnlyError(f"{type(obj).__name__}: the chain key {attname} is required.")
    return key


def _seal(obj: ChainedModel, prev_hash: str, spec: Spec, algorithm: str) -> None:
    obj.prev_hash = prev_hash
    obj.row_hash = spec.row_hash(prev_hash, [getattr(obj, a) for a in spec.attnames], algorithm)


def append(obj: ChainedModel, *, using: str | None = None) -> ChainedModel:
    """Insert ``obj`` as the new last row of its chain, inside the caller's transaction (or its own)."""
    if not obj._state.adding or obj.pk is not None:
        # Chain order is the auto-incremented key: a row placed at a chosen id would not be the last one.
        raise AppendOnlyError(f"{type(obj).__name__} #{obj.pk}: chained rows are new rows, never changed.")
    model = type(obj)
    db = using or router.db_for_write(model, instance=obj)
    key = _key_of(obj, chain_key_attname(model))
    with transaction.atomic(using=db, savepoint=False):  # no extra SAVEPOINT round trips
        _seal(obj, _lock_and_head(model, db, key), spec_of(model), configured_algorithm())
        models.Model.save(obj, force_insert=True, using=db)
    return obj


def append_many(
    objs: Iterable[ChainedModel], *, using: str | None = None, batch_size: int | None = None
) -> list[ChainedModel]:
    """Insert several new rows at the end of their chains, in the given order, under the chains' locks.

    With a ``chain_key``, the locks of the rows' chains are taken in a fixed (sorted) order, so two such
    calls never deadlock.
    """
    rows = list(objs)
    if not rows:
        return rows
    model = type(rows[0])
    db = using or router.db_for_write(model)
    spec, algorithm = spec_of(model), configured_algorithm()
    attname = chain_key_attname(model)
    with transaction.atomic(using=db, savepoint=False):  # no extra SAVEPOINT round trips
        keys = sorted({_key_of(obj, attname) for obj in rows}, key=str)
        heads = {key: _lock_and_head(model, db, key) for key in keys}
        for obj in rows:
            if not obj._state.adding or obj.pk is not None:
                raise AppendOnlyError("append_many takes new rows without a primary key.")
            key = _key_of(obj, attname)
            _seal(obj, heads[key], spec, algorithm)
            heads[key] = obj.row_hash
        plain_rows: models.QuerySet[Any] = models.QuerySet(model, using=db)
        return plain_rows.bulk_create(rows, batch_size=batch_size)


class ChainedQuerySet(models.QuerySet):
    """Refuses updates and deletes; ``bulk_create`` appends to the chain."""

    def bulk_create(
        self,
        objs: Iterable[Any],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[Any]:
        if ignore_conflicts or update_conflicts or update_fields or unique_fields:
            raise AppendOnlyError("chained rows are appended, never upserted.")
        return append_many(objs, using=self.db, batch_size=batch_size)

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} is append-only: rows are never updated.")

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None) -> int:
        raise AppendOnlyError(f"{self.model.__name__} is append-only: rows are never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} is append-only: only the retention purge deletes rows.")


class ChainedModel(models.Model):
    """Rows linked by hashes: ``chain_fields`` are hashed together with the previous row's hash."""

    prev_hash = models.CharField(_("前一行哈希"), max_length=80, blank=True, default="", editable=False)
    row_hash = models.CharField(_("本行哈希"), max_length=80, blank=True, default="", editable=False)

    chain_fields: ClassVar[tuple[str, ...]] = ()
    #: A field splitting the table into one chain per value (``None``: the whole table is one chain).
    chain_key: ClassVar[str | None] = None

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        append(self, using=kwargs.get("using"))

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} is append-only: only the retention purge deletes rows.")


def chain_existing(
    model: type[models.Model], names: Sequence[str], *, using: str, algorithm: str, batch: int = 5000
) -> int:
    """Hash every row of a table in primary-key order (a migration adding the chain to existing rows).

    Reads and writes in batches: ``UPDATE … FROM (VALUES …)`` on PostgreSQL, ``executemany`` elsewhere.
    """
    spec = Spec.of(model, names)
    connection = connections[using]
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(cast(str, model._meta.pk.column))
    everything: models.QuerySet[Any] = models.QuerySet(model, using=using)
    rows = everything.order_by("pk").values_list("pk", *spec.attnames)
    prev, last, count = GENESIS, None, 0
    while True:
        chunk = list((rows.filter(pk__gt=last) if last is not None else rows)[:batch])
        if not chunk:
            return count
        updates = []
        for row_id, *values in chunk:
            row_hash = spec.row_hash(prev, values, algorithm)
            updates.append((row_id, prev, row_hash))
            prev = row_hash
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                slots = ", ".join(["(%s::bigint, %s, %s)"] * len(updates))
                cursor.execute(
                    f"UPDATE {table} AS t SET prev_hash = v.p, row_hash = v.r "  # noqa: S608 — quoted model names
                    f"FROM (VALUES {slots}) AS v(i, p, r) WHERE t.{pk} = v.i",
                    [value for update in updates for value in update],
                )
            else:
                cursor.executemany(
                    f"UPDATE {table} SET prev_hash = %s, row_hash = %s WHERE {pk} = %s",  # noqa: S608
                    [(p, r, i) for i, p, r in updates],
                )
        last, count = chunk[-1][0], count + len(chunk)


# ------------------------------------------------------------------------------------------ checking


@dataclass(frozen=True)
class Break:
    """The first row where the chain does not hold, and why."""

    row_id: Any
    reason: str  # "changed" | "removed" | "reordered" | "inserted"
    detail: str


@dataclass(frozen=True)
class Report:
    checked: int
    first_id: Any
    last_id: Any
    head: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _stream(queryset: models.QuerySet[Any], attnames: Sequence[str], batch: int) -> Iterator[tuple[Any, ...]]:
    rows = queryset.order_by("pk").values_list("pk", "prev_hash", "row_hash", *attnames)
    last = None
    while True:
        chunk = list((rows.filter(pk__gt=last) if last is not None else rows)[:batch])
        yield from chunk
        if len(chunk) < batch:
            return
        last = chunk[-1][0]


def verify(
    queryset: models.QuerySet[Any],
    *,
    trust_anchor: Callable[[Any, str], bool] | None = None,
    batch: int = BATCH,
) -> Report:
    """Walk the rows of ``queryset`` in chain order and return the first break (or none).

    The first row's ``prev_hash`` is the anchor: the genesis value, or a value ``trust_anchor(row_id,
    prev_hash)`` accepts (a recorded purge, or the start of a partial check). Rows are streamed in primary-key
    batches, so a million rows need little memory.
    """
    model = queryset.model
    spec = spec_of(model)
    rows = _stream(queryset, spec.attnames, batch)
    behind: deque[tuple[Any, str]] = deque(maxlen=WINDOW)  # (id, row_hash) of the rows already checked
    checked, first_id, expected = 0, None, None
    for row_id, prev_hash, row_hash, *values in rows:
        problem = _check_row(spec, row_id, prev_hash, row_hash, values)
        if problem is None and expected is None and prev_hash != GENESIS:
            if trust_anchor is None or not trust_anchor(row_id, prev_hash):
                problem = Break(
                    row_id,
                    "removed",
                    f"#{row_id} is the first row but rows before it were removed "
                    "and no purge recorded this anchor",
                )
        if problem is None and expected is not None and prev_hash != expected:
            problem = _link_break(row_id, prev_hash, behind, rows)
        if problem is not None:
            return Report(checked, first_id, behind[-1][0] if behind else None, expected or "", problem)
        if first_id is None:
            first_id = row_id
        behind.append((row_id, row_hash))
        expected = row_hash
        checked += 1
    return Report(checked, first_id, behind[-1][0] if behind else None, expected or "", None)


@dataclass(frozen=True)
class ChainsReport:
    """Every chain of a table checked: how many chains and rows, a digest of all heads, the broken chains."""

    chains: int
    checked: int
    heads_digest: str
    broken: list[tuple[Any, Report]]

    @property
    def ok(self) -> bool:
        return not self.broken


def verify_chains(queryset: models.QuerySet[Any], *, batch: int = BATCH) -> ChainsReport:
    """Check each chain of a model with a ``chain_key`` (the whole queryset when it has none).

    Removing a chain's *last* rows leaves no trace in the table: keep ``heads_digest`` (one hash over every
    chain's key, head and length) off the server and compare it, as with a single chain's head.
    """
    attname = chain_key_attname(queryset.model)
    if attname is None:
        report = verify(queryset, batch=batch)
        broken = [] if report.ok else [(None, report)]
        return ChainsReport(1 if report.checked else 0, report.checked, report.head, broken)
    keys = queryset.order_by(attname).values_list(attname, flat=True).distinct()
    chains, checked, heads, broken = 0, 0, [], []
    for key in keys:
        report = verify(queryset.filter(**{attname: key}), batch=batch)
        chains, checked = chains + 1, checked + report.checked
        heads.append([plain(key), report.head, report.checked])
        if not report.ok:
            broken.append((key, report))
    text = json.dumps(heads, separators=(",", ":"), ensure_ascii=False)
    return ChainsReport(chains, checked, digest(configured_algorithm(), text.encode()), broken)


def _check_row(spec: Spec, row_id: Any, prev_hash: str, row_hash: str, values: Sequence[Any]) -> Break | None:
    algorithm, _sep, _hex = row_hash.partition(":")
    if not row_hash:
        return Break(row_id, "inserted", f"#{row_id} has no hash: it was written outside the chain")
    if algorithm not in ALGORITHMS:
        return Break(row_id, "changed", f"#{row_id} has a hash of unknown algorithm {algorithm!r}")
    if spec.row_hash(prev_hash, values, algorithm) != row_hash:
        return Break(row_id, "changed", f"#{row_id} does not match its hash: its content was changed")
    return None


def _link_break(
    row_id: Any, prev_hash: str, behind: deque[tuple[Any, str]], ahead: Iterator[tuple[Any, ...]]
) -> Break:
    previous_id = behind[-1][0]
    earlier = [index for index, (_id, h) in enumerate(behind) if h == prev_hash]
    if earlier:  # it links to an older row: the rows after that one were inserted
        inserted_id = behind[earlier[-1] + 1][0]
        return Break(
            inserted_id,
            "inserted",
            f"#{inserted_id} was inserted into the chain (#{row_id} links to #{behind[earlier[-1]][0]})",
        )
    for _step in range(WINDOW):
        later = next(ahead, None)
        if later is None:
            break
        if later[2] == prev_hash:
            return Break(
                row_id,
                "reordered",
                f"#{row_id} links to #{later[0]}, which comes after it: rows were reordered",
            )
    return Break(
        row_id,
        "removed",
        f"#{row_id} does not link to #{previous_id}: rows between them were removed or #{previous_id} was replaced",
    )


# ------------------------------------------------------------------------- PostgreSQL append-only trigger

# The trigger's SQL lives in core.appendonly (no dependency on this module); migrations import it from here.
from .appendonly import append_only_sql  # noqa: E402, F401
