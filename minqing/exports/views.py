"""Export pages: start an export, follow its progress, download the file (owner only), list one's exports."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from minqing.core.htmx import render_list
from minqing.core.limits import LimitExceeded

from . import selectors, services
from .models import ExportJob


@require_POST
@login_required
def export_create(request: HttpRequest) -> HttpResponse:
    """POST kind + params (the search query string): small exports download at once, large ones become tasks."""
    if not request.user.can("export"):
        raise PermissionDenied
    kind, params = request.POST.get("kind", ""), request.POST.get("params", "")
    try:
        job = services.export_start(owner=request.user, kind=kind, params=params)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("exports:list")
    except LimitExceeded as refused:  # the daily export limit: audited, supervisors alerted
        return render(request, "429.html", {"message": refused.message}, status=429)
    if job.status == ExportJob.Status.DONE and not job.background:
        return _download(job)
    return redirect(job)


@require_safe
@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    jobs = selectors.jobs_of(request.user)[:50]
    context = {"jobs": jobs, "can_export": request.user.can("export")}
    return render_list(request, "exports/list.html", "exports/_rows.html", context)


@require_safe
@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "exports/detail.html", {"job": selectors.job_of(user=request.user, pk=pk)})


@require_safe
@never_cache
@login_required
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial; htmx polls it every second while the job is queued or running."""
    return render(request, "exports/_status.html", {"job": selectors.job_of(user=request.user, pk=pk)})


@require_safe
@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = selectors.job_of(user=request.user, pk=pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return _download(job)


def _download(job: ExportJob) -> FileResponse:
    try:
        handle = job.file.storage.open(job.file.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = job.download_name
    response["Content-Disposition"] = (
        f"attachment; filename=\"export-{job.pk}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
