"""The request (工单, 一事一表), the people and units handling it, and its append-only timeline."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core import sensitive
from minqing.core.fields import EncryptedCharField, blind_index
from minqing.core.idnumber import mask_phone
from minqing.core.phone import validate_phone
from minqing.core.scoping import ALL, ScopedQuerySet, scope_q

from .catalog import Category, Urgency

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from minqing.accounts.models import User


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("热线")
    PORTAL = "portal", _("居民端")
    VISIT = "visit", _("走访")
    GRID = "grid", _("网格上报")
    DEPARTMENT = "department", _("部门转来")


class Kind(models.TextChoices):
    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("意见建议")
    PRAISE = "praise", _("表扬")
    AGENCY = "agency", _("代办")
    DISPUTE = "dispute", _("矛盾纠纷")


class Level(models.TextChoices):
    VILLAGE = "village", _("村(社区)")
    TOWNSHIP = "township", _("乡镇(街道)")
    COUNTY = "county", _("县直部门")


#: The length of the area path at which each level handles a ticket (village 12, township 9, county 6).
LEVEL_LENGTH = {Level.VILLAGE: 12, Level.TOWNSHIP: 9, Level.COUNTY: 6}


class Status(models.TextChoices):
    NEW = "new", _("待受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RETURNED = "returned", _("退单待审")
    RESOLVED = "resolved", _("已办结")
    VISITED_BACK = "visited_back", _("已回访")
    ARCHIVED = "archived", _("已归档")


#: "Due soon": open tickets whose deadline falls within this many hours.
DUE_SOON_HOURS = 24

#: Statuses in which the deadline runs (overdue lists, the sweep, the partial index).
OPEN_STATUSES = (Status.NEW, Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class HandlerRole(models.TextChoices):
    LEAD = "lead", _("主办")
    COOPERATING = "cooperating", _("协办")
    PAIRED_CADRE = "paired_cadre", _("帮扶责任人")


def handler_q(user: Any, action: str, prefix: str = "") -> Q | None:
    """Active handler rows ``user`` acts through: their own, their departments', and (``handle``) the rows
    of an area level inside their ``handle`` areas. None when there are none to look for."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "active_assignments"):
        return None
    departments = sorted({a.department_id for a in user.active_assignments() if a.department_id})
    mine = Q(**{f"{prefix}user_id": user.pk})
    if departments:
        mine |= Q(**{f"{prefix}department_id__in": departments})
    areas = user.scope_prefixes("handle")
    if isinstance(areas, list) and areas:
        mine |= Q(**{f"{prefix}area_path__gt": ""}) & scope_q(
            areas, path_field=f"{prefix}area_path", grid_field=None
        )
    return Q(**{f"{prefix}is_active": True}) & mine


class TicketQuerySet(ScopedQuerySet):
    """Scoping of tickets (``visible_to``), by action:

    - ``view``: the areas where the user may ``view``, ``dispatch``, ``handle`` or ``supervise`` (the desk:
      its county; a grid worker: its grid), plus (``extra_scope``) every ticket with an active handler row of
      the user (the paired cadre) or of their department (department staff see only what is routed to them);
    - ``handle``: no area part: only tickets with an active handler row the user acts through (``handler_q``:
      their own, their department's, or an area level's inside their ``handle`` areas);
    - ``dispatch`` / ``supervise``: the areas of that right.

    Residents never read tickets through this: the portal reads their own household's directly.
    """

    grid_field = "grid_path"

    #: The area rights that let a user read the tickets of an area.
    READ_ACTIONS = ("view", "dispatch", "handle", "supervise")

    def visible_to(self, user: User | AnonymousUser | None, action: str = "view") -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.scope_prefixes(action) is ALL:
            return self
        names = self.READ_ACTIONS if action == "view" else () if action == "handle" else (action,)
        found: set[str] = set()
        for name in names:
            some = user.scope_prefixes(name)
            if some is ALL:  # superusers, answered above; kept for the type checker
                return self
            found.update(some)
        prefixes = sorted(found)
        allowed = scope_q(prefixes, path_field="area_path", grid_field="grid_path") if prefixes else None
        extra = self.extra_scope(user, action)
        if extra is not None:
            allowed = extra if allowed is None else allowed | extra
        return self.none() if allowed is None else self.filter(allowed)

    def extra_scope(self, user: User, action: str) -> Q | None:
        """Tickets routed to the user, their department or (``handle``) their area's level."""
        if action not in ("view", "handle"):
            return None
        rows = handler_q(user, action)
        if rows is None:
            return None
        return Q(Exists(TicketHandler.objects.filter(rows, ticket=OuterRef("pk"))))

    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: Any = None) -> Self:
        return self.open().filter(due_at__lt=now or timezone.now())


