"""The supervisors' page 查看与导出监督 (audit right only; their area's rows only)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from minqing.core.htmx import render_list

from . import selectors


@require_safe
@login_required
def oversight(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # signed in (login_required): an accounts.User
    if not user.can("audit"):
        raise PermissionDenied
    context = selectors.oversight(request=request, user=user)
    return render_list(request, "privacy/oversight.html", "privacy/_oversight_rows.html", context)
