"""Place pages (场所): scoped list, detail with masked phone and change history, create, edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from minqing.core.editing import ConcurrentEditError
from minqing.core.pagination import paginate
from minqing.core.scoping import can

from .. import selectors, services
from ..filters import PlaceFilter
from ..forms import PlaceForm
from ..models import Place
from .houses import mark_invalid, render_list, service_data


@login_required
def place_list(request):
    rows = Place.objects.visible_to(request.user, "view").select_related("area__parent", "grid")
    filters = PlaceFilter(request.GET, queryset=rows, request=request, user=request.user)
    context = {
        "filters": filters,
        "areas": filters.area_choices().select_related("parent"),
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
    form = PlaceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            place = services.place_create(actor=request.user, data=service_data(form))
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存"))
            return redirect(place)
    return render(request, "registry/place_form.html", {"form": mark_invalid(form)})


@login_required
def place_edit(request, pk: int):
    place = get_object_or_404(Place.objects.visible_to(request.user, "view"), pk=pk)
    if not can(request.user, place, "change"):
        raise PermissionDenied
    form = PlaceForm(request.POST or None, instance=place, user=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or 0
        try:
            place = services.place_update(
                actor=request.user, place=place, data=service_data(form), version=version
            )
        except ConcurrentEditError as error:
            # Show what the other user changed and start again from the record as it is now.
            conflict, form = error, PlaceForm(instance=error.record, user=request.user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存"))
            return redirect(place)
    context = {"form": mark_invalid(form), "place": place, "conflict": conflict}
    return render(request, "registry/place_form.html", context)
