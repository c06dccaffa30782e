"""The small seam for database-specific speed-ups (STYLE §1.5). Each function is a no-op where it does not apply.

Bulk loading lives here too: :func:`bulk_insert` (``COPY`` on PostgreSQL, ``bulk_create`` elsewhere),
:func:`relax_commit` and :class:`BackgroundWriter`, which overlaps a batch's writing with preparing the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from operator import attrgetter
from typing import Any, Generic, TypeVar

from django.db import connection, connections, migrations, models, transaction
from django.db.models import Model
from django.utils import timezone

from .fields import EncryptedCharField


def analyze(*models: type[Model]) -> None:
    """Refresh PostgreSQL planner statistics after bulk loads, so the next queries get sane plans.

    Autovacuum would get there eventually, but a plan chosen on empty-table statistics can turn a
    seconds-long set-wise tag refresh into minutes. SQLite plans well enough without it.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def copy_rows(model: type[Model], rows: Sequence[Model], *, with_pk: bool = False) -> None:
    """PostgreSQL only: ``COPY … FROM STDIN`` the rows' fields, several times faster than ``INSERT``.

    Values go to psycopg as they are (str, int, bool, date, Decimal, None); JSON fields are wrapped
    as ``Jsonb`` and ``auto_now``/``auto_now_add`` timestamps get the batch's time, as ``save`` would.
    """
    from psycopg.types.json import Jsonb

    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    quote = connection.ops.quote_name
    # Field.column is `str | None` in the stubs; concrete fields always have one.
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),  # type: ignore[arg-type]
    )
    values_of = attrgetter(*(f.attname for f in fields))
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    # Encrypted fields are stored encrypted (core.fields): COPY must not write their clear values.
    encrypted_at = [(i, f) for i, f in enumerate(fields) if isinstance(f, EncryptedCharField)]
    now_at = [
        i for i, f in enumerate(fields) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    now = timezone.now()
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            values = list(values_of(row))
            for i in json_at:
                values[i] = Jsonb(values[i])
            for i, field in encrypted_at:
                values[i] = field.get_prep_value(values[i])
            for i in now_at:
                values[i] = now
            copy.write_row(values)


def bulk_insert(model: type[Model], rows: Sequence[Model], *, need_pk: bool = False) -> None:
    """Write unsaved rows in bulk: ``COPY`` on PostgreSQL, else ``bulk_create``. No ``save()``, no signals.

    With ``need_pk`` the rows get their ids (on PostgreSQL drawn from the table's sequence first), so
    rows pointing at them can follow. Afterwards the rows look saved, as ``bulk_create`` leaves them.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows, batch_size=1000)
        if need_pk and rows[0].pk is None:
            raise RuntimeError(
                "The database returned no ids from bulk_create (SQLite >= 3.35 or PostgreSQL needed)."
            )
        return
    if need_pk:
        pk = model._meta.pk
        assert pk is not None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(rows)],
            )
            for row, (pk_value,) in zip(rows, cursor.fetchall(), strict=True):
                row.pk = pk_value
    copy_rows(model, rows, with_pk=need_pk)
    for row in rows:  # what bulk_create would leave behind
        row._state.adding, row._state.db = False, connection.alias


@contextmanager
def no_merge_join() -> Iterator[None]:
    """PostgreSQL: plan the statements run inside without merge joins (``SET LOCAL`` in a savepoint).

    For ``SELECT id … WHERE <area> AND EXISTS(<tag link>) LIMIT n`` the planner likes a merge join in id
    order, which it believes finds the first rows at once. Persons are stored area by area, so for a
    township it first walks the ids of every area before it: 0.9 s instead of 26 ms at 1M households.
    """
    if connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_mergejoin = off")
        yield
        if nested:  # else the transaction ends here, and the setting with it; an error rolls both back
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_mergejoin = on")


def relax_commit() -> None:
    """PostgreSQL, inside a transaction: do not wait for the WAL flush at its commit.

    Only for data that can be regenerated (demo rows, benchmarks): a crash may lose the last commits.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


BatchT = TypeVar("BatchT")


class BackgroundWriter(Generic[BatchT]):
    """Runs ``write(batch)`` for each submitted batch, in order, and ``done()`` after each one.

    On PostgreSQL, outside any transaction, one background thread (with its own connection) writes
    batch N while the caller prepares batch N+1, so the database's work overlaps Python's. At most one
    batch is in flight, and its errors surface at the next call. Elsewhere (SQLite, or inside a
    transaction such as a test's) batches are written inline. ``done`` always runs in the caller's
    thread. Call :meth:`close` (in a ``finally``) to wait for the last batch and close the thread's
    connection.
    """

    def __init__(
        self,
        write: Callable[[BatchT], object],
        *,
        done: Callable[[], object] | None = None,
        name: str = "db-writer",
    ) -> None:
        self.write, self.done = write, done
        threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) if threaded else None
        self.in_flight: Future[object] | None = None

    def submit(self, batch: BatchT) -> None:
        if self.executor is None:
            self.write(batch)
            self._done()
            return
        self.wait()
        self.in_flight = self.executor.submit(self.write, batch)

    def wait(self) -> None:
        """Wait for the batch in flight, if any, and raise its error."""
        if self.in_flight is not None:
            future, self.in_flight = self.in_flight, None
            future.result()
            self._done()

    def _done(self) -> None:
        if self.done is not None:
            self.done()

    def close(self) -> None:
        if self.executor is None:
            return
        try:
            self.wait()
        finally:
            self.executor.submit(connections.close_all).result()  # runs in the writer thread: its connection
            self.executor.shutdown()

    def __enter__(self) -> BackgroundWriter[BatchT]:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def path_statistics(tables: list[str], *, target: int = 1000) -> migrations.RunPython:
    """A migration step: full planner statistics on the ``area_path``/``grid_path`` columns of ``tables``.

    With PostgreSQL's default target (100 most common values) a county's ~150 grids are not all listed,
    and a grid's list was estimated at 4,700 rows instead of 111: the planner walked the whole county in
    list order (211 ms) where the grid index answers in 0.2 ms. Reversed, the default comes back. Nothing
    to do on SQLite.
    """

    def set_target(value: int) -> Callable[[Any, Any], None]:
        def run(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor != "postgresql":
                return
            for table in tables:
                for column in ("area_path", "grid_path"):
                    schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {value}")
                schema_editor.execute(f"ANALYZE {table}")

        return run

    return migrations.RunPython(set_target(target), set_target(-1))
