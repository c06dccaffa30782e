"""The household lists the load test pages through: read once before the load, with deep-page cursors."""

from __future__ import annotations

import random

from _loadkit import Cursor, Listing

PAGE = 50  # rows per list page (minqing.core.pagination.PAGE_SIZE)
DEEP = 5  # pages beyond this are "deep"
DEEP_CURSORS = 20  # cursors per list, at random rows beyond page DEEP


def read_listing(
    rng: random.Random, user, params: dict[str, str], households: int, candidates: list[int]
) -> Listing:
    """The household list ``user`` pages with the filter ``params``, read with the view's own queryset
    (``HouseholdFilter`` over ``household_list``, paged as ``values(*ROW_FIELDS)``: a token's salt is the
    model and the ordering), with ``after=`` cursors of random ``candidates`` rows beyond page DEEP, each
    with the id of the row after it (the first of its page), and the id of the list's last row."""
    from minqing.core.pagination import encode_cursor, ordering_keys, seek_condition
    from minqing.registry.filters import HouseholdFilter
    from minqing.registry.selectors import ROW_FIELDS, household_list

    rows = HouseholdFilter(params, queryset=household_list(user), user=user).qs.values(*ROW_FIELDS)
    keys = ordering_keys(rows)
    if keys is None:
        raise SystemExit("the household list cannot be seeked any more: deep pages would be OFFSET pages")
    rows = rows.order_by(*(k.order for k in keys))
    found = Listing(params, households)
    last = rows.last()
    found.last = last["id"] if last else 0

    def after(row: dict) -> object:
        values = [row[k.name] for k in keys]
        return rows.filter(seek_condition(keys, values, forward=True, using=rows.db))

    boundary = list(rows[DEEP * PAGE - 1 : DEEP * PAGE])  # the last row of page DEEP
    if not boundary:
        return found
    deep = list(after(boundary[0]).filter(pk__in=candidates))
    for row in rng.sample(deep, min(DEEP_CURSORS, len(deep))):
        first = after(row).values_list("id", flat=True).first()
        if first:  # not the list's last row
            found.cursors.append(Cursor(encode_cursor(keys, rows, row), first))
    return found
