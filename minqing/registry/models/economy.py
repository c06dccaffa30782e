"""年度收支: one household's income and expense for one year; 年人均纯收入 is computed."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minqing.core.scoping import ScopedQuerySet

from .households import Household
from .paired import PairedScopeMixin

MONEY = {
    "max_digits": 12,
    "decimal_places": 2,
    "default": Decimal(0),
    "validators": [MinValueValidator(Decimal(0), message=_("金额不能为负数。"))],
}


class EconomyQuerySet(PairedScopeMixin, ScopedQuerySet):
    """Yearly economy; that of a stationed cadre's paired households is changeable by them (``paired``)."""


class EconomyYear(models.Model):
    """年度收支: one household's income and expense for one year."""

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.CASCADE, related_name="economy"
    )
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    population = models.PositiveSmallIntegerField(
        _("家庭人口"), validators=[MinValueValidator(1, message=_("家庭人口至少为1人。"))]
    )
    wage_income = models.DecimalField(_("工资性收入"), **MONEY)
    business_income = models.DecimalField(_("生产经营性收入"), **MONEY)
    property_income = models.DecimalField(_("财产性收入"), **MONEY)
    dibao_income = models.DecimalField(_("低保金"), **MONEY)
    tekun_income = models.DecimalField(_("特困供养金"), **MONEY)
    pension_income = models.DecimalField(_("养老金"), **MONEY)
    eco_compensation_income = models.DecimalField(_("生态补偿金"), **MONEY)
    other_transfer_income = models.DecimalField(_("其他转移性收入"), **MONEY)
    business_expense = models.DecimalField(_("生产经营性支出"), **MONEY)
    net_per_capita = models.DecimalField(_("年人均纯收入"), max_digits=12, decimal_places=2, editable=False)
    # Optimistic locking, as on every record several cadres edit (core/editing.py): a year is replaced
    # only by an editor who loaded its current version.
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EconomyQuerySet.as_manager()

    INCOME_FIELDS = ("wage_income", "business_income", "property_income")
    TRANSFER_FIELDS = (
        "dibao_income",
        "tekun_income",
        "pension_income",
        "eco_compensation_income",
        "other_transfer_income",
    )

    class Meta:
        verbose_name = _("年度收支")
        verbose_name_plural = _("年度收支")
        ordering = ["household", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="economy_one_row_per_year"),
            models.CheckConstraint(condition=Q(population__gte=1), name="economy_population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"

    @property
    def transfer_income(self) -> Decimal:
        return sum((getattr(self, f) for f in self.TRANSFER_FIELDS), Decimal(0))

    @property
    def total_income(self) -> Decimal:
        return sum((getattr(self, f) for f in self.INCOME_FIELDS), Decimal(0)) + self.transfer_income

    def compute(self) -> None:
        """年人均纯收入 = (工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出) / 家庭人口."""
        net = self.total_income - self.business_expense
        self.net_per_capita = (net / self.population).quantize(Decimal("0.01"))
