"""The action forms of a ticket: one POST view per transition, each calling its one service.

A refused input (``ValidationError``) shows the ticket again with the Chinese message and what was typed
(status 400); ``PermissionDenied`` is 403 and a ticket out of view 404, as the services raise them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.accounts.http import AuthedRequest

from . import selectors, services
from .views import detail_context, errors_of, id_list, ids


def act(request: AuthedRequest, pk: int, name: str, run: Callable[[], Any]) -> HttpResponse:
    try:
        run()
    except ValidationError as error:
        ticket = selectors.ticket_detail(request.user, pk)
        context = detail_context(
            request, ticket, errors=errors_of(error), failed=name, posted=request.POST.dict()
        )
        return render(request, "tickets/detail.html", context, status=400)
    messages.success(request, _("已%(action)s。") % {"action": services.ACTION_LABELS[name]})
    return redirect("tickets:detail", pk=pk)


def posted_route(request: AuthedRequest, pk: int) -> services.Route | None:
    """A route from the form's ``departments`` / ``area`` / ``cadre`` (None when nothing was chosen)."""
    departments = id_list(request.POST.getlist("departments"), "departments")
    found = ids(request.POST, ("area", "cadre"))
    if not departments and not found["area"] and not found["cadre"]:
        return None
    return services.build_route(
        ticket=selectors.ticket_detail(request.user, pk),
        department_ids=departments,
        area_id=found["area"],
        cadre_id=found["cadre"],
    )


def approve_of(request: AuthedRequest) -> bool:
    value = request.POST.get("approve", "")
    if value not in ("0", "1"):
        raise ValidationError({"approve": _("请选择同意或不同意。")}, code="approve")
    return value == "1"


def until_of(request: AuthedRequest) -> datetime.datetime:
    raw = request.POST.get("until", "").strip()
    found = parse_datetime(raw) if raw else None
    if found is None:
        raise ValidationError({"until": _("请填写申请延期到的日期和时间。")}, code="until")
    return timezone.make_aware(found) if timezone.is_naive(found) else found


@require_POST
@login_required
def accept(request: AuthedRequest, pk: int) -> HttpResponse:
    return act(request, pk, "accept", lambda: services.accept(actor=request.user, ticket=pk))


@require_POST
@login_required
def reply(request: AuthedRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return act(request, pk, "reply", lambda: services.reply(actor=request.user, ticket=pk, note=note))


@require_POST
@login_required
def resolve(request: AuthedRequest, pk: int) -> HttpResponse:
    answer = request.POST.get("answer", "")
    return act(request, pk, "resolve", lambda: services.resolve(actor=request.user, ticket=pk, answer=answer))


@require_POST
@login_required
def escalate(request: AuthedRequest, pk: int) -> HttpResponse:
    def run() -> Any:
        departments = id_list(request.POST.getlist("departments"), "departments")
        return services.escalate(
            actor=request.user,
            ticket=pk,
            reason=request.POST.get("reason", ""),
            departments=departments or None,
        )

    return act(request, pk, "escalate", run)


@require_POST
@login_required
def return_ticket(request: AuthedRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return act(
        request, pk, "return", lambda: services.return_ticket(actor=request.user, ticket=pk, reason=reason)
    )


@require_POST
@login_required
def review_return(request: AuthedRequest, pk: int) -> HttpResponse:
    def run() -> Any:
        return services.review_return(
            actor=request.user,
            ticket=pk,
            approve=approve_of(request),
            note=request.POST.get("note", ""),
            route=posted_route(request, pk),
        )

    return act(request, pk, "review_return", run)


@require_POST
@login_required
def dispatch(request: AuthedRequest, pk: int) -> HttpResponse:
    def run() -> Any:
        route = posted_route(request, pk) or services.Route()
        return services.dispatch(
            actor=request.user, ticket=pk, route=route, note=request.POST.get("note", "")
        )

    return act(request, pk, "dispatch", run)


@require_POST
@login_required
def request_extension(request: AuthedRequest, pk: int) -> HttpResponse:
    def run() -> Any:
        return services.request_extension(
            actor=request.user, ticket=pk, until=until_of(request), reason=request.POST.get("reason", "")
        )

    return act(request, pk, "request_extension", run)


@require_POST
@login_required
def decide_extension(request: AuthedRequest, pk: int) -> HttpResponse:
    def run() -> Any:
        return services.decide_extension(
            actor=request.user, ticket=pk, approve=approve_of(request), note=request.POST.get("note", "")
        )

    return act(request, pk, "decide_extension", run)


@require_POST
@login_required
def visit_back(request: AuthedRequest, pk: int) -> HttpResponse:
    def run() -> Any:
        return services.visit_back(
            actor=request.user,
            ticket=pk,
            satisfaction=request.POST.get("satisfaction", ""),
            note=request.POST.get("note", ""),
        )

    return act(request, pk, "visit_back", run)


@require_POST
@login_required
def archive(request: AuthedRequest, pk: int) -> HttpResponse:
    return act(request, pk, "archive", lambda: services.archive(actor=request.user, ticket=pk))


@require_POST
@login_required
def supervise(request: AuthedRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return act(request, pk, "supervise", lambda: services.supervise(actor=request.user, ticket=pk, note=note))
