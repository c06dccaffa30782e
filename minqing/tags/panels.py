"""The tag panel on the person and household pages, added through the registry's panel signals.

The page has already found the record through ``visible_to(user)``; the panel only decides whether the
user may change tags (the service checks again). Three queries: the record's tags, the manual tags of
its kind, and the change-scope check.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from minqing.core.scoping import can
from minqing.registry.models import Household, Person
from minqing.registry.signals import household_panels, person_panels

from .models import HouseholdTag, PersonTag, Tag
from .selectors import tag_catalog, tags_by_category


def panel_context(user: Any, obj: Person | Household) -> dict[str, Any]:
    target = Tag.Target.PERSON if isinstance(obj, Person) else Tag.Target.HOUSEHOLD
    link_model = PersonTag if target == Tag.Target.PERSON else HouseholdTag
    links = sorted(
        link_model.objects.filter(**{target: obj}).select_related("tag"),
        key=lambda link: (link.tag.category, link.tag.order, link.tag.code),
    )
    can_change = can(user, obj, "change")
    have = {link.tag_id for link in links}
    addable = (
        [t for t in tag_catalog(target).filter(kind=Tag.Kind.MANUAL) if t.pk not in have]
        if can_change
        else []
    )
    return {
        "obj": obj,
        "panel_id": f"{target}-tags-{obj.pk}",
        "url": reverse(f"tags:{target}_tags", args=[obj.pk]),
        "derived": [link for link in links if link.tag.kind == Tag.Kind.DERIVED],
        "manual": [link for link in links if link.tag.kind == Tag.Kind.MANUAL],
        "addable": tags_by_category(addable),
        "can_change": can_change,
    }


def tag_panel(request: HttpRequest, obj: Person | Household, *, error: str | None = None) -> SafeString:
    context = {**panel_context(request.user, obj), "error": error}
    return render_to_string("tags/_tag_panel.html", context, request=request)


@receiver(household_panels, dispatch_uid="tags.household_panel")
def household_tag_panel(sender: type, *, request: HttpRequest, household: Household, **kwargs: Any) -> str:
    return tag_panel(request, household)


@receiver(person_panels, dispatch_uid="tags.person_panel")
def person_tag_panel(sender: type, *, request: HttpRequest, person: Person, **kwargs: Any) -> str:
    return tag_panel(request, person)
