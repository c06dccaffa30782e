"""Which tags disclose health data: the one list searches and tag panels ask.

A tag names health data when carrying it says something about a restricted field of class ``health``
(``core.restricted``: 健康状况, 慢性病, 残疾…). Tag categories do not tell: 残疾人 sits in 特殊人群, and
未参加医保 in 健康与残疾 is about insurance, not health. So a tag counts as health when

- its built-in rule reads a health field (残疾人, 重度残疾, 慢性病患者, 困境儿童, 失能老人…), read from the rule
  itself, so a rule changed later is classified by what it reads;
- its custom conditions name a health field;
- it is one of the manual tags that record a diagnosis (``MANUAL_HEALTH_TAGS``), or a manual tag a data
  admin put in the category 健康与残疾;
- it is a built-in rule tag that states a health assessment from a field that is not restricted
  (``RULE_HEALTH_TAGS``: 失能老人 reads 生活自理能力).

Only the tagged person's own fields count. A rule reading a relative's health through a relation
(留守儿童: a parent unable to guard, ``father__disability_grade``) or inside an ``EXISTS`` says nothing
definite about the tagged person's health and is not a health tag; a new rule that reads the person's
own health inside a subquery must be listed in ``RULE_HEALTH_TAGS``.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from minqing.core import restricted
from minqing.registry.models import Person

from .models import Category, Tag
from .rules import SPECS

HEALTH = "health"
#: Manual built-in tags that record a diagnosis; no field holds it, so no rule can tell.
MANUAL_HEALTH_TAGS = frozenset({"severe-mental"})
#: Built-in rule tags that disclose a health assessment although the fields they read are not restricted.
RULE_HEALTH_TAGS = frozenset({"disabled-elderly"})


def health_fields() -> frozenset[str]:
    return frozenset(restricted.all_fields(HEALTH).get(Person, []))


def _fields_read(q: Any) -> set[str]:
    """The fields a ``Q`` filters on (the first part of each lookup), through nested ``Q`` objects."""
    found: set[str] = set()
    for child in getattr(q, "children", []):
        if isinstance(child, Q):
            found |= _fields_read(child)
        elif isinstance(child, tuple) and child and isinstance(child[0], str):
            found.add(child[0].split("__", 1)[0])
    return found


@functools.cache
def builtin_health_codes() -> frozenset[str]:
    """Codes of the built-in tags that disclose health data."""
    fields = health_fields()
    today = datetime.date(2000, 1, 1)  # rules differ by date only in their age bounds
    found = set(MANUAL_HEALTH_TAGS | RULE_HEALTH_TAGS)
    for spec in SPECS:
        if (
            spec.rule is not None
            and spec.target == Tag.Target.PERSON
            and _fields_read(spec.rule(today)) & fields
        ):
            found.add(spec.code)
    return frozenset(found)


def is_health_tag(tag: Tag) -> bool:
    if tag.code in builtin_health_codes():
        return True
    if tag.kind == Tag.Kind.MANUAL and tag.category == Category.HEALTH:
        return True
    fields = health_fields()
    return any(isinstance(c, dict) and c.get("field") in fields for c in tag.conditions or [])


def health_tags(tags: Iterable[Tag]) -> list[Tag]:
    return [tag for tag in tags if is_health_tag(tag)]
