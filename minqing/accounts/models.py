"""Users, departments, role assignments to areas, and login security records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core import sensitive
from minqing.core.idnumber import mask_phone
from minqing.core.scoping import ALL, ScopedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from minqing.core.scoping import Prefixes

from .roles import Role, role_allows


class Department(models.Model):
    """A county department that requests are routed to (卫健局, 住建局, 民政局 …)."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff member or resident. Scope comes only from assignments (fails closed)."""

    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    # Wrong second-factor codes since the last right one. Only a right code resets it (a right password
    # does not), so logging in again gives no new guesses; the last allowed failure sets locked_until.
    otp_failures = models.PositiveSmallIntegerField(_("连续动态码错误次数"), default=0)

    class Meta(AbstractUser.Meta):
        # The stubs declare AbstractUser.Meta's names as str; Django takes lazy strings here.
        verbose_name = _("用户")  # type: ignore[assignment]
        verbose_name_plural = _("用户")  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names: family name first, no space.
        return f"{self.last_name}{self.first_name}".strip()

    def scope_prefixes(self, action: str = "view") -> Prefixes:
        """Area paths where this user may perform ``action``; ALL for superusers; [] for none.

        Cached on the instance, which lives for one request.
        """
        if self.is_superuser and self.is_active:
            return ALL
        cache: dict[str, list[str]] = self.__dict__.setdefault("_scope_cache", {})
        if action not in cache:
            cache[action] = sorted(
                {a.area.code for a in self.active_assignments() if role_allows(a.role, action)}
            )
        return cache[action]

    def active_assignments(self) -> list[Assignment]:
        if "_assignments" not in self.__dict__:
            self.__dict__["_assignments"] = list(
                self.assignments.filter(is_active=True).select_related("area", "department")
            )
        return self.__dict__["_assignments"]

    def has_role(self, *roles: str) -> bool:
        return any(a.role in roles for a in self.active_assignments())

    def can(self, action: str) -> bool:
        """True if the user may perform ``action`` somewhere (used to show menus)."""
        prefixes = self.scope_prefixes(action)
        return prefixes is ALL or bool(prefixes)

    @property
    def is_locked(self) -> bool:
        return bool(self.locked_until and self.locked_until > timezone.now())


class AssignmentQuerySet(ScopedQuerySet):
    path_field = "area__code"

    def visible_to(self, user: User | AnonymousUser | None, action: str = "manage") -> Self:
        return super().visible_to(user, action)


class Assignment(models.Model):
    """A role held by a user inside one area. A user may hold several."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    area = models.ForeignKey("areas.Area", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="assignment_unique"),
            models.CheckConstraint(
                condition=~models.Q(role=Role.DEPARTMENT_STAFF) | models.Q(department__isnull=False),
                name="assignment_department_staff_has_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"

    @property
    def area_path(self) -> str:
        return self.area.code


class LoginAttempt(models.Model):
    """Every login success and failure (等保: 登录日志)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    success = models.BooleanField(_("成功"))
    reason = models.CharField(_("原因"), max_length=50, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("登录日志")
        verbose_name_plural = _("登录日志")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {'✓' if self.success else '✗'}"


class UserSession(models.Model):
    """Links a session to its user so an admin can end all sessions of a disabled account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"


class UsernameLock(models.Model):
    """Failures and lock of a username that is no account, so that it locks exactly like an account.

    Without it a sixth wrong password would tell an account ("locked") from a name nobody has.
    """

    username = models.CharField(_("用户名"), max_length=150, unique=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("未知用户名锁定")
        verbose_name_plural = _("未知用户名锁定")

    def __str__(self) -> str:
        return self.username


# A user's phone is often the same number as their registry record's (a resident's): masked in the admin and
# in change details like every phone (core.sensitive).
sensitive.register(User, phone=mask_phone)
