"""The daily overdue sweep as a periodic job (``PERIODIC_JOBS["tickets_sweep"]``)."""

from __future__ import annotations

from .services import sweep


def tickets_sweep() -> str:
    return f"overdue tickets supervised: {sweep()}"
