"""House pages (实有房屋): scoped list, detail with change history, create (optionally for a household), edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from minqing.core.editing import ConcurrentEditError
from minqing.core.pagination import paginate
from minqing.core.scoping import can

from .. import selectors, services
from ..filters import HouseFilter
from ..forms import HouseForm
from ..models import House, Household


def render_list(request, template: str, rows_template: str, context: dict):
    """The whole page, or only the rows when htmx asks (a history restore needs the whole page)."""
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, rows_template if partial else template, context)
    # The same URL answers with a page or a fragment: caches and the back button must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def mark_invalid(form):
    """Bootstrap shows an ``invalid-feedback`` only beside a widget marked ``is-invalid``."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    return form


def service_data(form) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name != "version"}


@login_required
def house_list(request):
    rows = House.objects.visible_to(request.user, "view").select_related("area__parent", "grid", "household")
    filters = HouseFilter(request.GET, queryset=rows, request=request, user=request.user)
    context = {
        "filters": filters,
        "areas": filters.area_choices().select_related("parent"),
        "page": paginate(request, filters.qs),
        "can_add": request.user.can("change"),
    }
    return render_list(request, "registry/house_list.html", "registry/_house_rows.html", context)


@login_required
def house_detail(request, pk: int):
    rows = House.objects.visible_to(request.user, "view").select_related("area__parent", "grid", "household")
    house = get_object_or_404(rows, pk=pk)
    linked = house.household
    context = {
        "house": house,
        # The link shows only when the household itself is in the user's scope.
        "household": linked if linked and can(request.user, linked, "view") else None,
        "history": selectors.history_of(house),
        "can_change": can(request.user, house, "change"),
    }
    return render(request, "registry/house_detail.html", context)


def _household_from_query(request) -> Household | None:
    raw = request.GET.get("household", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    household = get_object_or_404(Household.objects.visible_to(request.user, "view"), pk=int(raw))
    if not can(request.user, household, "change"):
        raise PermissionDenied
    return household


@login_required
def house_create(request):
    if not request.user.can("change"):
        raise PermissionDenied
    household = _household_from_query(request)
    initial = {"area": household.area_id, "grid": household.grid_id} if household else {}
    form = HouseForm(request.POST or None, user=request.user, initial=initial)
    if household:  # The service places the house where its household is.
        form.fields["area"].disabled = form.fields["grid"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            house = services.house_create(
                actor=request.user, data={**service_data(form), "household": household}
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存"))
            return redirect(house)
    return render(request, "registry/house_form.html", {"form": mark_invalid(form), "household": household})


@login_required
def house_edit(request, pk: int):
    house = get_object_or_404(House.objects.visible_to(request.user, "view"), pk=pk)
    if not can(request.user, house, "change"):
        raise PermissionDenied
    form = HouseForm(request.POST or None, instance=house, user=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or 0
        try:
            house = services.house_update(
                actor=request.user, house=house, data=service_data(form), version=version
            )
        except ConcurrentEditError as error:
            # Show what the other user changed and start again from the record as it is now.
            conflict, form = error, HouseForm(instance=error.record, user=request.user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存"))
            return redirect(house)
    context = {"form": mark_invalid(form), "house": house, "conflict": conflict}
    return render(request, "registry/house_form.html", context)
