"""The one filterset of the ticket lists, shared by the pages and the API; it always starts from the scope."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DUE_SOON_HOURS, OPEN_STATUSES, Channel, Kind, Status, Ticket, Urgency

MAX_ID = 2**63 - 1  # a primary key's range: a bigger number is a form error, not a database overflow


class TicketFilter(filters.FilterSet):
    """Status, overdue, due soon, category (with its sub-categories), channel, kind, urgency, number."""

    status = filters.ChoiceFilter(choices=Status.choices, label=_("状态"))
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("已超期"))
    due_soon = filters.BooleanFilter(method="filter_due_soon", label=_("即将到期"))
    category = filters.NumberFilter(
        method="filter_category", label=_("诉求分类"), min_value=1, max_value=MAX_ID, decimal_places=0
    )
    channel = filters.ChoiceFilter(choices=Channel.choices, label=_("来源渠道"))
    kind = filters.ChoiceFilter(choices=Kind.choices, label=_("诉求类型"))
    urgency = filters.ChoiceFilter(choices=Urgency.choices, label=_("紧急程度"))
    household = filters.NumberFilter(
        field_name="household_id", label=_("户"), min_value=1, max_value=MAX_ID, decimal_places=0
    )
    q = filters.CharFilter(method="filter_number", label=_("工单编号"), max_length=16)

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Ticket] | None = None,
        *,
        request: Any = None,
        **kwargs: Any,
    ) -> None:
        if queryset is None:  # never the unscoped default manager
            queryset = Ticket.objects.visible_to(getattr(request, "user", None), "view")
        super().__init__(data, queryset, request=request, **kwargs)

    def filter_overdue(self, queryset: QuerySet[Ticket], name: str, value: bool | None) -> QuerySet[Ticket]:
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())

    def filter_due_soon(self, queryset: QuerySet[Ticket], name: str, value: bool | None) -> QuerySet[Ticket]:
        if not value:
            return queryset
        now = timezone.now()
        return queryset.filter(
            status__in=OPEN_STATUSES,
            due_at__gte=now,
            due_at__lt=now + datetime.timedelta(hours=DUE_SOON_HOURS),
        )

    def filter_category(self, queryset: QuerySet[Ticket], name: str, value: Any) -> QuerySet[Ticket]:
        if value is None:
            return queryset
        return queryset.filter(Q(category_id=int(value)) | Q(category__parent_id=int(value)))

    def filter_number(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        found = (value or "").strip()
        return queryset.filter(number__startswith=found) if found else queryset
