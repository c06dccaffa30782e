"""Filing a request (登记): from the desk, a village, a grid worker or a visit; and the 咨询 answered at once.

Who may file: the ``dispatch`` or ``handle`` right over the ticket's area (the desk: the whole county), or the
``visit`` right over the household (a grid worker or a stationed cadre raising a request met on a visit).
Choosing the route instead of the rules' proposal needs ``dispatch`` there.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.areas.models import Area
from minqing.core import geo
from minqing.core.editing import validate
from minqing.core.idempotency import parse_client_id
from minqing.core.scoping import ALL, path_allowed
from minqing.core.workdays import calendar_knows
from minqing.registry.models import Household, Person
from minqing.visits.models import Visit

from ..models import Category, Channel, Kind, Status, Ticket, Urgency
from .common import due_at, event, next_number, text
from .routing import Route, apply_route, check_dispatch_route, propose_route

if TYPE_CHECKING:
    from minqing.accounts.models import User


def _choice(data: Mapping[str, Any], name: str, choices: Any, message: str, default: str = "") -> str:
    value = str(data.get(name) or default)
    if value not in choices.values:
        raise ValidationError({name: message}, code=name)
    return value


def _may_file(actor: User, path: str, household: Household | None) -> bool:
    for action in ("dispatch", "handle"):
        prefixes = actor.scope_prefixes(action)
        if prefixes is ALL or path_allowed(prefixes, path):
            return True
    return (
        household is not None
        and Household.objects.visible_to(actor, "visit").filter(pk=household.pk).exists()
    )


def _household(actor: User, data: Mapping[str, Any]) -> tuple[Household | None, Person | None]:
    """The household and person the request concerns, read through the actor's look-up or visit scope."""
    person = None
    household_id = data.get("household")
    if data.get("person"):
        person = next(
            (
                hit
                for action in ("lookup", "visit")
                if (hit := Person.objects.visible_to(actor, action).filter(pk=data["person"]).first())
            ),
            None,
        )
        if person is None:  # outside the actor's look-up scope: it does not exist
            raise Http404
        if household_id and int(household_id) != person.household_id:
            raise ValidationError({"person": _("诉求人不是所选户的成员。")}, code="person")
        household_id = person.household_id
    if not household_id:
        return None, None
    for action in ("lookup", "visit"):
        found = Household.objects.visible_to(actor, action).filter(pk=household_id).first()
        if found is not None:
            return found, person
    raise Http404


def _area(data: Mapping[str, Any], household: Household | None) -> Area:
    if household is not None:
        return household.area
    area = Area.objects.filter(pk=data["area"]).first() if data.get("area") else None
    if area is None:
        raise ValidationError(
            {"area": _("来电人不在户籍档案中时，请选择诉求所在的区域（村或乡镇）。")}, code="area"
        )
    return area


def _existing(actor: User, key: uuid.UUID) -> Ticket | None:
    return Ticket.objects.filter(created_by=actor, client_id=key).first()


def _build(actor: User, data: Mapping[str, Any], key: uuid.UUID, now: Any) -> tuple[Ticket, Household | None]:
    household, person = _household(actor, data)
    area = _area(data, household)
    if not _may_file(actor, area.code, household):
        raise PermissionDenied(_("您不能为这个区域登记诉求。"))
    category = Category.objects.filter(pk=data.get("category") or 0).first()
    if category is None or not category.is_active:
        raise ValidationError({"category": _("请选择诉求分类。")}, code="category")
    position = geo.parse_position(data.get("latitude"), data.get("longitude"))
    visit = None
    if data.get("visit"):
        visit = Visit.objects.visible_to(actor, "view").filter(pk=data["visit"]).first()
        if visit is None or (household is not None and visit.household_id != household.pk):
            raise ValidationError({"visit": _("所选走访记录不存在或不是这一户的。")}, code="visit")
    ticket = Ticket(
        client_id=key,
        channel=_choice(data, "channel", Channel, _("请选择来源渠道。")),
        kind=_choice(data, "kind", Kind, _("请选择诉求类型。")),
        category=category,
        urgency=_choice(data, "urgency", Urgency, _("请选择紧急程度。"), default=Urgency.NORMAL),
        household=household,
        person=person,
        caller_name=text(data.get("caller_name"), "caller_name", _("来电人姓名"), limit=50),
        caller_phone=str(data.get("caller_phone") or "").strip(),
        description=text(data.get("description"), "description", _("诉求内容"), required=True),
        latitude=position.latitude,
        longitude=position.longitude,
        area=area,
        area_path=household.area_path if household is not None else area.code,
        grid_path=household.grid_path if household is not None else "",
        visit=visit,
        created_by=actor,
        created_at=now,
        due_at=due_at(category, str(data.get("urgency") or Urgency.NORMAL), now),
    )
    validate(
        ticket,
        exclude=["number", "client_id", "category", "household", "person", "area", "visit", "created_by"],
        validate_unique=False,
    )
    return ticket, household


