"""The jobs page (后台任务) for data admins and superusers: tasks of their area, with progress and errors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from minqing.accounts.http import AuthedRequest
from minqing.core.htmx import render_list
from minqing.core.pagination import paginate

from . import selectors
from .framework import TaskResultStatus


@require_safe
@never_cache
@login_required
def task_list(request: AuthedRequest) -> HttpResponse:
    """403 without the manage right; otherwise the tasks whose requester's area lies in the user's manage scope."""
    if not selectors.may_manage_tasks(request.user):
        raise PermissionDenied
    tasks = selectors.tasks_for(request.user)
    status = request.GET.get("status", "")
    if status in TaskResultStatus.values:
        tasks = tasks.filter(status=status)
    context = {
        "page": paginate(request, tasks),
        "status": status,
        "statuses": TaskResultStatus.choices,
        "workers": selectors.worker_summary(),
    }
    return render_list(request, "jobs/task_list.html", "jobs/_task_rows.html", context)
