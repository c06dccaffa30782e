"""House pages (实有房屋): scoped list, detail with change history, create (optionally for a household), edit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from minqing.core.edit_page import edit_page, form_page
from minqing.core.htmx import render_list
from minqing.core.pagination import paginate
from minqing.core.scoping import can

from .. import selectors, services
from ..filters import HouseFilter
from ..forms import HouseForm
from ..models import House, Household


@login_required
def house_list(request):
    rows = House.objects.visible_to(request.user, "view").select_related("area__parent", "grid", "household")
    filters = HouseFilter(request.GET, queryset=rows, request=request, user=request.user)
    context = {
        "filters": filters,
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
    if not (raw.isascii() and raw.isdigit()):
        raise Http404
    household = get_object_or_404(Household.objects.visible_to(request.user, "view"), pk=int(raw))
    if not can(request.user, household, "change"):
        raise PermissionDenied
    return household


@login_required
def house_create(request):
    # A house of a given household needs the change right on that household only (its paired cadre has it).
    household = _household_from_query(request)
    if household is None and not request.user.can("change"):
        raise PermissionDenied
    initial = {"area": household.area_id, "grid": household.grid_id} if household else {}
    form = HouseForm(request.POST or None, user=request.user, initial=initial)
    if household:  # The service places the house where its household is.
        form.fields["area"].disabled = form.fields["grid"].disabled = True
    return form_page(
        request,
        "registry/house_form.html",
        form,
        lambda f: services.house_create(
            actor=request.user, data={**f.service_data(), "household": household}
        ),
        context={"household": household},
    )


@login_required
def house_edit(request, pk: int):
    return edit_page(
        request, House, pk, HouseForm, services.house_update, "registry/house_form.html", user=request.user
    )
