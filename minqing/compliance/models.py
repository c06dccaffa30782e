"""Visit quotas (考核规则) per area, and the per-household figures that make compliance pages cheap.

``QuotaRule`` rows are set on an area and inherited by every area below it unless one of those areas has a
rule of the same kind (and role) itself; a rule with ``enabled`` off lifts an inherited requirement.

``HouseholdVisitStat`` (one row per household: its area copies, whether it is active, when it was last
visited) and ``VisitTally`` (counted visits per household, author and month) are derived from the visit log
(``Visit.objects.counted()``): kept in the visit's own transaction by ``services.on_visit_saved`` and
rebuilt from the log by ``services.stats_rebuild`` (the periodic ``compliance_reconcile`` job, and after bulk
loads). Neither is ever edited by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minqing.accounts.roles import Role
from minqing.core.scoping import GridScopedQuerySet, ScopedQuerySet
from minqing.registry.models import Household

from .periods import MONTH_SPANS

#: Roles a per-cadre quota may name: staff who visit households (residents and the hotline desk do not).
CADRE_ROLES = [
    (value, label) for value, label in Role.choices if value not in (Role.RESIDENT, Role.SERVICE_DESK)
]
MAX_PER_MONTH = 31
MAX_PER_WEEK = 100
MAX_CADRE_PER_MONTH = 400


class RuleKind(models.TextChoices):
    HOUSEHOLD_COVERAGE = "coverage", _("每户定期走访")
    PAIRED_MONTHLY = "paired", _("结对户每月走访")
    CADRE_VISITS = "cadre", _("干部走访次数")


class RuleUnit(models.TextChoices):
    WEEK = "week", _("每周")
    MONTH = "month", _("每月")


class QuotaRule(models.Model):
    """考核规则: one visit requirement of an area, inherited by the areas below unless they set their own."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("适用区域"), on_delete=models.PROTECT, related_name="+"
    )
    # A copy of the area's code (scoping, inheritance by prefix); the rule services keep it.
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False)
    kind = models.CharField(_("规则类型"), max_length=10, choices=RuleKind.choices)
    # CADRE_VISITS only: the role it applies to (blank for household rules).
    role = models.CharField(_("适用角色"), max_length=20, choices=CADRE_ROLES, blank=True)
    count = models.PositiveSmallIntegerField(_("次数"), default=1)
    # HOUSEHOLD_COVERAGE: once every ``months`` months (a divisor of 12: the periods tile the year).
    months = models.PositiveSmallIntegerField(
        _("周期(月)"), null=True, blank=True, choices=[(m, m) for m in MONTH_SPANS]
    )
    # CADRE_VISITS: per week or per month.
    unit = models.CharField(_("考核周期"), max_length=5, choices=RuleUnit.choices, blank=True)
    enabled = models.BooleanField(
        _("启用"), default=True, help_text=_("停用后，下级区域不再继承上级的同类规则。")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核规则")
        verbose_name_plural = _("考核规则")
        ordering = ["area_path", "kind", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "kind", "role"],
                name="quotarule_one_per_area_kind_role",
                violation_error_message=_("该区域已有同类规则，请直接修改原规则。"),
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="quotarule_count_positive"),
            models.CheckConstraint(
                condition=~Q(kind="coverage") | Q(months__in=list(MONTH_SPANS), role="", unit=""),
                name="quotarule_coverage_shape",
            ),
            models.CheckConstraint(
                condition=~Q(kind="paired") | Q(months__isnull=True, role="", unit=""),
                name="quotarule_paired_shape",
            ),
            models.CheckConstraint(
                condition=~Q(kind="cadre")
                | (Q(months__isnull=True, unit__in=["week", "month"]) & ~Q(role="")),
                name="quotarule_cadre_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.describe()}"

    def describe(self) -> str:
        if not self.enabled:
            return str(_("不考核（停用上级规则）"))
        if self.kind == RuleKind.HOUSEHOLD_COVERAGE:
            return str(_("每户每%(months)s个月至少走访%(count)s次")) % {
                "months": self.months,
                "count": self.count,
            }
        if self.kind == RuleKind.PAIRED_MONTHLY:
            return str(_("结对户每月至少走访%(count)s次")) % {"count": self.count}
        unit = _("每周") if self.unit == RuleUnit.WEEK else _("每月")
        return str(_("%(role)s%(unit)s至少走访%(count)s次")) % {
            "role": Role(self.role).label if self.role in Role.values else self.role,
            "unit": unit,
            "count": self.count,
        }

    def clean(self) -> None:
        """The same checks as the constraints, with messages that say what to fix (form, API, service)."""
        errors: dict[str, str] = {}
        if self.count is None or self.count < 1:
            errors["count"] = str(_("次数至少为1。"))
        if self.kind == RuleKind.HOUSEHOLD_COVERAGE:
            if self.months not in MONTH_SPANS:
                errors["months"] = str(_("周期须为1、2、3、4、6或12个月（按自然年划分）。"))
            if self.count and self.count > MAX_PER_MONTH:
                errors["count"] = str(_("每户走访次数不能超过%(max)s次。")) % {"max": MAX_PER_MONTH}
            self.role, self.unit = "", ""
        elif self.kind == RuleKind.PAIRED_MONTHLY:
            if self.count and self.count > MAX_PER_MONTH:
                errors["count"] = str(_("结对户每月走访次数不能超过%(max)s次。")) % {"max": MAX_PER_MONTH}
            self.role, self.unit, self.months = "", "", None
        elif self.kind == RuleKind.CADRE_VISITS:
            if self.role not in dict(CADRE_ROLES):
                errors["role"] = str(_("请选择规则适用的角色。"))
            if self.unit not in RuleUnit.values:
                errors["unit"] = str(_("请选择每周或每月。"))
            limit = MAX_PER_WEEK if self.unit == RuleUnit.WEEK else MAX_CADRE_PER_MONTH
            if self.count and self.count > limit:
                errors["count"] = str(_("次数过多：每周不超过%(week)s次，每月不超过%(month)s次。")) % {
                    "week": MAX_PER_WEEK,
                    "month": MAX_CADRE_PER_MONTH,
                }
            self.months = None
        else:
            errors["kind"] = str(_("请选择规则类型。"))
        if self.area_id and self.area.level not in ("province", "city", "county", "township", "village"):
            errors["area"] = str(_("规则只能设在县、乡镇或村(社区)一级。"))
        if errors:
            raise ValidationError(errors)


class HouseholdVisitStat(models.Model):
    """Per household: its area copies, whether it is active, and when it was last visited (counted visits)."""

    household = models.OneToOneField(
        Household, primary_key=True, on_delete=models.CASCADE, related_name="visit_stat", verbose_name=_("户")
    )
    area_path = models.CharField(_("区域路径"), max_length=15)
    grid_path = models.CharField(_("网格路径"), max_length=15, blank=True)
    active = models.BooleanField(_("正常户"), default=True)
    last_visit_at = models.DateTimeField(_("最近走访时间"), null=True, blank=True)
    last_visit_id = models.BigIntegerField(_("最近走访记录"), null=True, blank=True)

    objects = GridScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访统计")
        verbose_name_plural = _("走访统计")
        indexes = [
            # Coverage per sub-area, and the not-visited list in area order: index-only range scans of the
            # area's active households (PostgreSQL reads last_visit_at from the index; SQLite from the row).
            models.Index(
                fields=["area_path", "household"],
                include=["last_visit_at"],
                condition=Q(active=True),
                name="visitstat_area_idx",
            ),
            models.Index(
                fields=["grid_path", "household"],
                include=["last_visit_at"],
                condition=Q(active=True),
                name="visitstat_grid_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} · {self.last_visit_at or '-'}"


class VisitTally(models.Model):
    """Counted visits of one household by one author in one calendar month (local time)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+", db_index=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    # The path of the month's visits (a household that moved keeps its old months where they happened).
    area_path = models.CharField(_("区域路径"), max_length=15)
    visits = models.PositiveIntegerField(_("走访次数"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度走访计数")
        verbose_name_plural = _("月度走访计数")
        constraints = [
            models.UniqueConstraint(fields=["household", "author", "month"], name="visittally_unique"),
        ]
        indexes = [models.Index(fields=["area_path", "month", "household"], name="visittally_area_idx")]

    def __str__(self) -> str:
        return f"{self.household_id} · {self.author_id} · {self.month:%Y-%m}: {self.visits}"


class CadreDayTally(models.Model):
    """Counted visits logged by one author on one local day: per-cadre quotas sum a week or month of these."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField(_("日期"))
    visits = models.PositiveIntegerField(_("走访次数"), default=0)

    class Meta:
        verbose_name = _("干部每日走访计数")
        verbose_name_plural = _("干部每日走访计数")
        constraints = [models.UniqueConstraint(fields=["author", "day"], name="cadredaytally_unique")]

    def __str__(self) -> str:
        return f"{self.author_id} · {self.day}: {self.visits}"
