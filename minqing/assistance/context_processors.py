"""The menu of a cadre whose only right on households comes from pairings (a department official)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from minqing.registry.models.paired import pairing_grants


def pairing_navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav_paired``: show 我的结对户, 走访 and 我的待访 to a user who visits households through pairings only.

    Users who read households by area have those links already and cost no query here.
    """
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.can("view"):
        return {}
    return {"nav_paired": pairing_grants(user, "visit")}
