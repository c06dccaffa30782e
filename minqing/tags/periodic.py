"""The nightly tag refresh as a periodic job (``PERIODIC_JOBS["refresh_tags"]``): ages change with the date."""

from __future__ import annotations

from minqing.tags.services import refresh_all, sync_catalog


def refresh_tags() -> str:
    created = sync_catalog()
    totals = refresh_all()
    return f"catalog +{created}; {totals['tags']} tags refreshed, +{totals['added']} −{totals['removed']}"
