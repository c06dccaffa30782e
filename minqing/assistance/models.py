"""结对帮扶 and 帮扶计划: which cadre is paired with which household (with history), and the household's
assistance plan with its measures of the official types, each with money, outcome and the risks it addresses.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minqing.core import codes
from minqing.core.fields import CodeListField
from minqing.core.scoping import ScopedQuerySet
from minqing.registry.models import Household
from minqing.registry.models.paired import PairedScopeMixin

NOT_NEGATIVE = [MinValueValidator(Decimal(0), message=_("金额不能为负数。"))]


class HouseholdRecordQuerySet(PairedScopeMixin, ScopedQuerySet):
    """Rows of one household: a grid worker's scope (a grid code) matches through the household's grid; the
    household's paired cadre reads them as the pairing grants (``registry.models.paired``)."""

    grid_field = "household__grid_path"


class PairingQuerySet(HouseholdRecordQuerySet):
    def open(self) -> PairingQuerySet:
        return self.filter(ended_on__isnull=True)


class Pairing(models.Model):
    """结对帮扶: one cadre paired with one household for a period; the open pairing names the 帮扶责任人."""

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="pairings"
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮扶责任人"),
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    # A copy of the household's path (scoping); the pairing service keeps it.
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False)
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("解除日期"), null=True, blank=True)
    end_reason = models.CharField(_("解除原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结对操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["cadre", "ended_on"], name="pairing_cadre_idx"),
            models.Index(fields=["area_path"], name="pairing_area_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="pairing_one_open_per_household",
                violation_error_message=_("这户已有结对的帮扶责任人，请先解除原结对。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="pairing_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.household}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class MeasureKind(models.TextChoices):
    """帮扶措施类型 (the types of the 防止返贫监测和帮扶 work)."""

    INDUSTRY = "industry", _("产业帮扶")
    EMPLOYMENT = "employment", _("就业帮扶")
    FINANCE = "finance", _("金融帮扶(小额信贷)")
    EDUCATION = "education", _("教育帮扶")
    HEALTH = "health", _("健康帮扶")
    HOUSING = "housing", _("住房安全保障")
    WATER = "water", _("饮水安全")
    SAFETY_NET = "safety_net", _("兜底保障")
    RELOCATION = "relocation", _("易地搬迁")
    ECOLOGY = "ecology", _("生态补偿(护林员等公益岗位)")
    ASSET_INCOME = "asset_income", _("资产收益")
    CONSUMPTION = "consumption", _("消费帮扶")
    OTHER = "other", _("其他")


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    IN_PROGRESS = "in_progress", _("实施中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


#: Allowed status moves (a measure's status pipeline): a finished or cancelled measure stays so.
TRANSITIONS: dict[str, frozenset[str]] = {
    MeasureStatus.PLANNED: frozenset(
        {MeasureStatus.IN_PROGRESS, MeasureStatus.DONE, MeasureStatus.CANCELLED}
    ),
    MeasureStatus.IN_PROGRESS: frozenset({MeasureStatus.DONE, MeasureStatus.CANCELLED}),
    MeasureStatus.DONE: frozenset(),
    MeasureStatus.CANCELLED: frozenset(),
}


class AssistancePlan(models.Model):
    """帮扶计划: one household's assistance plan for a year (or a period within it)."""

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="assistance_plans"
    )
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    period_start = models.DateField(_("计划开始日期"), null=True, blank=True)
    period_end = models.DateField(_("计划结束日期"), null=True, blank=True)
    goal = models.TextField(_("帮扶目标"), blank=True, max_length=1000)
    note = models.TextField(_("备注"), blank=True, max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("制定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HouseholdRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶计划")
        verbose_name_plural = _("帮扶计划")
        ordering = ["household", "-year"]
        indexes = [models.Index(fields=["area_path", "year"], name="plan_area_year_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"],
                name="plan_one_per_household_year",
                violation_error_message=_("这户该年度已有帮扶计划，请直接修改原计划。"),
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="plan_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return _("%(year)s年帮扶计划") % {"year": self.year}


class Measure(models.Model):
    """帮扶措施: one measure of a plan, of an official type, with its target, money, status and outcome."""

    plan = models.ForeignKey(
        AssistancePlan, verbose_name=_("帮扶计划"), on_delete=models.PROTECT, related_name="measures"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="assistance_measures"
    )
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False)
    kind = models.CharField(_("措施类型"), max_length=16, choices=MeasureKind.choices)
    target = models.CharField(_("措施内容及目标"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    amount = models.DecimalField(
        _("涉及金额(元)"), max_digits=12, decimal_places=2, default=Decimal(0), validators=NOT_NEGATIVE
    )
    started_on = models.DateField(_("开始日期"), null=True, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    outcome = models.TextField(_("成效"), blank=True, max_length=1000)
    income_change = models.DecimalField(
        _("年增收(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    risks_addressed = CodeListField(_("针对的风险类型"), code_table=codes.RiskType, default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HouseholdRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["plan", "started_on", "id"]
        indexes = [
            models.Index(fields=["area_path", "kind"], name="measure_area_kind_idx"),
            models.Index(fields=["household", "status"], name="measure_household_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="measure_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(completed_on__gte=models.F("started_on")),
                name="measure_completed_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.target}"

    def can_move_to(self, status: str) -> bool:
        return status == self.status or status in TRANSITIONS.get(self.status, frozenset())
