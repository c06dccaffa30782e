"""Condition search (条件筛选), saved searches, key groups (重点人群), gaps (信息不全) and manual tags.

Adapters only: the shared filtersets read through ``visible_to``; counts are capped; writes call services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import push_url

from minqing.areas.models import Area
from minqing.core.htmx import render_list, vary_on_htmx, wants_fragment
from minqing.core.queries import few_or_walk
from minqing.registry.selectors import paginate_list
from minqing.tags.selectors import tag_catalog, tags_by_category

from . import selectors
from .filters import offered, search_queryset, walking
from .forms import (
    SEARCHES,
    SaveSearchForm,
    applied_conditions,
    bound_fields,
    canonical_params,
    canonical_query,
    search_data,
    selected_tags,
    style,
    tag_chips,
    tag_pickers,
)
from .models import SavedSearch
from .services import saved_search_delete, saved_search_save

PERSON, HOUSEHOLD = SavedSearch.Target.PERSON, SavedSearch.Target.HOUSEHOLD


def search_context(request: HttpRequest, target: str, query: QueryDict) -> dict[str, Any]:
    """Everything a search page and its results partial show, in a bounded number of queries."""
    filterset_class, main, more = SEARCHES[target]
    rows = selectors.person_rows(request.user) if target == PERSON else selectors.household_list(request.user)
    data = search_data(query)
    filters = filterset_class(data, queryset=rows, request=request)
    found = search_queryset(filters)
    few, rows_to_page = few_or_walk(found, walk=walking(filters))
    count, capped = (few, False) if few is not None else selectors.search_count(filters, found)
    style(filters.form)
    unit = _("人") if target == PERSON else _("户")
    return {
        "target": target,
        "filters": filters,
        "page": paginate_list(request, rows_to_page).with_total(count, capped, unit),
        "count": count,
        "capped": capped,
        "main_fields": bound_fields(filters, offered(request.user, filters, main)),
        "more_fields": bound_fields(filters, offered(request.user, filters, more)),
        "selected": selected_tags(data),
        "params": query.urlencode(),
        "can_save": request.user.can("view"),
    }


def _search_page(request: HttpRequest, target: str) -> HttpResponse:
    # One spelling of the conditions in every URL (pushed, paged, saved, and read by the chart and export
    # slots through request.GET): the search's own filters, non-blank, tags comma-joined.
    canonical = canonical_query(request.GET, target)
    url = f"{request.path}?{canonical.urlencode()}" if canonical else request.path
    fragment = wants_fragment(request)
    if sorted(canonical.lists()) != sorted(request.GET.lists()):
        if not fragment:
            return vary_on_htmx(redirect(url))
        request.GET = canonical
    context = search_context(request, target, request.GET)
    context["conditions"] = conditions(request, context["filters"], request.GET)
    if fragment:
        return push_url(render_list(request, "search/search.html", "search/_results.html", context), url)
    groups = tags_by_category(tag_catalog())
    context["tag_pickers"] = tag_pickers(SEARCHES[target][0], context["selected"], groups)
    context["tag_chips"] = tag_chips(groups)
    context["more_open"] = any(field.value() for field in context["more_fields"])
    context["saved"] = selectors.saved_searches(request.user, target)
    return render_list(request, "search/search.html", "search/_results.html", context)


def conditions(request: HttpRequest, filters, query: QueryDict) -> list[dict[str, str]]:
    """The applied conditions as removable chips (area names from the cached area picker, no query)."""
    labels = {}
    if query.get("area"):
        labels = {o.code: o.label.strip() for o in filters.area_options()}
    return applied_conditions(filters, query, request.path, labels)


@login_required
def persons(request: HttpRequest) -> HttpResponse:
    return _search_page(request, PERSON)


@login_required
def households(request: HttpRequest) -> HttpResponse:
    return _search_page(request, HOUSEHOLD)


# ------------------------------------------------------------------------------------ saved searches


@login_required
@require_POST
def saved_create(request: HttpRequest) -> HttpResponse:
    form = SaveSearchForm(request.POST)
    target = request.POST.get("target") if request.POST.get("target") in SEARCHES else PERSON
    back = SavedSearch(
        target=target, params=canonical_params(QueryDict(request.POST.get("params", "")), target)
    )
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(back.search_url())
    try:
        search = saved_search_save(actor=request.user, **form.cleaned_data)
    except ValidationError as error:  # the service's rules (e.g. no ID or phone number in saved conditions)
        for message in error.messages:
            messages.error(request, message)
        return redirect(back.search_url())
    messages.success(request, _("已保存查询“%(name)s”。") % {"name": search.name})
    return redirect(search.search_url())


@login_required
def saved_open(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SavedSearch.objects.visible_to(request.user), pk=pk)
    return redirect(search.search_url())


@login_required
@require_POST
def saved_delete(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SavedSearch.objects.visible_to(request.user).filter(owner=request.user), pk=pk)
    saved_search_delete(actor=request.user, search=search)
    messages.success(request, _("已删除查询“%(name)s”。") % {"name": search.name})
    return redirect("search:persons" if search.target == PERSON else "search:households")


# ---------------------------------------------------------------------------------------- key groups


@login_required
def groups(request: HttpRequest) -> HttpResponse:
    context = {"groups": selectors.key_groups(request.user)}
    return render_list(request, "search/groups.html", "search/_group_cards.html", context)


@login_required
def group(request: HttpRequest, code: str) -> HttpResponse:
    tag = get_object_or_404(tag_catalog().filter(is_key_group=True), code=code)
    root = selectors.breakdown_root(request.user, request.GET.get("area"))
    query = request.GET.copy()
    query.setlist("tags_all", [tag.code])
    context = search_context(request, tag.target, query)
    context.update(
        tag=tag,
        root=root,
        root_area=Area.objects.visible_to(request.user).filter(code=root).first() if root else None,
        breakdown=selectors.group_breakdown(request.user, tag, root),
    )
    return render_list(request, "search/group.html", "search/_group_rows.html", context)


@login_required
def incomplete(request: HttpRequest) -> HttpResponse:
    """信息不全 (不漏户、不漏人): a count per gap, and the paged list of the gap picked."""
    gap = selectors.GAPS_BY_KEY.get(request.GET.get("list", ""))
    context: dict[str, Any] = {"gaps": selectors.gap_counts(request.user), "gap": gap}
    if gap is not None:
        context["page"] = paginate_list(request, selectors.gap_rows(request.user, gap))
    return render_list(request, "search/incomplete.html", "search/_gap_rows.html", context)
