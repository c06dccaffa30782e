"""Administrative areas (统计用区划代码) from province down to groups (村民小组) and grids (网格)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minqing.core.scoping import PATH_LENGTHS, ScopedQuerySet, level_prefix, scope_root  # noqa: F401 - named here too

# Length of the significant prefix of a code at each level.
LEVEL_LENGTHS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12, "group": 15, "grid": 15}
assert PATH_LENGTHS == tuple(sorted(set(LEVEL_LENGTHS.values())))  # core.scoping's, named here
#: Per-village counts are kept by this prefix of a path; grids and groups sit inside their village.
VILLAGE_LENGTH = LEVEL_LENGTHS["village"]


def child_length(path: str) -> int:
    """Length of the codes one level below ``path``; the last level's length (15) at the bottom."""
    return next((n for n in PATH_LENGTHS if n > len(path)), PATH_LENGTHS[-1])


def short_name(name: str) -> str:
    """Village committee names are long; cadres say 鱼塘村, not 鱼塘村村民委员会."""
    for suffix in ("村民委员会", "居民委员会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def ancestor_paths(path: str) -> list[str]:
    """The area paths above ``path``, outermost first (``path`` itself excluded)."""
    return [path[:n] for n in PATH_LENGTHS if n < len(path)]


@dataclass
class AreaCount:
    """A count in one area, for a breakdown table or a chart bar (``drill``: the area has children to open)."""

    code: str
    name: str
    count: int
    drill: bool = False


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县(区)")
    TOWNSHIP = "township", _("乡镇(街道)")
    VILLAGE = "village", _("村(社区)")
    GROUP = "group", _("村民小组")
    GRID = "grid", _("网格")


LEVEL_ORDER = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GROUP]


class AreaQuerySet(ScopedQuerySet):
    path_field = "code"

    def visible_to(self, user, action: str = "view"):
        return super().visible_to(user, action)


class Area(models.Model):
    """One administrative area; its code is its path, so a subtree is one indexed prefix match."""

    code = models.CharField(_("区划代码"), max_length=15, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # GB/T 31000 表8 网格化建设: figures declared for a grid.
    area_km2 = models.DecimalField(
        _("面积(平方千米)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    boundary = models.TextField(_("网格边界描述"), blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["parent", "code"], name="area_parent_code_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=[c.value for c in Level]), name="area_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("areas:detail", args=[self.code])

    @property
    def path(self) -> str:
        return self.code

    @property
    def short_name(self) -> str:
        return short_name(self.name)

    def ancestors(self) -> list[Area]:
        """Areas above this one, from the top, in one query."""
        return list(Area.objects.filter(code__in=ancestor_paths(self.code)).order_by("code"))


class GridMember(models.Model):
    """A person serving a grid (一长多员: 网格长, 网格员, 信息员…), per GB/T 31000 表8."""

    class Duty(models.TextChoices):
        LEADER = "leader", _("网格长")
        WORKER = "worker", _("网格员")
        INFORMANT = "informant", _("信息员")
        GUIDE = "guide", _("网格指导员")
        MONITOR = "monitor", _("监督员")

    grid = models.ForeignKey(
        Area, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="grid_members"
    )
    duty = models.CharField(_("职责"), max_length=10, choices=Duty.choices)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("系统账号"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("网格成员")
        verbose_name_plural = _("网格成员")
        ordering = ["grid", "duty", "name"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "duty", "name"], name="gridmember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_duty_display()} {self.name}"

    @property
    def area_path(self) -> str:
        return self.grid.code


class AreaPlaced(models.Model):
    """A row placed in the area tree: area path and grid path are copies kept by the services."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False)
    grid = models.ForeignKey(
        "areas.Area",
        verbose_name=_("所属网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "grid"},
    )
    grid_path = models.CharField(_("网格路径"), max_length=15, blank=True, editable=False)

    class Meta:
        abstract = True

    def place_paths(self) -> None:
        self.area_path = self.area.code
        self.grid_path = self.grid.code if self.grid_id else ""

    def clean_placement(self) -> None:
        """Households and what they own sit in a village or one of its groups; the grid is of the same village."""
        errors = {}
        area = self.area if self.area_id else None
        if area is not None and area.level not in ("village", "group"):
            errors["area"] = _("请选择村(社区)或村民小组。")
        if self.grid_id and area is not None:
            village = area.code[:12]
            if self.grid.level != "grid" or not self.grid.code.startswith(village):
                errors["grid"] = _("网格必须属于同一个村(社区)。")
        if errors:
            raise ValidationError(errors)
