"""The small seam for database-specific speed-ups (STYLE §1.5). Each function is a no-op where it does not apply."""

from __future__ import annotations

from django.db import connection
from django.db.models import Model


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
