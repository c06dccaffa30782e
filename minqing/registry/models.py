"""一户一档: households, persons, houses, places, yearly economy, attachments, custom fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core import codes
from minqing.core.idnumber import (
    IdNumberError,
    check_consistency,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    validate_phone,
)
from minqing.core.scoping import GridScopedQuerySet, ScopedQuerySet


class Versioned(models.Model):
    """Optimistic locking and timestamps for records several cadres edit."""

    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


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


class AssistanceLevel(models.TextChoices):
    NONE = "", _("无")
    URBAN = "urban", _("城市低保")
    RURAL = "rural", _("农村低保")


class DestituteSupport(models.TextChoices):
    NONE = "", _("无")
    CENTRALISED = "central", _("集中供养")
    DISPERSED = "dispersed", _("分散供养")


class MonitoringStatus(models.TextChoices):
    NONE = "", _("非监测对象")
    MONITORING = "monitoring", _("监测中")
    RISK_CLEARED = "cleared", _("风险消除")


class HouseholdQuerySet(GridScopedQuerySet):
    def active(self):
        return self.filter(status=codes.HouseholdStatus.NORMAL)


class Household(AreaPlaced, Versioned):
    """户: one household file (一户一档)."""

    number = models.CharField(_("户编号"), max_length=24, unique=True)
    address = models.CharField(_("住址"), max_length=200)
    household_type = models.CharField(
        _("户别"), max_length=1, choices=codes.HouseholdType.choices, default=codes.HouseholdType.AGRICULTURAL
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, db_index=True, validators=[validate_phone])
    registration_match = models.BooleanField(_("人户一致"), default=True)
    status = models.CharField(
        _("户状态"), max_length=1, choices=codes.HouseholdStatus.choices, default=codes.HouseholdStatus.NORMAL
    )
    # Copies of the head's name and the member count, kept by services, so lists need no joins.
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True, db_index=True)
    member_count = models.PositiveSmallIntegerField(_("家庭人口"), default=0)

    # 脱贫攻坚 / 防止返贫
    poverty_alleviated = models.BooleanField(_("脱贫户"), default=False)
    alleviated_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    monitoring_status = models.CharField(
        _("监测状态"), max_length=10, choices=MonitoringStatus.choices, default="", blank=True
    )
    monitoring_type = models.CharField(
        _("监测对象类型"), max_length=1, choices=codes.MonitoringType.choices, blank=True
    )
    risk_type = models.CharField(_("主要风险类型"), max_length=2, choices=codes.RiskType.choices, blank=True)
    main_poverty_cause = models.CharField(
        _("主要致贫原因"), max_length=2, choices=codes.PovertyCause.choices, blank=True
    )
    other_poverty_causes = models.JSONField(_("其他致贫原因"), default=list, blank=True)
    # 社会救助
    dibao = models.CharField(_("低保"), max_length=5, choices=AssistanceLevel.choices, default="", blank=True)
    tekun = models.CharField(
        _("特困供养"), max_length=9, choices=DestituteSupport.choices, default="", blank=True
    )
    # 资源
    cultivated_land_mu = models.DecimalField(
        _("耕地(亩)"), max_digits=8, decimal_places=2, default=Decimal(0)
    )
    forest_land_mu = models.DecimalField(_("林地(亩)"), max_digits=8, decimal_places=2, default=Decimal(0))
    # 两不愁三保障 + 饮水安全
    food_secure = models.BooleanField(_("不愁吃"), default=True)
    clothing_secure = models.BooleanField(_("不愁穿"), default=True)
    education_secure = models.BooleanField(_("义务教育有保障"), default=True)
    medical_secure = models.BooleanField(_("基本医疗有保障"), default=True)
    housing_secure = models.BooleanField(_("住房安全有保障"), default=True)
    water_safe = models.BooleanField(_("饮水安全"), default=True)
    water_difficulty = models.CharField(_("饮水困难情况"), max_length=200, blank=True)
    difficulties = models.TextField(_("困难及诉求"), blank=True)
    responsible_cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮扶责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assisted_households",
    )
    custom = models.JSONField(_("自定义字段"), default=dict, blank=True)

    objects = HouseholdQuerySet.as_manager()

    SENSITIVE = {"phone": mask_phone}

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["area_path", "number"]
        indexes = [
            models.Index(fields=["area_path", "number"], name="household_area_idx"),
            models.Index(fields=["grid_path", "number"], name="household_grid_idx"),
            models.Index(fields=["area_path", "-updated_at"], name="household_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cultivated_land_mu__gte=0) & Q(forest_land_mu__gte=0),
                name="household_land_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(monitoring_status="") | ~Q(monitoring_type=""),
                name="household_monitoring_has_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.head_name or _('(无户主)')} · {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("registry:household", args=[self.pk])

    def clean(self) -> None:
        self.clean_placement()
        if self.monitoring_status and not self.monitoring_type:
            raise ValidationError({"monitoring_type": _("监测对象必须选择监测对象类型。")})
        if self.alleviated_year and not self.poverty_alleviated:
            raise ValidationError({"alleviated_year": _("只有脱贫户才填写脱贫年度。")})
        if self.alleviated_year and not 2013 <= self.alleviated_year <= timezone.localdate().year:
            raise ValidationError({"alleviated_year": _("脱贫年度应在2013年到今年之间。")})
        causes = self.other_poverty_causes
        if not isinstance(causes, list) or any(c not in codes.PovertyCause.values for c in causes):
            raise ValidationError({"other_poverty_causes": _("其他致贫原因只能从致贫原因代码表中选择。")})
        if len(set(causes)) != len(causes):
            raise ValidationError({"other_poverty_causes": _("其他致贫原因不要重复选择。")})
        if self.main_poverty_cause in causes:
            raise ValidationError({"other_poverty_causes": _("其他致贫原因不应重复主要致贫原因。")})

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def guarantees(self) -> list[tuple[str, bool]]:
        """两不愁三保障 and water safety, in the order cadres read them."""
        names = [
            "food_secure",
            "clothing_secure",
            "education_secure",
            "medical_secure",
            "housing_secure",
            "water_safe",
        ]
        return [(self._meta.get_field(n).verbose_name, getattr(self, n)) for n in names]


class PersonQuerySet(GridScopedQuerySet):
    def living(self):
        return self.filter(deceased=False)


class Person(AreaPlaced, Versioned):
    """人: one person, GB/T 31000 person block plus the registry's social fields."""

    household = models.ForeignKey(
        Household, verbose_name=_("所在户"), on_delete=models.PROTECT, related_name="members"
    )
    relation = models.CharField(_("与户主关系"), max_length=2, choices=codes.Relation.choices)
    # One ID number is one person in the whole database; NULL while unknown (信息不全).
    id_number = models.CharField(_("公民身份号码"), max_length=18, null=True, blank=True, unique=True)
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    name_initials = models.CharField(
        _("姓名拼音首字母"), max_length=50, blank=True, db_index=True, editable=False
    )
    former_name = models.CharField(_("曾用名"), max_length=50, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=codes.Sex.choices)
    birth_date = models.DateField(_("出生日期"), db_index=True)
    ethnicity = models.CharField(
        _("民族"), max_length=2, choices=codes.Ethnicity.choices, default=codes.Ethnicity.HAN
    )
    native_place = models.CharField(_("籍贯"), max_length=100, blank=True)
    marital_status = models.CharField(
        _("婚姻状况"), max_length=2, choices=codes.MaritalStatus.choices, blank=True
    )
    political_status = models.CharField(
        _("政治面貌"),
        max_length=2,
        choices=codes.PoliticalStatus.choices,
        default=codes.PoliticalStatus.MASSES,
    )
    education = models.CharField(_("学历"), max_length=2, choices=codes.Education.choices, blank=True)
    religion = models.CharField(
        _("宗教信仰"), max_length=2, choices=codes.Religion.choices, default=codes.Religion.NONE
    )
    employment = models.CharField(_("从业状况"), max_length=2, choices=codes.Employment.choices, blank=True)
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    workplace = models.CharField(_("服务处所"), max_length=100, blank=True)
    phone = models.CharField(_("联系方式"), max_length=20, blank=True, db_index=True, validators=[validate_phone])
    registered_address = models.CharField(_("户籍地详址"), max_length=200, blank=True)
    current_address = models.CharField(_("现住地详址"), max_length=200, blank=True)
    registration_match = models.BooleanField(_("人户一致"), default=True)
    residence_status = models.CharField(
        _("居住状态"),
        max_length=2,
        choices=codes.ResidenceStatus.choices,
        default=codes.ResidenceStatus.AT_HOME,
    )
    away_destination = models.CharField(_("外出去向"), max_length=100, blank=True)
    away_since = models.DateField(_("外出时间"), null=True, blank=True)
    work_location = models.CharField(
        _("务工地点"), max_length=1, choices=codes.WorkLocation.choices, blank=True
    )
    inflow_reason = models.CharField(
        _("流入原因"), max_length=2, choices=codes.InflowReason.choices, blank=True
    )
    health = models.CharField(
        _("健康状况"), max_length=2, choices=codes.Health.choices, default=codes.Health.HEALTHY
    )
    chronic_disease = models.CharField(_("慢性病"), max_length=100, blank=True)
    disability_category = models.CharField(
        _("残疾类别"), max_length=1, choices=codes.DisabilityCategory.choices, blank=True
    )
    disability_grade = models.CharField(
        _("残疾等级"), max_length=1, choices=codes.DisabilityGrade.choices, blank=True
    )
    disability_cert_no = models.CharField(_("残疾人证号"), max_length=20, blank=True)
    labor_ability = models.CharField(
        _("劳动能力"), max_length=1, choices=codes.LaborAbility.choices, blank=True
    )
    skills = models.CharField(_("技能特长"), max_length=200, blank=True)
    military_service = models.CharField(
        _("兵役状况"), max_length=1, choices=codes.MilitaryService.choices, blank=True
    )
    medical_insurance = models.BooleanField(_("参加基本医疗保险"), default=True)
    pension_insurance = models.BooleanField(_("参加基本养老保险"), default=False)
    deceased = models.BooleanField(_("已故"), default=False)
    death_date = models.DateField(_("死亡日期"), null=True, blank=True)

    objects = PersonQuerySet.as_manager()

    SENSITIVE = {"id_number": mask_id_number, "phone": mask_phone}

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["household_id", "relation", "birth_date"]
        indexes = [
            models.Index(fields=["area_path", "birth_date"], name="person_area_birth_idx"),
            # Person lists and searches read in (area, household) order: first pages need no big sort.
            models.Index(fields=["area_path", "household"], name="person_area_household_idx"),
            models.Index(fields=["grid_path"], name="person_grid_idx"),
            models.Index(fields=["area_path", "-updated_at"], name="person_updated_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation=codes.Relation.HEAD),
                name="person_one_head_per_household",
            ),
            models.CheckConstraint(
                condition=Q(death_date__isnull=True) | Q(death_date__gte=models.F("birth_date")),
                name="person_died_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:person", args=[self.pk])

    def clean(self) -> None:
        """The rules every entry path shares (forms, API, imports): ID number, dates, coded combinations."""
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.id_number:
            try:
                self.id_number = normalize_id_number(self.id_number)
                check_consistency(self.id_number, birth_date=self.birth_date, sex=self.sex)
            except IdNumberError as error:
                errors[error.field] = error.message
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = _("出生日期不能晚于今天。")
        if self.death_date:
            if self.death_date > today:
                errors["death_date"] = _("死亡日期不能晚于今天。")
            elif self.birth_date and self.death_date < self.birth_date:
                errors["death_date"] = _("死亡日期不能早于出生日期。")
            self.deceased = True
        if bool(self.disability_category) != bool(self.disability_grade):
            errors["disability_grade"] = _("残疾类别和残疾等级要同时填写。")
        if self.residence_status == codes.ResidenceStatus.INFLOW and not self.inflow_reason:
            errors["inflow_reason"] = _("流入人口请选择流入原因。")
        if self.away_since and self.away_since > today:
            errors["away_since"] = _("外出时间不能晚于今天。")
        if errors:
            raise ValidationError(errors)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def age_on(self, day) -> int:
        return (
            day.year
            - self.birth_date.year
            - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
        )


class House(AreaPlaced, Versioned):
    """房屋: a building where people live or work (GB/T 31000 实有房屋)."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("所属户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="houses",
    )
    address = models.CharField(_("房屋地址"), max_length=200)
    structure = models.CharField(_("结构"), max_length=1, choices=codes.HouseStructure.choices, blank=True)
    floor_area = models.DecimalField(
        _("建筑面积(㎡)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"), message=_("建筑面积必须大于0。"))],
    )
    build_year = models.PositiveSmallIntegerField(
        _("建成年份"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800, message=_("建成年份不能早于1800年。"))],
    )
    safety_grade = models.CharField(
        _("安全等级"), max_length=1, choices=codes.HouseSafetyGrade.choices, default=codes.HouseSafetyGrade.A
    )
    use = models.CharField(
        _("建筑用途"), max_length=2, choices=codes.BuildingUse.choices, default=codes.BuildingUse.RESIDENTIAL
    )
    rented_out = models.BooleanField(_("出租"), default=False)
    tenant = models.CharField(_("承租人"), max_length=100, blank=True)

    objects = GridScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["area_path", "address"]
        indexes = [models.Index(fields=["area_path", "safety_grade"], name="house_area_grade_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gt=0), name="house_area_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.address

    def get_absolute_url(self) -> str:
        return reverse("registry:house", args=[self.pk])

    def clean(self) -> None:
        self.clean_placement()
        if self.build_year and self.build_year > timezone.localdate().year:
            raise ValidationError({"build_year": _("建成年份不能晚于今年。")})
        if self.rented_out and not self.tenant:
            raise ValidationError({"tenant": _("出租的房屋请填写承租人。")})

    @property
    def is_dangerous(self) -> bool:
        return self.safety_grade in (codes.HouseSafetyGrade.C, codes.HouseSafetyGrade.D)


class PlaceType(models.TextChoices):
    SHOP = "shop", _("商铺")
    MARKET = "market", _("集贸市场")
    SCHOOL = "school", _("学校")
    KINDERGARTEN = "kindergarten", _("幼儿园")
    CLINIC = "clinic", _("卫生室/诊所")
    ENTERPRISE = "enterprise", _("企业")
    WORKSHOP = "workshop", _("作坊/加工点")
    RESTAURANT = "restaurant", _("餐饮")
    LODGING = "lodging", _("旅馆/民宿")
    RELIGIOUS = "religious", _("宗教活动场所")
    PUBLIC = "public", _("村(居)公共服务场所")
    OTHER = "other", _("其他")


class Place(AreaPlaced, Versioned):
    """场所: shops, schools, clinics, enterprises, religious sites … with hidden dangers (GB/T 31000 5.19)."""

    name = models.CharField(_("场所名称"), max_length=100)
    place_type = models.CharField(_("场所类型"), max_length=12, choices=PlaceType.choices)
    address = models.CharField(_("地址"), max_length=200)
    responsible_person = models.CharField(_("负责人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    hazard_type = models.CharField(
        _("隐患类型"), max_length=2, choices=codes.HazardType.choices, default=codes.HazardType.NONE
    )
    hazard_note = models.CharField(_("隐患说明"), max_length=200, blank=True)

    objects = GridScopedQuerySet.as_manager()

    SENSITIVE = {"phone": mask_phone}

    class Meta:
        verbose_name = _("场所")
        verbose_name_plural = _("场所")
        ordering = ["area_path", "name"]
        indexes = [models.Index(fields=["area_path", "place_type"], name="place_area_type_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:place", args=[self.pk])

    def clean(self) -> None:
        self.clean_placement()

    @property
    def has_hazard(self) -> bool:
        return self.hazard_type != codes.HazardType.NONE

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


MONEY = {
    "max_digits": 12,
    "decimal_places": 2,
    "default": Decimal(0),
    "validators": [MinValueValidator(Decimal(0), message=_("金额不能为负数。"))],
}


class EconomyYear(models.Model):
    """年度收支: one household's income and expense for one year."""

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.CASCADE, related_name="economy"
    )
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    population = models.PositiveSmallIntegerField(_("家庭人口"))
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
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

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


