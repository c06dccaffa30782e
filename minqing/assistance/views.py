"""Assistance pages: pair and unpair, the plan and its measures, pairings in scope, my paired households.

Every page finds the household through ``visible_to(user, "view")`` (404 outside); writing pages check the right
up front (403) and the services check it again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.db.models.functions import Concat
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.accounts.http import AuthedRequest
from minqing.areas.models import Area
from minqing.core.edit_page import form_page, version_of
from minqing.core.htmx import render_list
from minqing.core.limits import LimitExceeded
from minqing.core.pagination import paginate
from minqing.core.scoping import under
from minqing.registry.models import Household

from . import selectors, services
from .forms import EndPairingForm, MeasureForm, PairForm, PlanForm
from .models import AssistancePlan, Measure, MeasureStatus, Pairing


def _household(request: AuthedRequest, pk: int) -> Household:
    return get_object_or_404(Household.objects.visible_to(request.user, "view").select_related("area"), pk=pk)


@login_required
def pairing_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """结对: the open pairing and its history; pair a cadre or end the pairing (``assist`` right)."""
    household = _household(request, pk)
    if not selectors.can_pair(request.user, household):
        raise PermissionDenied
    pair_form = PairForm(request.POST if "pair" in request.POST else None, household=household)
    end_form = EndPairingForm(request.POST if "end" in request.POST else None)
    pairings = selectors.household_pairings(request.user, household)
    current = next((p for p in pairings if p.is_open), None)
    if request.method == "POST":
        try:
            if "pair" in request.POST and pair_form.is_valid():
                data = pair_form.cleaned_data
                services.pair(
                    actor=request.user,
                    household=household,
                    cadre=data["cadre"],
                    started_on=data["started_on"],
                )
                messages.success(request, _("已结对：%(name)s") % {"name": data["cadre"]})
                return redirect(household)
            if "end" in request.POST and current is not None and end_form.is_valid():
                data = end_form.cleaned_data
                services.end_pairing(
                    actor=request.user, pairing=current, ended_on=data["ended_on"], reason=data["end_reason"]
                )
                messages.success(request, _("已解除结对。"))
                return redirect(household)
        except ValidationError as error:
            (pair_form if "pair" in request.POST else end_form).add_service_error(error)
    context = {
        "household": household,
        "pairings": pairings,
        "current": current,
        "pair_form": pair_form,
        "end_form": end_form,
    }
    return render(request, "assistance/pairing.html", context)


@login_required
def plan_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """帮扶计划: the household's plans and measures, with the chain from risk to result."""
    household = _household(request, pk)
    plans = selectors.household_plans(request.user, household)
    context = {
        "household": household,
        "plans": plans,
        "chain": selectors.risk_chain(household, plans),
        "can_plan": selectors.can_plan(request.user, household),
        "statuses": MeasureStatus,
    }
    return render(request, "assistance/plan.html", context)


def _plannable(request: AuthedRequest, pk: int) -> Household:
    household = _household(request, pk)
    if not selectors.can_plan(request.user, household):
        raise PermissionDenied
    return household


@login_required
def plan_create(request: AuthedRequest, pk: int) -> HttpResponse:
    return _plan_form(request, _plannable(request, pk), None)


def _plan_form(request: AuthedRequest, household: Household, plan: AssistancePlan | None) -> HttpResponse:
    def save(form: PlanForm) -> AssistancePlan:
        if plan is None:
            return services.plan_create(actor=request.user, household=household, data=form.service_data())
        return services.plan_update(
            actor=request.user, plan=plan, data=form.service_data(), version=version_of(form)
        )

    return form_page(
        request,
        "assistance/plan_form.html",
        PlanForm(request.POST or None, instance=plan),
        save,
        reload=lambda fresh: PlanForm(instance=fresh),
        context={"household": household, "plan": plan},
        message=_("已保存帮扶计划。"),
        next_url=lambda saved: _plan_url(household),
    )


def _plan_url(household: Household) -> str:
    from django.urls import reverse

    return reverse("assistance:plan", args=[household.pk])


@login_required
def plan_edit(request: AuthedRequest, pk: int, plan_id: int) -> HttpResponse:
    household = _plannable(request, pk)
    plan = get_object_or_404(
        AssistancePlan.objects.visible_to(request.user, "view"), pk=plan_id, household=household
    )
    return _plan_form(request, household, plan)


@login_required
def measure_edit(
    request: AuthedRequest, pk: int, plan_id: int, measure_id: int | None = None
) -> HttpResponse:
    household = _plannable(request, pk)
    plan = get_object_or_404(
        AssistancePlan.objects.visible_to(request.user, "view"), pk=plan_id, household=household
    )
    measure = (
        get_object_or_404(Measure.objects.visible_to(request.user, "view"), pk=measure_id, plan=plan)
        if measure_id is not None
        else None
    )

    def save(form: MeasureForm) -> Measure:
        if measure is None:
            return services.measure_create(actor=request.user, plan=plan, data=form.service_data())
        return services.measure_update(
            actor=request.user, measure=measure, data=form.service_data(), version=version_of(form)
        )

    return form_page(
        request,
        "assistance/measure_form.html",
        MeasureForm(request.POST or None, instance=measure, household=household),
        save,
        reload=lambda fresh: MeasureForm(instance=fresh, household=household),
        context={"household": household, "plan": plan, "measure": measure},
        message=_("已保存帮扶措施。"),
        next_url=lambda saved: _plan_url(household),
    )


@login_required
def pairing_list(request: AuthedRequest) -> HttpResponse:
    """结对帮扶一览: pairings in scope, filtered by cadre name or username, village and open/ended."""
    rows = selectors.pairing_list(request.user)
    village = request.GET.get("village", "").strip()
    cadre = request.GET.get("cadre", "").strip()[:50]
    state = request.GET.get("state", "open")
    if village:
        rows = rows.filter(under("area_path", village))  # not an area code: nothing
    if cadre:
        rows = rows.alias(cadre_name=Concat("cadre__last_name", "cadre__first_name")).filter(
            Q(cadre__username=cadre) | Q(cadre_name=cadre)
        )
    if state == "open":
        rows = rows.filter(ended_on__isnull=True)
    elif state == "ended":
        rows = rows.filter(ended_on__isnull=False)
    villages = Area.objects.visible_to(request.user, "view").filter(level="village").order_by("code")[:200]
    context: dict[str, Any] = {
        "page": paginate(request, rows),
        "villages": villages,
        "village": village,
        "cadre": cadre,
        "state": state,
    }
    return render_list(request, "assistance/pairing_list.html", "assistance/_pairing_rows.html", context)


@login_required
def my_households(request: AuthedRequest) -> HttpResponse:
    """我的结对户: the households paired with the signed-in cadre."""
    context = {"page": paginate(request, selectors.my_pairings(request.user))}
    return render_list(request, "assistance/mine.html", "assistance/_mine_rows.html", context)


@require_POST
@login_required
def cadre_phone(request: AuthedRequest, pairing_id: int) -> HttpResponse:
    """htmx: the 帮扶责任人's phone in clear, for readers with the ``reveal`` right on the household (audited)."""
    pairing = get_object_or_404(
        Pairing.objects.visible_to(request.user, "view").select_related("cadre"), pk=pairing_id
    )
    try:
        value = services.cadre_phone_reveal(actor=request.user, pairing=pairing)
    except LimitExceeded as refused:
        return render(request, "registry/_reveal_refused.html", {"message": refused.message}, status=429)
    return render(request, "registry/_revealed.html", {"value": value})
