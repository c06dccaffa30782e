"""Building blocks of the demo generator: weighted choices and unsaved model rows built fast."""

from __future__ import annotations

from bisect import bisect
from collections.abc import Sequence
from random import Random
from typing import Any, Generic, TypeVar

from django.db import models

from minqing.registry.models import EconomyYear, House, Household, Person, Place


class Weighted:
    """Weighted choice with precomputed cumulative weights (``rng.choices`` rebuilds them every call)."""

    __slots__ = ("cumulative", "total", "values")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.values = [value for value, _weight in pairs]
        self.cumulative: list[float] = []
        running = 0.0
        for _value, weight in pairs:
            running += weight
            self.cumulative.append(running)
        self.total = running

    def pick(self, rng: Random) -> Any:
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


M = TypeVar("M", bound=models.Model)


class RowBuilder(Generic[M]):
    """Builds unsaved model instances from a dict of field values, about ten times faster than ``Model(**f)``.

    ``Model.__init__`` walks every field through descriptors for each row; with 50-odd fields and three
    million persons that alone costs minutes. Here the field defaults are computed once and each row is
    the defaults plus the drawn values, which is what ``__init__`` would produce for these models (no
    ``pre_init``/``post_init`` receivers, no deferred fields). ``bulk_create`` then treats them as usual.
    """

    def __init__(self, model: type[M]) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.defaults: dict[str, Any] = {f.attname: f.get_default() for f in fields}
        # Callable defaults (dict/list for JSON fields …) are called per row, as __init__ does.
        self.dynamic = [(f.attname, f.get_default) for f in fields if f.has_default() and callable(f.default)]

    def __call__(self, values: dict[str, Any]) -> M:
        row = self.model.__new__(self.model)
        state = self.defaults.copy()
        for name, default in self.dynamic:
            if name not in values:
                state[name] = default()
        state.update(values)
        state["_state"] = models.base.ModelState()
        row.__dict__.update(state)
        return row


NEW_HOUSEHOLD, NEW_PERSON, NEW_HOUSE = RowBuilder(Household), RowBuilder(Person), RowBuilder(House)
NEW_ECONOMY, NEW_PLACE = RowBuilder(EconomyYear), RowBuilder(Place)
