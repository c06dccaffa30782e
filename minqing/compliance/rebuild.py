"""Set-based recount of the compliance figures from the registry and the visit log (both databases).

Statements are built from the models' table names; the counted-visit rule is ``Visit.objects.counted()``
compiled by the ORM, so this file and the per-visit refresh cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, DateTimeField, Max
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDay, TruncMonth

from minqing.core import codes
from minqing.registry.models import Household
from minqing.visits.models import Visit

from .models import CadreDayTally, HouseholdVisitStat, VisitTally


def _names(connection: Any) -> dict[str, str]:
    q = connection.ops.quote_name
    return {
        "stat": q(HouseholdVisitStat._meta.db_table),
        "tally": q(VisitTally._meta.db_table),
        "household": q(Household._meta.db_table),
        "days": q(CadreDayTally._meta.db_table),
    }


def rebuild_all(connection: Any) -> dict[str, int]:
    """Missing stat rows, drifted copies, last visits, monthly tallies: counts of rows touched."""
    t = _names(connection)
    pg = connection.vendor == "postgresql"
    distinct = "IS DISTINCT FROM" if pg else "IS NOT"
    normal = codes.HouseholdStatus.NORMAL.value
    out: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {t['stat']} (household_id, area_path, grid_path, active) "  # noqa: S608 - table names
            f"SELECT h.id, h.area_path, h.grid_path, h.status = %s FROM {t['household']} h "
            f"WHERE NOT EXISTS (SELECT 1 FROM {t['stat']} s WHERE s.household_id = h.id)",
            [normal],
        )
        out["created"] = cursor.rowcount
        cursor.execute(
            f"UPDATE {t['stat']} SET area_path = h.area_path, grid_path = h.grid_path, "  # noqa: S608
            f"active = (h.status = %s) FROM {t['household']} h WHERE h.id = {t['stat']}.household_id AND "
            f"({t['stat']}.area_path <> h.area_path OR {t['stat']}.grid_path <> h.grid_path "
            f"OR {t['stat']}.active <> (h.status = %s))",
            [normal, normal],
        )
        out["moved"] = cursor.rowcount
        # The latest counted visit of each household (the highest id among visits at that same time).
        counted = Visit.objects.counted().order_by()
        rows_sql, rows_params = counted.values("id", "household_id", "created_at").query.sql_with_params()
        max_sql, max_params = (
            counted.values("household_id").annotate(at=Max("created_at")).query.sql_with_params()
        )
        last_sql = (
            f"SELECT c.household_id, m.at, MAX(c.id) AS last FROM ({rows_sql}) c JOIN ({max_sql}) m "  # noqa: S608
            "ON m.household_id = c.household_id AND m.at = c.created_at GROUP BY c.household_id, m.at"
        )
        last_params = [*rows_params, *max_params]
        cursor.execute(
            f"UPDATE {t['stat']} SET last_visit_at = v.at, last_visit_id = v.last FROM ({last_sql}) v "  # noqa: S608
            f"WHERE v.household_id = {t['stat']}.household_id AND ({t['stat']}.last_visit_at {distinct} v.at "
            f"OR {t['stat']}.last_visit_id {distinct} v.last)",
            list(last_params),
        )
        out["visited"] = cursor.rowcount
        # NOT EXISTS, correlated on the household (an anti-join on the visits' household index): a NOT IN over
        # millions of visits is a nested scan on PostgreSQL once the list no longer fits in work_mem.
        any_counted, any_params = (
            Visit.objects.counted()
            .filter(household_id=RawSQL(f"{t['stat']}.household_id", ()))  # noqa: S611 - a table name
            .order_by()
            .values("pk")
            .query.sql_with_params()
        )
        cursor.execute(
            f"UPDATE {t['stat']} SET last_visit_at = NULL, last_visit_id = NULL "  # noqa: S608
            f"WHERE last_visit_at IS NOT NULL AND NOT EXISTS ({any_counted})",
            list(any_params),
        )
        out["cleared"] = cursor.rowcount
        month_sql, month_params = (
            Visit.objects.counted()
            .order_by()
            .annotate(m=TruncMonth("created_at", output_field=DateTimeField()))
            .values("household_id", "author_id", "m")
            .annotate(n=Count("id"), p=Max("area_path"))
            .query.sql_with_params()
        )
        month = "q.m::date" if pg else "substr(q.m, 1, 10)"
        cursor.execute(f"DELETE FROM {t['tally']}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {t['tally']} (household_id, author_id, month, visits, area_path) "  # noqa: S608
            f"SELECT q.household_id, q.author_id, {month}, q.n, q.p FROM ({month_sql}) q",
            list(month_params),
        )
        out["tallies"] = cursor.rowcount
        day_sql, day_params = (
            Visit.objects.counted()
            .order_by()
            .annotate(d=TruncDay("created_at", output_field=DateTimeField()))
            .values("author_id", "d")
            .annotate(n=Count("id"))
            .query.sql_with_params()
        )
        day = "q.d::date" if pg else "substr(q.d, 1, 10)"
        cursor.execute(f"DELETE FROM {t['days']}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {t['days']} (author_id, day, visits) SELECT q.author_id, {day}, q.n FROM ({day_sql}) q",  # noqa: S608
            list(day_params),
        )
        out["days"] = cursor.rowcount
        if pg:
            cursor.execute(f"ANALYZE {t['stat']}")
            cursor.execute(f"ANALYZE {t['tally']}")
            cursor.execute(f"ANALYZE {t['days']}")
    return out
