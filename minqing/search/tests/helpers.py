"""Helpers for the search tests: ages, tag links as the tag services write them, result names."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse

from minqing.registry.models import Person
from minqing.tags.models import HouseholdTag, PersonTag, Tag
from minqing.tags.rules import born_before
from minqing.tags.services import PERSON_COPIES, recount

TODAY = datetime.date.today()


def years_ago(years: int) -> datetime.date:
    return born_before(TODAY, years) - datetime.timedelta(days=30)


def tag(obj, code: str) -> None:
    """A tag link as the materialiser writes it: paths copied from the record."""
    link = PersonTag if isinstance(obj, Person) else HouseholdTag
    fk = "person" if isinstance(obj, Person) else "household"
    copies = {name: getattr(obj, name) for name in PERSON_COPIES} if isinstance(obj, Person) else {}
    link.objects.create(
        tag=Tag.objects.get(code=code),
        **{fk: obj},
        area_path=obj.area_path,
        grid_path=obj.grid_path,
        **copies,
    )
    recount(villages=[obj.area_path[:12]])  # as the tag services do after every change


def names(response) -> set[str]:
    return set(re.findall(r"甲[a-z]乙", response.content.decode()))


def persons(client, **params):
    return client.get(reverse("search:persons"), params)
