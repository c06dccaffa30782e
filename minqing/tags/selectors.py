"""Reads of the tag catalog and of one record's tags."""

from __future__ import annotations

from itertools import groupby

from django.db.models import QuerySet

from .models import Category, Tag


def tag_catalog(target: str | None = None) -> QuerySet:
    tags = Tag.objects.filter(is_active=True).order_by("category", "order", "code")
    return tags.filter(target=target) if target else tags


def tags_by_category(tags) -> list[tuple[str, list[Tag]]]:
    """[(分类名称, [tags…])] in catalog order, for grouped pickers."""
    labels = dict(Category.choices)
    return [(labels.get(key, key), list(rows)) for key, rows in groupby(tags, key=lambda t: t.category)]
