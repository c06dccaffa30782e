"""The menu link to the requests (诉求工单) for everyone who reads some: by area, by desk, by department."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .pages import may_read_tickets


def ticket_navigation(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_tickets": may_read_tickets(user)}
