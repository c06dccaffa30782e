"""Writes the generated demo rows: one transaction per batch, in bulk (``COPY`` on PostgreSQL).

:func:`generate_registry` is the entry point: it takes batches from
:func:`minqing.demo.generator.generate_batches` and saves each with :func:`save_batch`, through
:class:`minqing.core.db.BackgroundWriter` (on PostgreSQL the next batch is generated while this one
is written) and :func:`minqing.core.db.bulk_insert` (``bulk_create`` on SQLite, ``COPY`` on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Max, Model

from minqing.core.db import BackgroundWriter, bulk_insert, copy_rows, relax_commit
from minqing.registry.models import EconomyYear, House, Household, Person, Place

from .family import Link
from .generator import Batch, VillageSpec, generate_batches

if TYPE_CHECKING:
    from minqing.accounts.models import User

COUNTED = ("households", "persons", "houses", "economy", "places")


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``, taken before its rows are written.

    PostgreSQL draws them from the table's sequence (one statement). Elsewhere (SQLite) the rows are
    written by this process alone, one batch at a time: the ids follow the highest one in the table.
    """
    if not count:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
    highest = model._default_manager.aggregate(highest=Max("pk"))["highest"] or 0
    return list(range(highest + 1, highest + 1 + count))


def insert_linked_persons(persons: list[Person], links: list[Link]) -> None:
    """Write persons with their father/mother links in one go: ids first, then the links, then the rows."""
    for person, pk in zip(persons, reserve_ids(Person, len(persons)), strict=True):
        person.pk = pk
    for child, father, mother in links:
        child.father_id = father.pk if father is not None else None
        child.mother_id = mother.pk if mother is not None else None
    if connection.vendor == "postgresql":
        copy_rows(Person, persons, with_pk=True)
        for person in persons:  # what bulk_create would leave behind
            person._state.adding, person._state.db = False, connection.alias
    else:
        Person.objects.bulk_create(persons, batch_size=1000)


def save_batch(batch: Batch, counts: dict[str, int]) -> None:
    """Write one batch in its own transaction: households first (for their ids), then the rest."""
    with transaction.atomic():
        relax_commit()  # demo rows can be regenerated: no WAL flush wait at each batch's commit
        bulk_insert(Household, batch.households, need_pk=True)
        persons: list[Person] = []
        houses: list[House] = []
        economy: list[EconomyYear] = []
        links: list[Link] = []
        for household, (members, homes, years, family) in zip(batch.households, batch.pending, strict=True):
            for row in members:
                row.household_id = household.pk
            for home in homes:
                home.household_id = household.pk
            for year in years:
                year.household_id = household.pk
            persons += members
            houses += homes
            economy += years
            links += family
        insert_linked_persons(persons, links)
        bulk_insert(House, houses)
        bulk_insert(EconomyYear, economy)
        bulk_insert(Place, batch.places)
    counts["households"] += len(batch.households)
    counts["persons"] += len(persons)
    counts["houses"] += len(houses)
    counts["economy"] += len(economy)
    counts["places"] += len(batch.places)


def generate_registry(
    *,
    villages: Sequence[VillageSpec],
    seed: int,
    batch_size: int = 2000,
    progress: Callable[[int], object] | None = None,
    responsible_cadres: list[User] | None = None,
    id_offset: int | None = None,
) -> dict[str, int]:
    """Create demo households, persons, houses, yearly economy (last 3 years) and places.

    ``villages`` lists ``(village, its groups, its grids, number of households to create there)``;
    see :func:`minqing.demo.generator.generate_batches` for how they are filled. ID and phone numbers
    already in the database are skipped and household numbers continue, so a second run adds rather
    than collides. Rows are written in bulk, one transaction per ``batch_size`` households.
    ``progress(households_done)`` is called after each batch. Returns the counts created.
    """
    counts = dict.fromkeys(COUNTED, 0)

    def write(batch: Batch) -> None:
        save_batch(batch, counts)

    def done() -> None:
        if progress is not None:
            progress(counts["households"])

    with BackgroundWriter(write, done=done, name="demo-writer") as writer:
        for batch in generate_batches(
            villages=villages,
            seed=seed,
            batch_size=batch_size,
            responsible_cadres=responsible_cadres,
            id_offset=id_offset,
        ):
            writer.submit(batch)
    return counts
