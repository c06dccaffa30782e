"""The catalogue a request is filed against: categories (a tree), time limits and routing rules."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Category(models.Model):
    """诉求分类: a two-level tree (医疗健康 › 就医困难 …), editable; tickets keep their category when it is retired."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("名称"), max_length=50)
    code = models.SlugField(_("代码"), max_length=20, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="ticket_category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def lineage(self) -> list[int]:
        """This category's id and its parents' ids, nearest first (rules set on a parent hold for children)."""
        ids: list[int] = []
        node: Category | None = self
        while node is not None and len(ids) < 5:
            ids.append(node.pk)
            node = node.parent
        return ids


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("小时")
    WORKING_DAYS = "working_days", _("工作日")


class TimeLimit(models.Model):
    """办理时限 per category × urgency; a category-specific rule wins over the general one (category empty)."""

    category = models.ForeignKey(
        Category,
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="time_limits",
    )
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices)
    amount = models.PositiveIntegerField(
        _("时限"), validators=[MinValueValidator(1, message=_("时限至少为 1。"))]
    )
    unit = models.CharField(_("单位"), max_length=12, choices=TimeUnit.choices)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="ticket_time_limit_unique"),
            models.UniqueConstraint(
                fields=["urgency"],
                condition=Q(category__isnull=True),
                name="ticket_time_limit_general_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gte=1), name="ticket_time_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category or _('全部分类')} · {self.get_urgency_display()} · {self.amount}{self.get_unit_display()}"


class RoutingRule(models.Model):
    """派单规则: which departments handle a category (in an area and below; the nearest area wins), whether
    the household's paired cadre (帮扶责任人) is added, and whether the household's village handles it first."""

    category = models.ForeignKey(
        Category, verbose_name=_("分类"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("适用区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示全县适用；下级区域的规则优先。"),
    )
    # A copy of the area's code ("" = everywhere), kept by save(): what ``nearest_rule`` compares.
    area_path = models.CharField(_("区域路径"), max_length=15, blank=True, editable=False)
    departments = models.ManyToManyField(
        "accounts.Department", verbose_name=_("承办部门"), blank=True, related_name="+"
    )
    add_paired_cadre = models.BooleanField(_("同时派给帮扶责任人"), default=False)
    village_first = models.BooleanField(_("先由村(社区)办理"), default=False)

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area_path"],
                name="ticket_routing_rule_unique",
                violation_error_message=_("这个分类在这个区域已有派单规则，请修改原规则。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.area or _('全县')}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.area_path = self.area.code if self.area_id and self.area else ""
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        # Before the constraints are validated: they compare the path.
        self.area_path = self.area.code if self.area_id and self.area else ""
