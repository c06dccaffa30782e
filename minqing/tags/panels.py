"""The tag panel on the person and household pages, added through the registry's panel signals.

The page has already found the record through ``visible_to(user)``; the panel only decides whether the
user may change tags (the service checks again). One query when the page passes on the user's change
right (``can_change``): the record's tags together with the manual tags that could be added; one more
(the change-scope probe) when it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from minqing.core import restricted
from minqing.core.scoping import can
from minqing.registry.models import Household, Person
from minqing.registry.signals import household_panels, person_panels

from .models import HouseholdTag, PersonTag, Tag
from .privacy import HEALTH, is_health_tag
from .selectors import tags_by_category


@dataclass(frozen=True)
class CarriedTag:
    """A tag the record carries, as the panel shows it (``link.tag``)."""

    tag: Tag


def panel_context(user: Any, obj: Person | Household, *, can_change: bool | None = None) -> dict[str, Any]:
    target = Tag.Target.PERSON if isinstance(obj, Person) else Tag.Target.HOUSEHOLD
    link_model = PersonTag if target == Tag.Target.PERSON else HouseholdTag
    if can_change is None:
        can_change = can(user, obj, "change")
    carried = Q(pk__in=link_model.objects.filter(**{target: obj}).values("tag_id"))
    # The record's tags (active or not), and with the change right the manual tags of the catalog too.
    shown = (carried | Q(is_active=True, target=target, kind=Tag.Kind.MANUAL)) if can_change else carried
    tags = list(
        Tag.objects.filter(shown)
        .annotate(carried=ExpressionWrapper(carried, output_field=BooleanField()))
        .order_by("category", "order", "code")
    )
    # The record's tags in code-point order, as before (the database's collation may order codes otherwise).
    links = [
        CarriedTag(t)
        for t in sorted((t for t in tags if t.carried), key=lambda t: (t.category, t.order, t.code))
    ]
    if not restricted.may_see(
        user, HEALTH, obj
    ):  # a health tag (残疾人, 慢性病患者) discloses the health data
        links = [link for link in links if not is_health_tag(link.tag)]
    addable = [t for t in tags if not t.carried] if can_change else []
    return {
        "obj": obj,
        "panel_id": f"{target}-tags-{obj.pk}",
        "url": reverse(f"tags:{target}_tags", args=[obj.pk]),
        "derived": [link for link in links if link.tag.kind == Tag.Kind.DERIVED],
        "manual": [link for link in links if link.tag.kind == Tag.Kind.MANUAL],
        "addable": tags_by_category(addable),
        "can_change": can_change,
    }


def tag_panel(
    request: HttpRequest,
    obj: Person | Household,
    *,
    error: str | None = None,
    can_change: bool | None = None,
) -> SafeString:
    context = {**panel_context(request.user, obj, can_change=can_change), "error": error}
    return render_to_string("tags/_tag_panel.html", context, request=request)


@receiver(household_panels, dispatch_uid="tags.household_panel")
def household_tag_panel(
    sender: type, *, request: HttpRequest, household: Household, can_change: bool | None = None, **kwargs: Any
) -> str:
    return tag_panel(request, household, can_change=can_change)


@receiver(person_panels, dispatch_uid="tags.person_panel")
def person_tag_panel(
    sender: type, *, request: HttpRequest, person: Person, can_change: bool | None = None, **kwargs: Any
) -> str:
    return tag_panel(request, person, can_change=can_change)
