"""Person pages: search, the person file, add a member, edit, move between households."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from minqing.core.edit_page import edit_page, form_page
from minqing.core.editing import changeable
from minqing.core.htmx import render_list
from minqing.core.queries import capped_count
from minqing.core.scoping import path_allowed

from .. import selectors, services
from ..filters import PersonFilter
from ..forms import PersonForm, PersonMoveForm
from ..models import Household, Person
from ..signals import person_panels


@login_required
def person_list(request):
    filters = PersonFilter(request.GET, queryset=selectors.person_rows(request.user), request=request)
    context = {
        "filters": filters,
        "page": selectors.paginate_list(request, filters.qs).with_total(*capped_count(filters.qs), _("人")),
    }
    return render_list(request, "registry/person_list.html", "registry/_person_rows.html", context)


@login_required
def person_detail(request, pk: int):
    person = get_object_or_404(
        Person.objects.visible_to(request.user, "view")
        .select_related("household", "area__parent", "grid", "father", "mother")
        .annotate(
            user_can_change=_right(request.user, "change"), user_can_reveal=_right(request.user, "reveal")
        ),
        pk=pk,
    )
    scope = request.user.scope_prefixes("view")
    context = {
        "person": person,
        # A parent in another village is named only to those who may open their file (no query: paths).
        "parents": {
            side: parent if path_allowed(scope, parent.area_path, parent.grid_path) else None
            for side, parent in (("father", person.father), ("mother", person.mother))
            if parent is not None
        },
        "history": selectors.history_of(person),
        "attachments": person.attachments.select_related("uploaded_by"),
        "can_change": person.user_can_change,
        "can_reveal": person.user_can_reveal,
        "panels": selectors.panels(person_panels, request, person=person, can_change=person.user_can_change),
    }
    return render(request, "registry/person_detail.html", context)


def _right(user, action: str) -> Exists:
    """``core.scoping.can(user, person, action)`` as an EXISTS column of the query that reads the person."""
    return Exists(Person.objects.visible_to(user, action).filter(pk=OuterRef("pk")))


@login_required
def member_add(request, pk: int):
    household = changeable(request.user, Household, pk, lock=False)
    return form_page(
        request,
        "registry/person_form.html",
        PersonForm(
            request.POST or None,
            initial={"current_address": household.address},
            user=request.user,
            household=household,
        ),
        lambda f: services.person_add(actor=request.user, household=household, data=f.service_data()),
        context={"household": household},
        message=lambda person: _("已添加家庭成员 %(name)s。") % {"name": person.name},
        next_url=lambda person: household,
    )


@login_required
def person_edit(request, pk: int):
    return edit_page(
        request,
        Person,
        pk,
        PersonForm,
        services.person_update,
        "registry/person_form.html",
        extra=lambda person: {"household": person.household},
        user=request.user,
    )


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