def file_ticket(
    *, actor: User, data: Mapping[str, Any], client_id: Any, route: Route | None = None
) -> tuple[Ticket, bool]:
    """File a request: ``(ticket, created)``; the same ``client_id`` from the same user returns the stored one.

    ``data``: ``channel``, ``kind``, ``category`` (id), ``urgency``, ``description``, ``household`` or
    ``person`` (ids; the area follows the household), else ``area`` (id: where an anonymous caller's matter
    lies), ``caller_name``, ``caller_phone``, ``latitude``/``longitude``, ``visit`` (id). The deadline follows
    the time limit of the category and urgency. ``route``: the operator's choice (needs ``dispatch``); else the
    rules' proposal is applied. A route without a lead leaves the ticket 待受理 in the desk's triage queue.
    """
    key = parse_client_id(client_id)
    existing = _existing(actor, key)
    if existing is not None:
        return existing, False
    now = timezone.now()
    ticket, household = _build(actor, data, key, now)
    if route is not None:
        check_dispatch_route(actor, ticket.area_path, route)
    try:
        with transaction.atomic():
            ticket.number = next_number(now)
            ticket.save()
            event(ticket, actor=actor, verb="filed", data=_filed_data(ticket))
            chosen = (
                route
                if route is not None
                else propose_route(category=ticket.category, area_path=ticket.area_path, household=household)
            )
            _route(ticket, chosen, actor=actor, proposed=route is None)
    except IntegrityError:  # the same key, committed by a concurrent resubmission
        existing = _existing(actor, key)
        if existing is None:
            raise
        return existing, False
    return ticket, True


def _route(ticket: Ticket, route: Route, *, actor: User, proposed: bool) -> None:
    apply_route(ticket, route)
    before = ticket.status
    ticket.status = Status.DISPATCHED if route.has_lead else Status.NEW
    ticket.save(update_fields=["status", "level", "updated_at"])
    if route.has_lead or route.cadre is not None:
        event(
            ticket,
            actor=actor,
            verb="dispatch",
            before=before,
            data={**route.describe(), "proposed": proposed},
        )
    if not route.has_lead:
        event(ticket, actor=None, verb="triage", note=_("没有适用的派单规则，进入服务台待分派队列。"))


def _filed_data(ticket: Ticket) -> dict[str, Any]:
    """What the filing line of the timeline keeps: the channel, the kind, the deadline and whether the official
    holiday calendar knew its years (else Monday to Friday were counted: ``core.workdays``)."""
    exact = calendar_knows(ticket.created_at.year) and calendar_knows(ticket.due_at.year)
    return {
        "channel": ticket.channel,
        "kind": ticket.kind,
        "due_at": ticket.due_at.isoformat(),
        "calendar_exact": exact,
    }


def close_on_phone(
    *, actor: User, data: Mapping[str, Any], client_id: Any, answer: str
) -> tuple[Ticket, bool]:
    """A 咨询 answered during the call: filed and closed (已归档) in one step, the answer kept as the reply.

    Needs ``dispatch`` over the area (the desk, a village or township office).
    """
    key = parse_client_id(client_id)
    existing = _existing(actor, key)
    if existing is not None:
        return existing, False
    if str(data.get("kind") or "") != Kind.CONSULT:
        raise ValidationError(
            {"kind": _("只有“咨询”类诉求可以当场答复办结；其他诉求请登记后派单。")}, code="kind"
        )
    reply = text(answer, "answer", _("答复内容"), required=True)
    now = timezone.now()
    ticket, _household = _build(actor, data, key, now)
    prefixes = actor.scope_prefixes("dispatch")
    if not (prefixes is ALL or path_allowed(prefixes, ticket.area_path)):
        raise PermissionDenied(_("您没有这个区域的派单权限，不能当场办结。"))
    try:
        with transaction.atomic():
            ticket.number = next_number(now)
            ticket.status, ticket.reply = Status.ARCHIVED, reply
            ticket.accepted_at = ticket.resolved_at = ticket.closed_at = now
            ticket.save()
            event(ticket, actor=actor, verb="filed", data={"channel": ticket.channel, "kind": ticket.kind})
            event(ticket, actor=actor, verb="closed_on_phone", before=Status.NEW, note=reply)
    except IntegrityError:
        existing = _existing(actor, key)
        if existing is None:
            raise
        return existing, False
    return ticket, True
