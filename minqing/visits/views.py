"""Visit-log pages: my and my area's entries, the phone form, an entry with its thread, its photos.

Adapters only: the scoped reads are in ``selectors``, every write is a ``services`` call (which checks the
scope again), out of scope is 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from minqing.accounts.http import AuthedRequest
from minqing.core.htmx import render_list
from minqing.core.pagination import paginate
from minqing.core.scoping import can
from minqing.registry.models import Household
from minqing.registry.models.paired import pairing_grants

from . import selectors, services
from .filters import VisitFilter
from .models import EntryType, Visit, VisitKind, VisitPhoto

FIELDS = ("kind", "found", "done", "raised", "reason", "latitude", "longitude", "accuracy_m", "client_id")


def may(user: Any, action: str) -> bool:
    """The action somewhere: by area, or through pairings alone (a department official's paired households)."""
    return bool(user.can(action)) or pairing_grants(user, action)


def _reader(request: AuthedRequest) -> None:
    if not may(request.user, "view"):
        raise PermissionDenied(_("您的角色不能查看走访记录。"))


@require_safe
@login_required
def visit_list(request: AuthedRequest) -> HttpResponse:
    """My entries and, for readers, every entry in scope; filters shared with the API."""
    _reader(request)
    filters = VisitFilter(request.GET, queryset=selectors.visit_list(request.user), request=request)
    context = {
        "filters": filters,
        "page": paginate(request, filters.qs),
        "kinds": VisitKind.choices,
        "can_visit": may(request.user, "visit"),
    }
    return render_list(request, "visits/list.html", "visits/_rows.html", context)


def _errors(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def _form_context(request: AuthedRequest, household: Household, **extra: Any) -> dict[str, Any]:
    posted = request.method == "POST"
    values = {name: request.POST.get(name, "") if posted else "" for name in FIELDS}
    values["client_id"] = values["client_id"] or str(uuid.uuid4())
    can_edit = can(request.user, household, "change")
    return {
        "household": household,
        "kinds": VisitKind.choices,
        "values": values,
        "errors": {},
        "can_edit": can_edit,  # links to the registry's own edit pages, for changes seen during the visit
        "members": list(household.members.only("pk", "name").order_by("pk")) if can_edit else [],
        **extra,
    }


def _household_picker(request: AuthedRequest) -> HttpResponse:
    """Without ``?household=``: find the household to visit among those the user may visit."""
    query = request.GET.get("q", "").strip()[:50]
    rows = Household.objects.visible_to(request.user, "visit")
    if query:
        rows = rows.filter(
            Q(head_name__contains=query) | Q(number__startswith=query) | Q(address__contains=query)
        )
    households = list(rows.order_by("area_path", "number")[:20])
    return render(request, "visits/pick.html", {"households": households, "q": query})


@require_http_methods(["GET", "POST"])
@login_required
def visit_new(request: AuthedRequest) -> HttpResponse:
    """The phone form: kind chips, two text boxes, photos, location; one tap to save."""
    if not may(request.user, "visit"):
        raise PermissionDenied(_("您的角色不能记录走访。"))
    raw = request.GET.get("household") or request.POST.get("household") or ""
    if not raw:
        return _household_picker(request)
    if not raw.isdigit():
        raise Http404
    household = services.visit_household(request.user, int(raw))
    if request.method == "POST":
        try:
            visit, created = services.log_visit(
                actor=request.user,
                household=household,
                data=request.POST,
                photos=request.FILES.getlist("photos"),
                client_id=request.POST.get("client_id"),
            )
        except ValidationError as error:
            context = _form_context(request, household, errors=_errors(error))
            return render(request, "visits/form.html", context, status=400)
        messages.success(request, _("走访记录已保存。") if created else _("这条记录已经保存过了。"))
        return redirect(visit)
    return render(request, "visits/form.html", _form_context(request, household))


@require_safe
@login_required
def household_visits(request: AuthedRequest, pk: int) -> HttpResponse:
    """The household page's visit timeline (loaded by htmx): its latest current entries, with thumbnails."""
    household = get_object_or_404(Household.objects.visible_to(request.user, "view"), pk=pk)
    context = {"household": household, "visits": selectors.household_timeline(request.user, household)}
    return render(request, "visits/_timeline.html", context)


@require_safe
@login_required
def visit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    thread = selectors.visit_thread(request.user, pk)
    visit = thread.visit
    mine = visit.author_id == request.user.pk and thread.later is None
    context = {
        "thread": thread,
        "visit": visit,
        "can_change": mine and visit.entry_type != EntryType.WITHDRAWAL,
        "in_grace": visit.in_grace(),
        "withdraw_id": uuid.uuid4(),  # the withdrawal's idempotency key: a double tap withdraws once
    }
    return render(request, "visits/detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def visit_revise(request: AuthedRequest, pk: int) -> HttpResponse:
    """修改 (within the grace period) or 更正 (after it): a new entry replacing this one."""
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user, "view").select_related("household"), pk=pk
    )
    if visit.author_id != request.user.pk:
        raise PermissionDenied(_("只有记录人本人可以修改、撤回或更正这条走访记录。"))
    correction = not visit.in_grace()
    extra = {"visit": visit, "correction": correction}
    if request.method == "POST":
        try:
            new, _created = services.visit_revise(
                actor=request.user,
                visit=visit,
                data={**request.POST.dict(), "keep_photos": request.POST.get("keep_photos") == "1"},
                photos=request.FILES.getlist("photos"),
                client_id=request.POST.get("client_id"),
                correction=correction,
            )
        except ValidationError as error:
            context = _form_context(request, visit.household, errors=_errors(error), **extra)
            return render(request, "visits/form.html", context, status=400)
        messages.success(request, _("更正已保存，原记录保留。") if correction else _("修改已保存。"))
        return redirect(new)
    context = _form_context(request, visit.household, **extra)
    context["values"].update({name: getattr(visit, name) for name in ("kind", "found", "done", "raised")})
    return render(request, "visits/form.html", context)


@require_POST
@login_required
def visit_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(Visit.objects.visible_to(request.user, "view"), pk=pk)
    try:
        services.visit_withdraw(
            actor=request.user,
            visit=visit,
            reason=request.POST.get("reason", ""),
            client_id=request.POST.get("client_id"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(visit)
    messages.success(request, _("记录已撤回，不再计入走访次数。"))
    return redirect(visit)


# ------------------------------------------------------------------------------------------ photo files


def photo_response(field: FieldFile) -> FileResponse:
    """A stored photo, inline, never cached nor sniffed (the same headers as registry attachments)."""
    try:
        handle = field.storage.open(field.name or "", "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


def scoped_photo(user: Any, pk: int, position: int) -> VisitPhoto:
    """Photo ``position`` of entry ``pk``, found through the user's view scope (404 otherwise)."""
    return get_object_or_404(VisitPhoto.objects.visible_to(user, "view"), visit_id=pk, position=position)


@require_safe
@login_required
def visit_photo(request: AuthedRequest, pk: int, position: int) -> FileResponse:
    return photo_response(scoped_photo(request.user, pk, position).file)


@require_safe
@login_required
def visit_photo_thumb(request: AuthedRequest, pk: int, position: int) -> FileResponse:
    return photo_response(scoped_photo(request.user, pk, position).thumbnail)
