"""The hotline desk page (``/desk/``): type (or receive ``?phone=``) a number, see who it is, file at once.

Adapters only: the screen pop is ``desk.selectors.caller`` (scoped, audited), filing is the tickets' own
form handling over ``tickets.services.file_ticket``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from minqing.accounts.http import AuthedRequest
from minqing.core.phone import normalize_phone
from minqing.registry.lookup import LOOKUP, LookupRefused
from minqing.tickets import views as tickets

from . import selectors


def check_desk(request: AuthedRequest) -> None:
    if not request.user.can(LOOKUP):
        raise PermissionDenied(_("您的角色不能使用服务台。"))


def desk_context(request: AuthedRequest, phone: str, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "phone": phone,
        "error": "",
        "caller": None,
        "can_file": tickets.may_file(request.user),
    }
    if phone.strip():
        try:
            context["caller"] = selectors.caller(user=request.user, raw=phone)
        except LookupRefused as refused:
            context["error"] = refused.message
    filing = tickets.filing_context(request)
    values = filing["values"]
    if request.method != "POST":
        values["channel"] = "hotline"
        typed = phone.strip()
        values["caller_phone"] = "" if context["error"] else (normalize_phone(typed) or typed)
        caller = context["caller"]
        chosen = request.GET.get("household", "")
        if caller is not None and caller.households:
            shown = {str(c.household.pk): c.household for c in caller.households}
            household = shown.get(chosen) or caller.households[0].household
            values["household"] = str(household.pk)
            filing["household"], filing["areas"] = household, []
    return {**filing, **context, **extra}


@require_safe
@login_required
def desk(request: AuthedRequest) -> HttpResponse:
    """服务台: the caller box, the caller's card with cadre, open tickets and visits, and the filing form."""
    check_desk(request)
    phone = request.GET.get("phone", "")[:40]
    return render(request, "desk/index.html", desk_context(request, phone))


@require_POST
@login_required
def desk_file(request: AuthedRequest) -> HttpResponse:
    """File the call's request; refused input shows the desk again with the message and what was typed."""
    check_desk(request)
    if not tickets.may_file(request.user):
        raise PermissionDenied(_("您的角色不能登记诉求。"))
    phone = request.POST.get("phone", "")[:40]
    try:
        ticket, created = tickets.file_from_post(request)
    except ValidationError as error:
        context = desk_context(request, phone, errors=tickets.errors_of(error))
        return render(request, "desk/index.html", context, status=400)
    tickets.filed_message(request, ticket, created)
    return redirect("tickets:detail", pk=ticket.pk)