class CustomField(models.Model):
    """A household field defined per deployment (e.g. 是否安装光伏); values live in ``Household.custom``."""

    class Kind(models.TextChoices):
        TEXT = "text", _("文本")
        NUMBER = "number", _("数字")
        BOOLEAN = "bool", _("是/否")
        CHOICE = "choice", _("选项")

    key = models.SlugField(_("字段代码"), max_length=40, unique=True)
    label = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=6, choices=Kind.choices, default=Kind.TEXT)
    options = models.JSONField(_("选项"), default=list, blank=True, help_text=_("类型为“选项”时的可选值"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    TEXT_MAX_LENGTH = 200
    NUMBER_LIMIT = 10**12
    TRUE_WORDS = ("是", "true")
    FALSE_WORDS = ("否", "false")

    class Meta:
        verbose_name = _("自定义字段")
        verbose_name_plural = _("自定义字段")
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if not isinstance(self.options, list) or not all(
            isinstance(o, str) and o.strip() for o in self.options
        ):
            raise ValidationError({"options": _('选项应是文字的列表，例如 ["水稻", "玉米"]。')})
        if len(set(self.options)) != len(self.options):
            raise ValidationError({"options": _("选项不能重复。")})
        if self.kind == self.Kind.CHOICE and not self.options:
            raise ValidationError({"options": _("类型为“选项”时请至少填写一个可选值。")})

    def clean_value(self, value: Any) -> Any:
        """The value as stored in ``Household.custom``, or a ValidationError saying what to fix.

        The one rule for the household form, the API and imports. Blank is allowed for every kind
        ("" for text and choices, None for numbers and yes/no). The error carries ``params["key"]``
        so a form can show it beside the field.
        """
        if value is None or (isinstance(value, str) and not value.strip()):
            return None if self.kind in (self.Kind.NUMBER, self.Kind.BOOLEAN) else ""
        if self.kind == self.Kind.NUMBER:
            return self._clean_number(value)
        if self.kind == self.Kind.BOOLEAN:
            return self._clean_boolean(value)
        if self.kind == self.Kind.CHOICE:
            if isinstance(value, str) and value.strip() in self.options:
                return value.strip()
            raise self.value_error(
                _("「%(label)s」只能从这些选项中选择：%(options)s。"),
                "custom_choice",
                options="、".join(self.options),
            )
        return self._clean_text(value)

    def value_error(self, message: str, code: str, **params: Any) -> ValidationError:
        return ValidationError(message, code=code, params={"label": self.label, "key": self.key, **params})

    def _clean_number(self, value: Any) -> int | float:
        number = None
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            number = Decimal(str(value))
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip().replace(",", ""))
            except ArithmeticError:
                number = None
        if number is None or not number.is_finite():
            raise self.value_error(_("「%(label)s」只能填数字，例如 12 或 3.5。"), "custom_number")
        if abs(number) >= self.NUMBER_LIMIT:
            raise self.value_error(
                _("「%(label)s」的数值太大，请检查是否多填了位数。"), "custom_number_range"
            )
        # JSON keeps whole numbers as integers (3, not 3.0) and the rest as decimals.
        return int(number) if number == number.to_integral_value() else float(number)

    def _clean_boolean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = value.strip().lower() if isinstance(value, str) else None
        if word in self.TRUE_WORDS:
            return True
        if word in self.FALSE_WORDS:
            return False
        raise self.value_error(_("「%(label)s」只能填“是”或“否”。"), "custom_boolean")

    def _clean_text(self, value: Any) -> str:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise self.value_error(_("「%(label)s」应填写文字。"), "custom_text")
        value = value.strip()
        if len(value) > self.TEXT_MAX_LENGTH:
            raise self.value_error(
                _("「%(label)s」最多填写%(max)d个字，现在有%(length)d个字。"),
                "custom_text_length",
                max=self.TEXT_MAX_LENGTH,
                length=len(value),
            )
        return value


def clean_custom_values(values: Any, *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check a household's custom values (``Household.custom``) against the defined fields; return them cleaned.

    The one rule for the household form, the API, the services and imports:

    - every key must name a defined ``CustomField`` (unknown keys are refused);
    - a value that differs from ``previous`` (what is stored now) must suit its field's kind;
    - a field that has been switched off (``is_active=False``) keeps its stored value but takes no new
      one, except blank (clearing it);
    - a value equal to ``previous`` is kept as it is, even if the field's options have changed since it
      was saved, so an old value never blocks editing the rest of the household.

    Raises ``ValidationError({"custom": [...]})`` whose messages name the field (「是否光伏户」…); each
    error carries ``params["key"]`` for forms that show it beside the field.
    """
    if not isinstance(values, dict):
        raise ValidationError({"custom": _('自定义字段应是“字段代码: 值”的对照表，例如 {"pv": true}。')})
    previous = previous or {}
    fields = {f.key: f for f in CustomField.objects.filter(key__in=list(values))}
    cleaned: dict[str, Any] = {}
    errors: list[ValidationError] = []
    for key, value in values.items():
        field = fields.get(key)
        if key in previous and type(value) is type(previous[key]) and value == previous[key]:
            cleaned[key] = value
        elif field is None:
            errors.append(
                ValidationError(
                    _("没有名为“%(key)s”的自定义字段，请检查字段代码。"),
                    code="custom_unknown",
                    params={"key": key},
                )
            )
        else:
            try:
                cleaned[key] = field.clean_value(value)
            except ValidationError as error:
                errors.append(error)
                continue
            blank = cleaned[key] in (None, "")
            if not field.is_active and not blank and cleaned[key] != previous.get(key):
                errors.append(
                    field.value_error(_("「%(label)s」已停用，不能再填写，只能清空。"), "custom_inactive")
                )
    if errors:
        raise ValidationError({"custom": errors})
    return cleaned


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored names never reuse the uploaded name (it may be hostile); the original is kept in a field.
    import uuid

    return f"attachments/{instance.area_path[:9]}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a household or person (ID copy, certificate, photo); private, served only through a checked view."""

    class Kind(models.TextChoices):
        ID_COPY = "id_copy", _("身份证复印件")
        HUKOU = "hukou", _("户口簿")
        CERTIFICATE = "certificate", _("证明材料")
        DISABILITY_CARD = "disability", _("残疾人证")
        PHOTO = "photo", _("照片")
        OTHER = "other", _("其他")

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.CASCADE, related_name="attachments"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False, db_index=True)
    grid_path = models.CharField(_("网格路径"), max_length=15, blank=True, editable=False)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("说明"), max_length=100, blank=True)
    file = models.FileField(_("文件"), upload_to=attachment_path)
    thumbnail = models.FileField(_("缩略图"), upload_to=attachment_path, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = GridScopedQuerySet.as_manager()

    IDENTITY_KINDS = frozenset({"id_copy", "hukou", "disability"})

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title or self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
