"""Place pages (场所): scoped list, detail with masked phone and change history, create, edit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from minqing.core.edit_page import edit_page, form_page
from minqing.core.htmx import render_list
from minqing.core.pagination import paginate
from minqing.core.scoping import can

from .. import selectors, services
from ..filters import PlaceFilter
from ..forms import PlaceForm
from ..models import Place


@login_required
def place_list(request):
    rows = Place.objects.visible_to(request.user, "view").select_related("area__parent", "grid")
    filters = PlaceFilter(request.GET, queryset=rows, request=request, user=request.user)
    context = {
        "filters": filters,
        "page": paginate(request, filters.qs),
        "can_add": request.user.can("change"),
    }
    return render_list(request, "registry/place_list.html", "registry/_place_rows.html", context)


@login_required
def place_detail(request, pk: int):
    place = get_object_or_404(
        Place.objects.visible_to(request.user, "view").select_related("area__parent", "grid"), pk=pk
    )
    context = {
        "place": place,
        "history": selectors.history_of(place),
        "can_change": can(request.user, place, "change"),
        "can_reveal": can(request.user, place, "reveal"),
    }
    return render(request, "registry/place_detail.html", context)


@login_required
def place_create(request):
    if not request.user.can("change"):
        raise PermissionDenied
    return form_page(
        request,
        "registry/place_form.html",
        PlaceForm(request.POST or None, user=request.user),
        lambda f: services.place_create(actor=request.user, data=f.service_data()),
    )


@login_required
def place_edit(request, pk: int):
    return edit_page(
        request, Place, pk, PlaceForm, services.place_update, "registry/place_form.html", user=request.user
    )
