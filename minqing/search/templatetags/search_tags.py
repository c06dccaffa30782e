"""Tag panels for the person and household pages: ``{% person_tags person %}``, ``{% household_tags household %}``.

They need only the record and ``request`` in the context. The caller has already found the record through
``visible_to(user)``; the panel only decides whether the user may change tags (the service checks again).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from minqing.registry.models import Household, Person
from minqing.tags.models import HouseholdTag, PersonTag, Tag

from ..selectors import tag_catalog, tags_by_category

register = template.Library()


def _panel(context, obj, *, target: str) -> dict[str, Any]:
    """Three queries: the record's tags, the manual tags of its kind, and the change-scope check."""
    user = context["request"].user
    is_person = target == Tag.Target.PERSON
    links = (PersonTag if is_person else HouseholdTag).objects.filter(**{target: obj}).select_related("tag")
    links = sorted(links, key=lambda link: (link.tag.category, link.tag.order, link.tag.code))
    model = Person if is_person else Household
    can_change = model.objects.visible_to(user, "change").filter(pk=obj.pk).exists()
    have = {link.tag_id for link in links}
    addable = (
        [t for t in tag_catalog(target).filter(kind=Tag.Kind.MANUAL) if t.pk not in have]
        if can_change
        else []
    )
    return {
        "obj": obj,
        "panel_id": f"{target}-tags-{obj.pk}",
        "url": reverse(f"search:{target}_tags", args=[obj.pk]),
        "derived": [link for link in links if link.tag.kind == Tag.Kind.DERIVED],
        "manual": [link for link in links if link.tag.kind == Tag.Kind.MANUAL],
        "addable": tags_by_category(addable),
        "can_change": can_change,
        "error": context.get("tag_error"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("search/_tag_panel.html", takes_context=True)
def person_tags(context, person: Person) -> dict[str, Any]:
    return _panel(context, person, target=Tag.Target.PERSON)


@register.inclusion_tag("search/_tag_panel.html", takes_context=True)
def household_tags(context, household: Household) -> dict[str, Any]:
    return _panel(context, household, target=Tag.Target.HOUSEHOLD)
