"""Generic query helpers that every app's selectors share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

CAP = 10_000


def capped_count(qs: QuerySet[Any, Any], cap: int = CAP) -> tuple[int, bool]:
    """Count up to ``cap`` rows in one ``SELECT COUNT(*) FROM (… LIMIT cap+1)``; True when there are more.

    Lists show "10,000+" instead of counting a huge result to the end.
    """
    n = qs.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap
