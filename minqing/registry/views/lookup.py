"""Hotline look-up pages: the caller box's results and the basic household card (``registry.lookup``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from minqing.core.htmx import render_list
from minqing.core.pagination import paginate
from minqing.core.scoping import can

from .. import lookup as lookups
from ..lookup import LOOKUP, LookupRefused


def caller_search(request: HttpRequest) -> dict[str, Any]:
    """The caller box's context (also used by the home page): the form values, and the results or the
    Chinese reason there are none. Nothing is searched (or audited) for an empty box."""
    q, village = request.GET.get("q", "")[:100], request.GET.get("village", "")[:100]
    context: dict[str, Any] = {
        "q": q,
        "village": village,
        "asks_village": lookups.needs_village(request.user),
    }
    context["lookup_cap"] = lookups.CAP
    if not q.strip():
        return context
    try:
        result = lookups.lookup(user=request.user, raw=q, village=village)
    except LookupRefused as refused:
        context["error"] = refused.message
        return context
    page = paginate(request, result.households, size=lookups.PAGE_SIZE)
    for household in page.rows:
        household.matched = result.matches.get(household.pk, [])
    context.update(result=result, page=page)
    return context


@login_required
def lookup_page(request: HttpRequest) -> HttpResponse:
    """来电查询: find a caller by phone, ID number or name (+ village) in the lookup scope."""
    if not request.user.can(LOOKUP):
        raise PermissionDenied(_("您的角色不能查询来电人信息。"))
    return render_list(
        request, "registry/lookup.html", "registry/_lookup_results.html", caller_search(request)
    )


@login_required
def household_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The basic household card: who lives there and how to reach them (masked), nothing more."""
    household = lookups.household_card(request.user, pk)
    context = {
        "household": household,
        "members": lookups.member_lines(household, request.user),
        "can_view": can(request.user, household, "view"),
    }
    return render(request, "registry/household_card.html", context)