class Ticket(models.Model):
    """诉求工单 (一事一表): one request of a resident, from filing to archive."""

    number = models.CharField(_("工单编号"), max_length=16, unique=True, editable=False)
    # The filing client's idempotency key: the same key from the same user files once.
    client_id = models.UUIDField(_("客户端编号"))
    channel = models.CharField(_("来源渠道"), max_length=12, choices=Channel.choices)
    kind = models.CharField(_("诉求类型"), max_length=12, choices=Kind.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("诉求分类"), on_delete=models.PROTECT, related_name="+"
    )
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("诉求人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    caller_name = models.CharField(_("来电人姓名"), max_length=50, blank=True)
    caller_phone = EncryptedCharField(_("来电号码"), max_length=20, blank=True, validators=[validate_phone])
    description = models.TextField(_("诉求内容"))
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False)
    grid_path = models.CharField(_("网格路径"), max_length=15, blank=True, editable=False)
    level = models.CharField(_("办理层级"), max_length=10, choices=Level.choices, default=Level.COUNTY)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW)
    due_at = models.DateTimeField(_("办理时限"))
    extension_requested_until = models.DateTimeField(_("申请延期至"), null=True, blank=True)
    # The day of the last 督办 (one per ticket per day: the sweep and supervisors share it).
    supervised_on = models.DateField(_("最近督办日期"), null=True, blank=True)
    reply = models.TextField(_("办理结果"), blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    visit = models.ForeignKey(
        "visits.Visit",
        verbose_name=_("走访记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求工单")
        verbose_name_plural = _("诉求工单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "client_id"], name="ticket_client_id_per_creator"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="ticket_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="ticket_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["area_path", "status", "due_at"], name="ticket_area_status_due_idx"),
            models.Index(
                fields=["status", "due_at"],
                condition=Q(status__in=["new", "dispatched", "in_progress", "returned"]),
                name="ticket_open_due_idx",
            ),
            models.Index(fields=["household", "created_at"], name="ticket_household_idx"),
            models.Index(blind_index("caller_phone"), name="ticket_caller_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: Any = None) -> bool:
        """Open past its deadline (a closed ticket is judged by ``resolved_on_time``)."""
        return self.is_open() and self.due_at < (now or timezone.now())

    def is_due_soon(self, now: Any = None) -> bool:
        """Open, not yet overdue, due within ``DUE_SOON_HOURS`` (the lists' warning)."""
        moment = now or timezone.now()
        return self.is_open() and moment <= self.due_at < moment + datetime.timedelta(hours=DUE_SOON_HOURS)

    def resolved_on_time(self) -> bool | None:
        return None if self.resolved_at is None else self.resolved_at <= self.due_at

    @property
    def caller_phone_masked(self) -> str:
        return mask_phone(self.caller_phone)


class TicketHandler(models.Model):
    """Who handles a ticket: a department, a person (the paired cadre) or an area's level (a village)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="handlers"
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The area's code ("" when the handler is no area): the prefix ``handle`` scopes compare.
    area_path = models.CharField(_("区域路径"), max_length=15, blank=True, editable=False)
    role = models.CharField(_("角色"), max_length=14, choices=HandlerRole.choices, default=HandlerRole.LEAD)
    is_active = models.BooleanField(_("有效"), default=True)
    assigned_at = models.DateTimeField(_("派单时间"), default=timezone.now)

    class Meta:
        verbose_name = _("承办方")
        verbose_name_plural = _("承办方")
        ordering = ["assigned_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False) | Q(user__isnull=False) | Q(area__isnull=False),
                name="ticket_handler_has_target",
            ),
        ]
        indexes = [
            # A department's queue: its active rows, newest tickets first.
            models.Index(
                fields=["department", "ticket"], condition=Q(is_active=True), name="ticket_handler_dept_idx"
            ),
            models.Index(
                fields=["user", "ticket"], condition=Q(is_active=True), name="ticket_handler_user_idx"
            ),
            models.Index(
                fields=["area_path", "ticket"], condition=Q(is_active=True), name="ticket_handler_area_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.target_name}"

    @property
    def target_name(self) -> str:
        return str(self.department or self.user or self.area or "")


class TicketEvent(models.Model):
    """One line of a ticket's timeline (append-only: PostgreSQL refuses UPDATE and DELETE)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    verb = models.CharField(_("动作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("工单动态")
        verbose_name_plural = _("工单动态")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_event_time_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.verb} {self.created_at:%Y-%m-%d %H:%M}"


class TicketCounter(models.Model):
    """The last sequence number given out on a day (ticket numbers are the date plus this sequence)."""

    day = models.DateField(_("日期"), unique=True)
    last = models.PositiveIntegerField(_("最后序号"), default=0)

    class Meta:
        verbose_name = _("工单编号计数")
        verbose_name_plural = _("工单编号计数")

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


sensitive.register(Ticket, caller_phone=mask_phone)
