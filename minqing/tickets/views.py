"""Ticket pages: the lists (我的, 部门, 区域, 待分派), filing with the proposed route, one ticket with its
timeline, the figures. Adapters only: reads through ``selectors`` (scoped), writes through ``services``;
the action forms of a ticket are in ``actions``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from minqing.accounts.http import AuthedRequest
from minqing.accounts.models import Department
from minqing.areas.models import Area
from minqing.core.htmx import render_list
from minqing.core.pagination import paginate
from minqing.registry.models import Household

from . import pages, selectors, services
from .filters import MAX_ID, TicketFilter
from .models import Category, Channel, Kind, Satisfaction, Status, Ticket, Urgency

FILING_FIELDS = (
    "channel",
    "kind",
    "category",
    "urgency",
    "household",
    "person",
    "area",
    "caller_name",
    "caller_phone",
    "description",
    "answer",
    "client_id",
    "visit",
)
ID_FIELDS = ("category", "household", "person", "area", "visit")


def errors_of(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def ids(data: Mapping[str, Any], names: tuple[str, ...] = ID_FIELDS) -> dict[str, int | None]:
    """Read id fields of a form: empty is None; anything but a number in range is a field error."""
    found: dict[str, int | None] = {}
    for name in names:
        raw = str(data.get(name) or "").strip()
        if raw and (not raw.isdigit() or not 1 <= int(raw) <= MAX_ID):
            raise ValidationError({name: _("所选项目无效，请重新选择。")}, code="invalid")
        found[name] = int(raw) if raw else None
    return found


def id_list(values: list[str], name: str) -> list[int]:
    if any(not v.isdigit() or not 1 <= int(v) <= MAX_ID for v in values):
        raise ValidationError({name: _("所选项目无效，请重新选择。")}, code="invalid")
    return [int(v) for v in values]


def may_file(user: Any) -> bool:
    return any(user.can(action) for action in ("dispatch", "handle", "visit"))


def filing_households(user: Any) -> Any:
    """Households a ticket may be filed for: the look-up scope (the desk) or the visit scope (a grid worker)."""
    lookup = Household.objects.visible_to(user, "lookup")
    return Household.objects.filter(
        Q(pk__in=lookup.values("pk")) | Q(pk__in=Household.objects.visible_to(user, "visit").values("pk"))
    )


def filing_areas(user: Any) -> list[Area]:
    """Villages and townships where the user may file (an anonymous caller's matter lies somewhere)."""
    rows = Area.objects.none()
    for action in ("dispatch", "handle"):
        rows = rows | Area.objects.visible_to(user, action)
    return list(rows.filter(level__in=["township", "village"]).order_by("code")[:500])


@require_safe
@login_required
def ticket_list(request: AuthedRequest) -> HttpResponse:
    """The tabs of the list; the filters are shared with the API (``TicketFilter``)."""
    pages.check_reader(request.user)
    tabs = pages.tabs_for(request.user)
    default = "department" if "department" in tabs else "area"
    tab = request.GET.get("tab", "") if request.GET.get("tab", "") in tabs else default
    filters = TicketFilter(request.GET, queryset=pages.tab_rows(request.user, tab), request=request)
    context = {
        "tabs": [(name, pages.TAB_LABELS[name]) for name in tabs],
        "tab": tab,
        "filters": filters,
        "page": paginate(request, filters.qs),
        "statuses": Status.choices,
        "channels": Channel.choices,
        "kinds": Kind.choices,
        "urgencies": Urgency.choices,
        "categories": selectors.category_tree(),
        "can_file": may_file(request.user),
        "now": timezone.now(),
    }
    return render_list(request, "tickets/list.html", "tickets/_rows.html", context)


def filing_context(request: AuthedRequest, **extra: Any) -> dict[str, Any]:
    posted = request.method == "POST"
    source = request.POST if posted else request.GET
    values = {name: source.get(name, "") for name in FILING_FIELDS}
    values["channel"] = values["channel"] or Channel.HOTLINE
    values["kind"] = values["kind"] or Kind.HELP
    values["urgency"] = values["urgency"] or Urgency.NORMAL
    values["client_id"] = values["client_id"] or str(uuid.uuid4())
    household = None
    if values["household"].isdigit() and int(values["household"]) <= MAX_ID:
        household = filing_households(request.user).filter(pk=int(values["household"])).first()
    query = request.GET.get("hq", "").strip()[:50]
    found: list[Household] = []
    if query and household is None:
        found = list(
            filing_households(request.user)
            .filter(Q(head_name__startswith=query) | Q(number__startswith=query))
            .order_by("area_path", "number")[:10]
        )
    return {
        "values": values,
        "errors": {},
        "household": household,
        "hq": query,
        "found": found,
        "channels": Channel.choices,
        "kinds": Kind.choices,
        "urgencies": Urgency.choices,
        "categories": selectors.category_tree(),
        "areas": [] if household is not None else filing_areas(request.user),
        "departments": list(Department.objects.filter(is_active=True).order_by("name")),
        "chosen_departments": request.POST.getlist("departments") if posted else [],
        "custom_route": posted and request.POST.get("custom_route") == "1",
        **extra,
    }


def chosen_route(request: AuthedRequest) -> services.Route | None:
    """The operator's route when they changed the proposal (``custom_route``), else None (the rules')."""
    if request.POST.get("custom_route") != "1":
        return None
    cadre = ids(request.POST, ("cadre",))["cadre"]
    return services.build_route(
        ticket=Ticket(),
        department_ids=id_list(request.POST.getlist("departments"), "departments"),
        cadre_id=cadre,
    )


def file_from_post(request: AuthedRequest) -> tuple[Ticket, bool]:
    """Parse the filing form and call ``file_ticket`` (the desk's form posts the same fields)."""
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in FILING_FIELDS}
    data.update(ids(request.POST))
    if request.POST.get("close_now") == "1":  # a question answered during the call: filed and closed at once
        return services.close_on_phone(
            actor=request.user,
            data=data,
            client_id=request.POST.get("client_id"),
            answer=request.POST.get("answer", ""),
        )
    return services.file_ticket(
        actor=request.user, data=data, client_id=request.POST.get("client_id"), route=chosen_route(request)
    )


