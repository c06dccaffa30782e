"""Check-in rules per area, daily check-ins of cadres, and the refused attempts (签到规则, 签到, 签到被拒记录)."""

from __future__ import annotations

import datetime
import ipaddress
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minqing.accounts.roles import Role
from minqing.core.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from minqing.accounts.models import User

#: The roles that check in every day: the cadres who work in the villages.
CADRE_ROLES = (Role.GRID_WORKER, Role.VILLAGE_CADRE, Role.STATIONED_CADRE, Role.TOWNSHIP_STAFF)
#: Most office networks a rule may list (one per line).
MAX_NETWORKS = 50
MIN_RADIUS_M, MAX_RADIUS_M = 50, 20_000


def parse_networks(text: str) -> list[str]:
    """One IP address or CIDR range per line (commas and spaces also separate), normalised: "10.0.0.5/24" is
    stored as "10.0.0.0/24". Raises ValidationError naming the line that is not an address or range."""
    entries = [part for line in (text or "").splitlines() for part in line.replace(",", " ").split()]
    networks: list[str] = []
    for number, entry in enumerate(entries, start=1):
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValidationError(
                gettext(
                    "第 %(n)d 项“%(entry)s”不是有效的IP地址或网段，请填写如 192.168.1.0/24 或 202.98.1.10 的地址。"
                )
                % {"n": number, "entry": entry[:60]},
                code="invalid_network",
            ) from None
        if str(network) not in networks:
            networks.append(str(network))
    if len(networks) > MAX_NETWORKS:
        raise ValidationError(
            gettext("办公网络最多填写 %(n)d 个网段。") % {"n": MAX_NETWORKS}, code="too_many_networks"
        )
    return networks


class CheckInRuleQuerySet(ScopedQuerySet):
    def visible_to(self, user: User | AnonymousUser | None, action: str = "manage") -> Self:
        return super().visible_to(user, action)


class CheckInRule(models.Model):
    """Where the cadres of an area may check in; areas below it without a rule of their own inherit it."""

    area = models.OneToOneField(
        "areas.Area", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="checkin_rule"
    )
    area_path = models.CharField(_("区域路径"), max_length=15, unique=True, editable=False)
    networks = models.TextField(
        _("办公网络"),
        blank=True,
        help_text=_("村委会、乡镇办公网络的出口IP地址或网段，每行一个，如 202.98.1.10 或 192.168.1.0/24。"),
    )
    allow_location = models.BooleanField(
        _("允许在本村范围内定位签到"),
        default=False,
        help_text=_("不在办公网络时，可凭手机定位在范围内签到。"),
    )
    latitude = models.DecimalField(
        _("中心点纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("中心点经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    radius_m = models.PositiveIntegerField(
        _("范围半径(米)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_RADIUS_M), MaxValueValidator(MAX_RADIUS_M)],
    )
    start_time = models.TimeField(_("签到开始时间"), null=True, blank=True)
    end_time = models.TimeField(_("签到截止时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CheckInRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("签到规则")
        verbose_name_plural = _("签到规则")
        ordering = ["area_path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(radius_m__isnull=True)
                | Q(radius_m__gte=MIN_RADIUS_M, radius_m__lte=MAX_RADIUS_M),
                name="checkinrule_radius_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self._meta.verbose_name}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        try:
            self.networks = "\n".join(parse_networks(self.networks))
        except ValidationError as error:
            errors["networks"] = error
        if self.allow_location:
            missing = _("允许定位签到时，请填写本村中心点的纬度、经度和范围半径。")
            for name in ("latitude", "longitude", "radius_m"):
                if getattr(self, name) is None:
                    errors.setdefault(name, missing)
        elif not self.networks and "networks" not in errors:
            errors["networks"] = _("请至少填写一个办公网络，或允许在本村范围内定位签到。")
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            errors["end_time"] = _("签到截止时间应晚于开始时间。")
        if errors:
            raise ValidationError(errors)

    @property
    def network_list(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(line, strict=False) for line in self.networks.split()]

    def in_window(self, moment: datetime.time) -> bool:
        if self.start_time and moment < self.start_time:
            return False
        return not (self.end_time and moment > self.end_time)


class Method(models.TextChoices):
    NETWORK = "network", _("办公网络")
    LOCATION = "location", _("定位")


class OwnOrScopedQuerySet(ScopedQuerySet):
    """A cadre always sees their own rows; readers see the rows of the areas they may ``view``."""

    def visible_to(self, user: User | AnonymousUser | None, action: str = "view") -> Self:
        scoped = super().visible_to(user, action)
        if user is None or not user.is_authenticated or not user.is_active:
            return scoped
        return self.filter(user_id=user.pk) | scoped


class Position(models.Model):
    """The browser's position sent with a check-in (WGS-84, as the Geolocation API gives it)."""

    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("定位精度(米)"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("距中心点(米)"), null=True, blank=True)

    class Meta:
        abstract = True


class CheckIn(Position):
    """One cadre's check-in of one day: the server's time, the area it counts for, how it was allowed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签到人"), on_delete=models.PROTECT, related_name="checkins"
    )
    date = models.DateField(_("日期"))
    at = models.DateTimeField(_("签到时间"), auto_now_add=True)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("签到区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    method = models.CharField(_("签到方式"), max_length=10, choices=Method.choices)

    objects = OwnOrScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="checkin_one_per_user_day"),
        ]
        indexes = [
            models.Index(fields=["area_path", "date"], name="checkin_area_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.date:%Y-%m-%d}"


class Reason(models.TextChoices):
    NO_RULE = "no_rule", _("未设置签到规则")
    OUTSIDE_WINDOW = "outside_window", _("不在签到时段")
    WRONG_NETWORK = "wrong_network", _("不在办公网络")
    NO_POSITION = "no_position", _("未提供定位")
    LOW_ACCURACY = "low_accuracy", _("定位精度不足")
    OUTSIDE_AREA = "outside_area", _("不在本村范围")


class CheckInAttempt(Position):
    """A refused check-in, kept as evidence: who, when, from which address and position, and why."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签到人"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("日期"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区域"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=20, choices=Reason.choices)
    message = models.CharField(_("提示"), max_length=300)

    objects = OwnOrScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("签到被拒记录")
        verbose_name_plural = _("签到被拒记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "date"], name="checkinattempt_area_date_idx"),
            models.Index(fields=["user", "date"], name="checkinattempt_user_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.at:%Y-%m-%d %H:%M} · {self.get_reason_display()}"
