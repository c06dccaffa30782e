from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu flags for the base template, from the single permission table."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            # The hotline desk holds ``lookup`` only: its menu is the caller look-up, not lists it cannot read.
            "registry": user.can("view"),
            "lookup": user.can("lookup"),
            "audit": user.can("audit"),
            "manage": user.is_superuser or user.can("manage"),
        }
    }
