"""The ticket API's serializers: what a ticket, its handlers and timeline look like, and the parsed input of
filing and of each transition (the services check everything else, with their messages)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import services
from .filters import MAX_ID
from .models import Category, Channel, Kind, Satisfaction, Ticket, TicketEvent, TicketHandler, Urgency


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """A primary key: a positive number in the column's range (a bigger one is a 400, not an overflow)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class HandlerSerializer(serializers.ModelSerializer[TicketHandler]):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    name = serializers.CharField(source="target_name", read_only=True)

    class Meta:
        model = TicketHandler
        fields = (
            "id",
            "role",
            "role_label",
            "name",
            "department",
            "user",
            "area",
            "is_active",
            "assigned_at",
        )
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer[TicketEvent]):
    from_status = serializers.CharField(read_only=True, help_text="动作前的状态；状态未变时为空")
    to_status = serializers.CharField(read_only=True, help_text="动作后的状态；状态未变时为空")

    class Meta:
        model = TicketEvent
        fields = ("id", "verb", "actor", "actor_name", "from_status", "to_status", "note", "created_at")
        read_only_fields = fields


class TicketSerializer(serializers.ModelSerializer[Ticket]):
    category_name = serializers.CharField(source="category.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    caller_phone_masked = serializers.CharField(read_only=True, help_text="来电号码（已脱敏）")
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    due_soon = serializers.BooleanField(source="is_due_soon", read_only=True)
    satisfaction = serializers.CharField(
        read_only=True,
        help_text="满意度：satisfied（满意）、fairly（基本满意）、unsatisfied（不满意）；未回访为空",
    )
    handlers = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields: tuple[str, ...] = (
            "id",
            "number",
            "client_id",
            "channel",
            "kind",
            "category",
            "category_name",
            "urgency",
            "household",
            "person",
            "caller_name",
            "caller_phone_masked",
            "description",
            "area",
            "area_path",
            "level",
            "status",
            "status_label",
            "due_at",
            "overdue",
            "due_soon",
            "extension_requested_until",
            "reply",
            "satisfaction",
            "reopen_count",
            "created_by",
            "created_at",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "handlers",
        )
        read_only_fields = fields

    @extend_schema_field(HandlerSerializer(many=True))
    def get_handlers(self, ticket: Ticket) -> Any:
        rows = getattr(ticket, "active_handlers", None)
        if rows is None:
            rows = [h for h in ticket.handlers.all() if h.is_active]
        return HandlerSerializer(rows, many=True).data


class TicketDetailSerializer(TicketSerializer):
    """One ticket with its whole timeline."""

    events = EventSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = (*TicketSerializer.Meta.fields, "events")
        read_only_fields = fields


class RouteInputSerializer(serializers.Serializer[Any]):
    """The operator's route instead of the rules' proposal (needs the ``dispatch`` right over the area)."""

    departments = serializers.ListField(child=id_field(), required=False, default=list)
    area = id_field(required=False, allow_null=True, default=None)
    cadre = id_field(required=False, allow_null=True, default=None)


class TicketCreateSerializer(serializers.Serializer[Any]):
    """Parsed input; the service checks everything else (scope, category, text, phone) with its messages."""

    client_id = serializers.UUIDField(
        help_text="客户端生成的工单提交编号（UUID），重复提交时返回已登记的工单"
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    kind = serializers.ChoiceField(choices=Kind.choices)
    category = id_field()
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.NORMAL)
    household = id_field(required=False, allow_null=True, default=None)
    person = id_field(required=False, allow_null=True, default=None)
    area = id_field(required=False, allow_null=True, default=None, help_text="匿名来电时：诉求所在区域的 id")
    caller_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    caller_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    description = serializers.CharField(max_length=2000)
    latitude = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    longitude = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    route = RouteInputSerializer(required=False, allow_null=True, default=None)


class CloseOnPhoneSerializer(TicketCreateSerializer):
    """A question (咨询) answered during the call: the filing fields and the answer given."""

    answer = serializers.CharField(max_length=2000, help_text="当场答复的内容")


class NoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=2000)


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)


class EscalateSerializer(ReasonSerializer):
    departments = serializers.ListField(
        child=id_field(), required=False, default=list, help_text="上报到县级时的承办部门"
    )


class DecisionSerializer(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReviewSerializer(DecisionSerializer):
    route = RouteInputSerializer(required=False, allow_null=True, default=None)


class DispatchSerializer(serializers.Serializer[Any]):
    route = RouteInputSerializer()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ExtensionSerializer(serializers.Serializer[Any]):
    until = serializers.DateTimeField()
    reason = serializers.CharField(max_length=500)


class VisitBackSerializer(serializers.Serializer[Any]):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class NamedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RouteSerializer(serializers.Serializer[Any]):
    departments = NamedSerializer(many=True, help_text="主办部门")
    area = NamedSerializer(allow_null=True, help_text="主办的村(社区)或乡镇(街道)")
    cadre = NamedSerializer(allow_null=True, help_text="帮扶责任人")
    rule = serializers.IntegerField(allow_null=True, help_text="适用的派单规则；没有时进入待分派队列")
    has_lead = serializers.BooleanField()


class CategorySerializer(serializers.ModelSerializer[Category]):
    children = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ("id", "code", "name", "children")

    @extend_schema_field(NamedSerializer(many=True))
    def get_children(self, category: Category) -> Any:
        return [{"id": c.pk, "name": c.name} for c in category.children.all()]


def route_data(route: services.Route) -> dict[str, Any]:
    def named(obj: Any) -> dict[str, Any] | None:
        return None if obj is None else {"id": obj.pk, "name": str(obj)}

    return {
        "departments": [named(d) for d in route.departments],
        "area": named(route.area),
        "cadre": named(route.cadre),
        "rule": route.rule.pk if route.rule is not None else None,
        "has_lead": route.has_lead,
    }
