"""Pages: 签到 (the cadre's button and month), 考勤统计 (the report and its Excel), 签到规则 (managers)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from minqing.core.htmx import render_list
from minqing.core.middleware import ip_of
from minqing.core.pagination import paginate
from minqing.core.scoping import path_allowed

from . import selectors, services
from .forms import CheckInForm, RuleForm
from .models import CheckInRule
from .report import report_workbook
from .workdays import month_of, parse_month, shift

REPORT_PAGE_SIZE = 50


def _user(request: HttpRequest) -> Any:
    return request.user  # signed in (login_required): an accounts.User


@require_safe
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The cadre's page: the big button, today's status, the month."""
    user = _user(request)
    first = parse_month(
        request.GET.get("month"), default=timezone.localdate()
    ) or timezone.localdate().replace(day=1)
    data = selectors.my_month(user, month_of(first))
    context = {
        "data": data,
        "form": CheckInForm(),
        "previous": shift(first, -1).strftime("%Y-%m"),
        "next": shift(first, 1).strftime("%Y-%m") if shift(first, 1) <= data.today else "",
        "can_report": user.can("view"),
        "can_manage": user.can("manage"),
        "weekdays": [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")],
    }
    return render(request, "checkins/index.html", context)


@require_POST
@login_required
def check_in(request: HttpRequest) -> HttpResponse:
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("定位数据无效，请重新获取定位后签到。"))
        return redirect("checkins:index")
    try:
        checkin, created = services.checkin_submit(
            user=_user(request), ip=ip_of(request), **form.cleaned_data
        )
    except PermissionDenied as error:
        messages.error(request, str(error) or _("您无需签到。"))
        return redirect("checkins:index")
    except ValidationError as error:  # a refusal (recorded) or a position out of range
        messages.error(request, " ".join(error.messages))
        return redirect("checkins:index")
    if created:
        messages.success(
            request, _("签到成功：%(time)s") % {"time": timezone.localtime(checkin.at).strftime("%H:%M")}
        )
    else:
        messages.info(
            request,
            _("今日已签到（%(time)s），无需重复签到。")
            % {"time": timezone.localtime(checkin.at).strftime("%H:%M")},
        )
    return redirect("checkins:index")


def _report_input(request: HttpRequest, action: str) -> tuple[Any, Any]:
    """The area (readable, else 404) and month (bad input: 404 too, never a 500) of a report request."""
    user = _user(request)
    if not user.can(action):
        raise PermissionDenied
    code = request.GET.get("area")
    area = selectors.area_for(user, code, action) if code else selectors.default_area(user, action)
    first = parse_month(request.GET.get("month"), default=timezone.localdate())
    if area is None or first is None:
        raise Http404(_("没有找到该区域或月份，请从列表中选择。"))
    return area, month_of(first)


@require_safe
@login_required
def report(request: HttpRequest) -> HttpResponse:
    """考勤统计: per cadre of the area, days checked in against the month's working days, refusals, ranked."""
    area, month = _report_input(request, "view")
    user = _user(request)
    rows = selectors.report_queryset(area, month)
    page = paginate(request, rows, size=REPORT_PAGE_SIZE)
    page.with_total(selectors.members(area).values("user_id").distinct().count(), unit=_("人"))
    start = ((page.number or 1) - 1) * REPORT_PAGE_SIZE + 1
    context = {
        "area": area,
        "month": month,
        "page": page,
        "rows": selectors.report_rows(page.rows, area, month, start=start),
        "due": month.workdays_until(timezone.localdate()),
        "choices": selectors.area_choices(user),
        "can_export": path_allowed(user.scope_prefixes("export"), area.code),  # in memory, no query
    }
    return render_list(request, "checkins/report.html", "checkins/_report_rows.html", context)


@require_safe
@login_required
def report_export(request: HttpRequest) -> HttpResponse:
    """The report as an Excel file (export right over the area; audited)."""
    area, month = _report_input(request, "export")
    users = list(selectors.report_queryset(area, month))
    rows = selectors.report_rows(users, area, month)
    body = report_workbook(area=area, month=month, rows=rows)
    services.report_exported(actor=_user(request), area=area, month=month.label, rows=len(rows))
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"checkins-{area.code}-{month.label}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.can("manage"):
        raise PermissionDenied
    if request.GET.get("area"):  # the picker: open the chosen area's rule
        area = selectors.area_for(user, request.GET["area"], "manage")
        if area is None:
            raise Http404
        return redirect("checkins:rule_edit", code=area.code)
    context = {
        "page": paginate(request, selectors.rule_list(user)),
        "choices": selectors.area_choices(user, "manage"),
    }
    return render_list(request, "checkins/rules.html", "checkins/_rule_rows.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    """One area's rule: shown with the rule it inherits when it has none of its own; saved or deleted."""
    user = _user(request)
    area = selectors.area_for(user, code, "manage")
    if area is None:
        raise Http404
    own = CheckInRule.objects.filter(area=area).first()
    inherited = None if own else services.effective_rule(area)
    form = RuleForm(instance=own or CheckInRule(area=area, area_path=area.code))
    if request.method == "POST" and "delete" in request.POST:
        services.rule_delete(actor=user, area=area)
        messages.success(request, _("已删除本级签到规则，今后按上级区域的规则签到。"))
        return redirect("checkins:rules")
    if request.method == "POST":
        form = RuleForm(request.POST, instance=own or CheckInRule(area=area, area_path=area.code))
        if form.is_valid():
            try:
                services.rule_save(actor=user, area=area, data=form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("签到规则已保存。"))
                return redirect("checkins:rules")
    context = {"area": area, "form": form, "own": own, "inherited": inherited}
    return render(request, "checkins/rule_form.html", context)
