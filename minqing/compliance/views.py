"""Compliance pages (phone-first): an area's coverage and who is behind, my due list, a cadre's activity,
and the quota rules. Thin adapters over ``selectors``/``due`` (reads) and ``services`` (rule writes)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from minqing.areas.models import ancestor_paths
from minqing.core.htmx import render_list
from minqing.core.pagination import paginate
from minqing.core.scoping import scope_root
from minqing.registry.models.paired import pairing_grants

from . import due, periods, selectors, services
from .forms import QuotaRuleForm
from .models import QuotaRule


def _reader(request: HttpRequest) -> Any:
    user: Any = request.user  # login_required: an accounts.User
    if not user.can("view"):
        raise PermissionDenied
    return user


@require_safe
@login_required
def area_page(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    path = selectors.pick_area(user, request.GET.get("area"))
    if path is None:
        raise Http404
    period = periods.parse(request.GET.get("period"))
    summary = selectors.summary(user, path, period)
    page = paginate(request, selectors.not_visited(user, path, summary.period), size=20)
    page.with_total(summary.households - summary.visited, unit=_("户"))
    context = {
        "s": summary,
        "page": page,
        "choices": [summary.period.previous(), summary.period, summary.period.previous().previous()],
    }
    return render_list(request, "compliance/area.html", "compliance/_not_visited_rows.html", context)


@require_safe
@login_required
def due_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (user.can("visit") or pairing_grants(user, "visit")):
        raise PermissionDenied
    return render(request, "compliance/due.html", {"d": due.due_list(user)})


@require_safe
@login_required
def cadre_page(request: HttpRequest, user_id: int) -> HttpResponse:
    reader = _reader(request)
    assignments = due.visible_cadre(reader, user_id)
    if not assignments:
        raise Http404
    return render(request, "compliance/cadre.html", {"a": due.activity(reader, assignments)})


@require_safe
@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    root = scope_root(user, "view")
    own = QuotaRule.objects.visible_to(user, "view")
    inherited = (
        QuotaRule.objects.filter(area_path__in=ancestor_paths(root)) if root else QuotaRule.objects.none()
    )
    rules = list((own | inherited).select_related("area").order_by("area_path", "kind", "role")[:500])
    rows = [(rule, services.may_manage_rules(user, rule.area_path)) for rule in rules]
    can_add = user.is_superuser or user.can("manage") or user.can("assist")
    return render(request, "compliance/rules.html", {"rows": rows, "can_add": can_add})


def _rule_form(request: HttpRequest, rule: QuotaRule | None) -> HttpResponse:
    user: Any = request.user
    form = QuotaRuleForm(request.POST or None, user=user, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_save(
                actor=user, rule=rule, area=form.cleaned_data["area"], data=form.service_data()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("考核规则已保存。"))
            return redirect("compliance:rules")
    return render(request, "compliance/rule_form.html", {"form": form, "rule": rule})


@login_required
def rule_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (user.is_superuser or user.can("manage") or user.can("assist")):
        raise PermissionDenied
    return _rule_form(request, None)


def _rule_in_scope(request: HttpRequest, pk: int) -> QuotaRule:
    user: Any = request.user
    rule = get_object_or_404(QuotaRule.objects.visible_to(user, "view").select_related("area"), pk=pk)
    if not services.may_manage_rules(user, rule.area_path):
        raise PermissionDenied
    return rule


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rule_form(request, _rule_in_scope(request, pk))


@require_POST
@login_required
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule_in_scope(request, pk)
    services.rule_delete(actor=request.user, rule=rule)  # type: ignore[arg-type]
    messages.success(request, _("考核规则已删除。"))
    return redirect("compliance:rules")
