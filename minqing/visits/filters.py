"""The one filterset of the visit list, shared by the page and the API; it always starts from the scope."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import EntryType, Visit, VisitKind

MAX_ID = 2**63 - 1  # a primary key's range: a bigger number is a form error, not a database overflow


class VisitFilter(filters.FilterSet):
    """Household, author, kind and a date range; ``mine=1`` for the user's own entries only."""

    household = filters.NumberFilter(
        field_name="household_id", label=_("户"), min_value=1, max_value=MAX_ID, decimal_places=0
    )
    author = filters.NumberFilter(
        field_name="author_id", label=_("记录人"), min_value=1, max_value=MAX_ID, decimal_places=0
    )
    kind = filters.ChoiceFilter(choices=VisitKind.choices, label=_("走访类型"))
    date_from = filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("起始日期"))
    date_to = filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("截止日期"))
    mine = filters.BooleanFilter(method="filter_mine", label=_("只看我的"))
    entry_type = filters.ChoiceFilter(choices=EntryType.choices, label=_("记录类型"))

    class Meta:
        model = Visit
        fields: list[str] = []

    def __init__(
        self, data: Any = None, queryset: QuerySet[Visit] | None = None, *, request: Any = None, **kwargs: Any
    ) -> None:
        self.user = getattr(request, "user", None)
        if queryset is None:  # never the unscoped default manager
            queryset = Visit.objects.visible_to(self.user, "view")
        super().__init__(data, queryset, request=request, **kwargs)

    def filter_mine(self, queryset: QuerySet[Visit], name: str, value: bool | None) -> QuerySet[Visit]:
        return queryset.filter(author_id=getattr(self.user, "pk", None)) if value else queryset
