"""Household pages: list and search, the 一户一页 file, create, edit, split, yearly economy, recent updates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core.edit_page import edit_page, form_page
from minqing.core.htmx import render_list
from minqing.core.queries import capped_count

from .. import selectors, services
from ..filters import HouseholdFilter
from ..forms import EconomyForm, HeadForm, HouseholdForm, SplitForm
from ..models import CustomField, EconomyYear, Household
from ..signals import household_panels


@login_required
def household_list(request):
    filters = HouseholdFilter(request.GET, queryset=selectors.household_list(request.user), request=request)
    context = {
        "filters": filters,
        # 共 N 户 and 第 x / y 页 on every page: counted up to CAP ("10,000+"), one index-only statement.
        "page": selectors.paginate_list(request, filters.qs).with_total(*capped_count(filters.qs), _("户")),
        "can_add": request.user.can("change"),
    }
    return render_list(request, "registry/household_list.html", "registry/_household_rows.html", context)


@login_required
def recent_updates(request):
    """最近更新: the households whose files changed last, in the user's scope."""
    rows = selectors.household_list(request.user).order_by("-updated_at", "-id")
    filters = HouseholdFilter(request.GET, queryset=rows, request=request)
    context = {"filters": filters, "page": selectors.paginate_list(request, filters.qs)}
    return render_list(request, "registry/recent.html", "registry/_recent_rows.html", context)


@login_required
def household_detail(request, pk: int):
    household = selectors.household_file(request.user, pk)
    # The change and reveal rights came with the household (the probes ``can`` would run): pass them on.
    can_change, can_reveal = household.user_can_change, household.user_can_reveal
    custom_fields = CustomField.objects.filter(is_active=True) if household.has_custom_fields else []
    context = {
        "household": household,
        "members": household.members.all(),
        "houses": household.houses.all(),
        "economy": sorted(household.economy.all(), key=lambda e: -e.year),
        **selectors.attachments_panel(actor=request.user, household=household, can_change=can_change),
        "history": selectors.history_of_household(household),
        "custom_fields": list(custom_fields),
        "can_change": can_change,
        "can_reveal": can_reveal,
        "panels": selectors.panels(household_panels, request, household=household, can_change=can_change),
    }
    return render(request, "registry/household_detail.html", context)


@login_required
def household_create(request):
    if not request.user.can("change"):
        raise PermissionDenied
    form = HouseholdForm(request.POST or None, user=request.user)
    head = HeadForm(request.POST or None, prefix="head")
    if request.method == "POST" and form.is_valid() & head.is_valid():
        try:
            household = services.household_create(
                actor=request.user, data=form.service_data(), head=head.service_data()
            )
        except ValidationError as error:
            _place_create_error(form, head, error)
        else:
            messages.success(request, _("已建档：%(household)s") % {"household": household})
            return redirect(household)
    return render(request, "registry/household_form.html", {"form": form, "head": head, "creating": True})


def _place_create_error(form, head, error: ValidationError) -> None:
    """Errors about the head's fields go to the head form, the rest to the household form."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = head if field in head.fields else form
            for message in messages_:
                target.add_error(field if field in target.fields else None, message)
    else:
        form.add_service_error(error)


@login_required
def household_edit(request, pk: int):
    return edit_page(
        request,
        Household,
        pk,
        HouseholdForm,
        services.household_update,
        "registry/household_form.html",
        user=request.user,
    )


@login_required
def household_split_view(request, pk: int):
    household = get_object_or_404(Household.objects.visible_to(request.user, "change"), pk=pk)
    form = SplitForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.household_split(
                actor=request.user,
                household=household,
                head=form.cleaned_data["head"],
                members=[m for m in form.cleaned_data["members"] if m != form.cleaned_data["head"]],
                address=form.cleaned_data["address"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("分户完成，新户编号 %(number)s。") % {"number": new.number})
            return redirect(new)
    return render(request, "registry/household_split.html", {"form": form, "household": household})


@login_required
def economy_edit(request, pk: int):
    household = get_object_or_404(Household.objects.visible_to(request.user, "change"), pk=pk)
    year = _year(request.GET.get("year")) or timezone.localdate().year - 1
    existing = EconomyYear.objects.filter(household=household, year=year).first()
    initial = {"year": year, "population": max(household.member_count, 1)}
    return form_page(
        request,
        "registry/economy_form.html",
        EconomyForm(request.POST or None, instance=existing, initial=initial),
        lambda form: services.economy_save(
            actor=request.user,
            household=household,
            year=form.cleaned_data["year"],
            data=form.service_data(),
            version=form.cleaned_data.get("version"),
        ),
        reload=lambda fresh: EconomyForm(instance=fresh),
        context={"household": household, "year": year},
        message=lambda row: _("已保存 %(year)s 年度收支。") % {"year": row.year},
        next_url=lambda row: household,
    )


def _year(raw: str | None) -> int | None:
    try:
        year = int(raw or "")
    except ValueError:
        return None
    return year if 2000 <= year <= timezone.localdate().year else None
