"""Generic query helpers that every app's selectors share."""

from __future__ import annotations

from typing import Any

from django.db.models import Lookup, QuerySet, Subquery
from django.db.models.sql.where import WhereNode

from .db import no_merge_join

CAP = 10_000


def capped_count(qs: QuerySet[Any, Any], cap: int = CAP) -> tuple[int, bool]:
    """Count up to ``cap`` rows in one ``SELECT COUNT(*) FROM (… LIMIT cap+1)``; True when there are more.

    Lists show "10,000+" instead of counting a huge result to the end.
    """
    with no_merge_join():
        n = qs.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


#: A result with at most this many rows is paged from its ids (``rows_to_page``).
FEW = 2_000


def few_or_walk(
    qs: QuerySet[Any, Any], *, walk: QuerySet[Any, Any] | None = None
) -> tuple[int | None, QuerySet[Any, Any]]:
    """(how many rows match when at most ``FEW`` do, else None; the rows to page), in one query.

    Paging reads ``ORDER BY … LIMIT 51``: walking the list order until 51 rows match is quick when matches
    are common, and walks a whole county when they are rare or absent (a contradictory search took
    seconds). Fetching up to ``FEW + 1`` ids has no order to follow, so the database joins as it likes:
    when that is all there is, the page is read from those ids (and their number is the exact count).
    Otherwise ``walk`` (the same rows written for walking in order, when the caller has one) or ``qs``.
    """
    with no_merge_join():  # no order to follow: not a merge join in id order either (core.db)
        ids = list(qs.order_by().values_list("pk", flat=True)[: FEW + 1])
    if len(ids) > FEW:
        return None, (qs if walk is None else walk)
    return len(ids), (by_ids(qs, ids) if ids else qs.none())


def by_ids(qs: QuerySet[Any, Any], ids: list[Any]) -> QuerySet[Any, Any]:
    """The rows of ``qs`` with these ``ids``, which ``qs`` itself returned: its conditions are not checked
    again when it reads one table. Checked again, a ``DrivenBy`` condition scans its whole array for each
    row (``= ANY(ARRAY(…))``: 2,000 rows × 50,000 households of a county-wide tag took 0.85 s). When a
    condition joined another table the conditions stay: a join without its condition could repeat rows
    (``select_related`` joins come later, follow foreign keys and repeat nothing)."""
    if len(qs.query.alias_map) > 1 or qs.query.combinator:
        return qs.filter(pk__in=ids)
    rows = qs.all()
    rows.query.where = WhereNode()
    return rows.filter(pk__in=ids)


class DrivenBy(Lookup):
    """``column IN (subquery)`` that is evaluated from the subquery outwards: ``filter(DrivenBy(F("pk"), sub))``.

    On PostgreSQL it is written ``column = ANY(ARRAY(subquery))``: the subquery becomes an InitPlan run
    once, and each id it returns is looked up by index. As a plain ``IN`` the planner may turn it into a
    semi-join and, misjudging how many rows match together with the other conditions, walk a county's
    index in list order to find that no one does. Callers use it only when the subquery is known to be
    small. SQLite already runs a plain ``IN (subquery)`` this way.
    """

    lookup_name = "driven_by"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: QuerySet[Any, Any]) -> None:
        super().__init__(lhs, Subquery(rhs))

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = [*lhs_params, *rhs_params]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", params
        return f"{lhs} IN {rhs}", params