def filed_message(request: AuthedRequest, ticket: Ticket, created: bool) -> None:
    if created:
        messages.success(request, _("诉求已登记，工单编号 %(number)s。") % {"number": ticket.number})
    else:
        messages.info(request, _("这张工单已经登记过了（%(number)s）。") % {"number": ticket.number})


@require_http_methods(["GET", "POST"])
@login_required
def ticket_new(request: AuthedRequest) -> HttpResponse:
    """登记诉求: the household (or an anonymous caller), the matter, and the proposed route."""
    if not may_file(request.user):
        raise PermissionDenied(_("您的角色不能登记诉求。"))
    if request.method == "POST":
        try:
            ticket, created = file_from_post(request)
        except ValidationError as error:
            return render(
                request, "tickets/new.html", filing_context(request, errors=errors_of(error)), status=400
            )
        filed_message(request, ticket, created)
        return redirect("tickets:detail", pk=ticket.pk)
    return render(request, "tickets/new.html", filing_context(request))


@require_safe
@login_required
def route_preview(request: AuthedRequest) -> HttpResponse:
    """The route the rules propose for the category and household (or area): the filing form's htmx part."""
    if not may_file(request.user):
        raise PermissionDenied(_("您的角色不能登记诉求。"))
    try:
        found = ids(request.GET, ("category", "household", "area"))
    except ValidationError as error:
        return render(request, "tickets/_route.html", {"errors": errors_of(error)}, status=400)
    departments = list(Department.objects.filter(is_active=True).order_by("name"))
    context: dict[str, Any] = {"route": None, "departments": departments}
    category = _category(found["category"])
    if category is not None:
        household = None
        if found["household"]:
            household = filing_households(request.user).filter(pk=found["household"]).first()
            if household is None:
                raise Http404
        area = Area.objects.filter(pk=found["area"]).first() if found["area"] else None
        path = household.area_path if household is not None else (area.code if area is not None else "")
        route = services.propose_route(category=category, area_path=path, household=household)
        cadre = services.paired_cadre(household)
        context.update(route=route, cadre=cadre, proposed_ids=[d.pk for d in route.departments])
    return render(request, "tickets/_route.html", context)


def _category(pk: int | None) -> Category | None:
    return Category.objects.filter(pk=pk, is_active=True).first() if pk else None


def detail_context(request: AuthedRequest, ticket: Ticket, **extra: Any) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "handlers": list(ticket.handlers.all()),
        "events": list(ticket.events.all()),
        "labels": services.ACTION_LABELS,
        "actions": pages.available_actions(request.user, ticket),
        "satisfactions": Satisfaction.choices,
        "departments": list(Department.objects.filter(is_active=True).order_by("name")),
        # The ticket's village and township: where a dispatcher below the county may send it.
        "levels": list(
            Area.objects.filter(code__in=[ticket.area_path[:9], ticket.area_path[:12]]).order_by("code")
        ),
        "now": timezone.now(),
        "errors": {},
        "failed": "",
        **extra,
        # What was typed into the refused form; every other form's fields read as empty.
        "posted": defaultdict(str, extra.get("posted") or {}),
    }


@require_safe
@login_required
def ticket_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_detail(request.user, pk)
    return render(request, "tickets/detail.html", detail_context(request, ticket))


@require_safe
@login_required
def ticket_stats(request: AuthedRequest) -> HttpResponse:
    """Figures per area (townships, or villages with ``?level=village``) and per department."""
    pages.check_reader(request.user)
    level = "village" if request.GET.get("level") == "village" else "township"
    context = {
        "level": level,
        "areas": selectors.stats_by_area(request.user, length=12 if level == "village" else 9),
        "departments": selectors.stats_by_department(request.user),
    }
    return render(request, "tickets/stats.html", context)
