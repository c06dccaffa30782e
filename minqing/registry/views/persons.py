"""Person pages: search, the person file, add a member, edit, move between households."""

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
from ..filters import PersonFilter
from ..forms import PersonForm, PersonMoveForm
from ..models import Household, Person
from ..signals import person_panels
from .households import conflict_context


@login_required
def person_list(request):
    rows = selectors.person_rows(request.user)
    filters = PersonFilter(request.GET, queryset=rows, request=request)
    page = paginate(request, filters.qs)
    template = "registry/_person_rows.html" if request.htmx else "registry/person_list.html"
    return render(request, template, {"filters": filters, "page": page})


@login_required
def person_detail(request, pk: int):
    person = get_object_or_404(
        Person.objects.visible_to(request.user, "view").select_related("household", "area__parent", "grid"),
        pk=pk,
    )
    context = {
        "person": person,
        "history": selectors.history_of(person),
        "attachments": person.attachments.select_related("uploaded_by"),
        "can_change": can(request.user, person, "change"),
        "can_reveal": can(request.user, person, "reveal"),
        "panels": selectors.panels(person_panels, request, person=person),
    }
    return render(request, "registry/person_detail.html", context)


@login_required
def member_add(request, pk: int):
    household = get_object_or_404(Household.objects.visible_to(request.user, "view"), pk=pk)
    if not can(request.user, household, "change"):
        raise PermissionDenied
    form = PersonForm(request.POST or None, initial={"current_address": household.address})
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_add(actor=request.user, household=household, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已添加家庭成员 %(name)s。") % {"name": person.name})
            return redirect(household)
    return render(request, "registry/person_form.html", {"form": form, "household": household})


@login_required
def person_edit(request, pk: int):
    person = get_object_or_404(
        Person.objects.visible_to(request.user, "view").select_related("household"), pk=pk
    )
    if not can(request.user, person, "change"):
        raise PermissionDenied
    form = PersonForm(request.POST or None, instance=person)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,
                person=person,
                data=form.service_data(),
                version=form.cleaned_data.get("version") or 0,
            )
        except ConcurrentEditError as error:
            conflict = conflict_context(error)
            person.refresh_from_db()
            form = PersonForm(instance=person)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(person)
    context = {"form": form, "person": person, "household": person.household, "conflict": conflict}
    return render(request, "registry/person_form.html", context)


@login_required
def person_move_view(request, pk: int):
    person = get_object_or_404(
        Person.objects.visible_to(request.user, "change").select_related("household"), pk=pk
    )
    form = PersonMoveForm(request.POST or None, person=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_move(
                actor=request.user,
                person=person,
                to_household=data["to_household"],
                relation=data["relation"],
                reason=data["reason"],
                new_head=data["new_head"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(name)s 已迁入 %(household)s。")
                % {"name": person.name, "household": data["to_household"]},
            )
            return redirect(data["to_household"])
    return render(request, "registry/person_move.html", {"form": form, "person": person})
