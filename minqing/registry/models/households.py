"""户 and 人: the household file and its members (the GB/T 31000 person block)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.areas.models import AreaPlaced
from minqing.core import codes, restricted, sensitive
from minqing.core.fields import CodeListField, EncryptedCharField, blind_index
from minqing.core.idnumber import (
    IdNumberError,
    check_consistency,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    validate_phone,
)
from minqing.core.models import Versioned
from minqing.core.scoping import GridScopedQuerySet

from .paired import PairedScopeMixin
from .rules import household_errors, person_errors, validate_area_code


class HouseholdQuerySet(PairedScopeMixin, GridScopedQuerySet):
    household_field = ""  # the household itself

    def active(self):
        return self.filter(status=codes.HouseholdStatus.NORMAL)


class Household(AreaPlaced, Versioned):
    """户: one household file (一户一档)."""

    number = models.CharField(_("户编号"), max_length=24, unique=True)
    address = models.CharField(_("住址"), max_length=200)
    household_type = models.CharField(
        _("户别"), max_length=1, choices=codes.HouseholdType.choices, default=codes.HouseholdType.AGRICULTURAL
    )
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
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
    relocated = models.BooleanField(_("易地扶贫搬迁户"), default=False)
    resettlement_site = models.CharField(_("安置点"), max_length=100, blank=True)
    monitoring_status = models.CharField(
        _("监测状态"), max_length=10, choices=codes.MonitoringStatus.choices, default="", blank=True
    )
    monitoring_type = models.CharField(
        _("监测对象类型"), max_length=1, choices=codes.MonitoringType.choices, blank=True
    )
    risk_type = models.CharField(_("主要风险类型"), max_length=2, choices=codes.RiskType.choices, blank=True)
    monitoring_start = models.DateField(_("纳入监测日期"), null=True, blank=True)
    risk_cleared_on = models.DateField(_("风险消除日期"), null=True, blank=True)
    risk_types = CodeListField(_("风险类型(多选)"), code_table=codes.RiskType, default=list, blank=True)
    main_poverty_cause = models.CharField(
        _("主要致贫原因"), max_length=2, choices=codes.PovertyCause.choices, blank=True
    )
    other_poverty_causes = CodeListField(
        _("其他致贫原因"), code_table=codes.PovertyCause, default=list, blank=True
    )
    # 社会救助
    dibao = models.CharField(
        _("低保"), max_length=5, choices=codes.AssistanceLevel.choices, default="", blank=True
    )
    tekun = models.CharField(
        _("特困供养"), max_length=9, choices=codes.DestituteSupport.choices, default="", blank=True
    )
    family_planning = models.CharField(
        _("计生户类型"), max_length=1, choices=codes.FamilyPlanning.choices, blank=True
    )
    # 资源
    # Never negative (also a CheckConstraint): the validator names the field in the error, the constraint does not.
    cultivated_land_mu = models.DecimalField(
        _("耕地(亩)"), max_digits=8, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    forest_land_mu = models.DecimalField(
        _("林地(亩)"), max_digits=8, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    # 两不愁三保障 + 饮水安全
    food_secure = models.BooleanField(_("不愁吃"), default=True)
    clothing_secure = models.BooleanField(_("不愁穿"), default=True)
    education_secure = models.BooleanField(_("义务教育有保障"), default=True)
    medical_secure = models.BooleanField(_("基本医疗有保障"), default=True)
    housing_secure = models.BooleanField(_("住房安全有保障"), default=True)
    water_safe = models.BooleanField(_("饮水安全"), default=True)
    water_difficulty = models.CharField(_("饮水困难情况"), max_length=200, blank=True)
    # 生活条件
    has_electricity = models.BooleanField(_("通生活用电"), default=True)
    road_access = models.CharField(
        _("入户路类型"), max_length=1, choices=codes.RoadAccess.choices, blank=True
    )
    sanitary_toilet = models.BooleanField(_("卫生厕所"), default=False)
    cooking_fuel = models.CharField(
        _("主要燃料"), max_length=1, choices=codes.CookingFuel.choices, blank=True
    )
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

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["area_path", "number"]
        indexes = [
            models.Index(fields=["area_path", "number"], name="household_area_idx"),
            models.Index(fields=["grid_path", "number"], name="household_grid_idx"),
            models.Index(fields=["area_path", "-updated_at"], name="household_updated_idx"),
            models.Index(blind_index("phone"), name="household_phone_idx"),
            # 信息不全 (search.selectors.GAPS): the few incomplete rows, found without walking a county.
            models.Index(
                fields=["area_path", "number"], condition=Q(head_name=""), name="household_gap_head_idx"
            ),
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
        if errors := household_errors(self):
            raise ValidationError(errors)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def risk_types_display(self) -> str:
        """风险类型(多选) as their names, e.g. "因病、因学"."""
        names = dict(codes.RiskType.choices)
        return "、".join(str(names.get(code, code)) for code in self.risk_types or [])

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


class PersonQuerySet(PairedScopeMixin, GridScopedQuerySet):
    def living(self):
        return self.filter(deceased=False)


#: Conditions of the person gaps of 信息不全 (``search.selectors.GAPS`` uses these very ``Q`` objects, so the
#: partial indexes below match the queries exactly).
PERSON_GAPS = {
    "id": Q(id_number__isnull=True) | Q(id_number=""),
    "phone": Q(relation=codes.Relation.HEAD, phone=""),
    "relation": Q(relation=""),
    "birth": Q(birth_date__isnull=True),
}
HOUSEHOLD_GAPS = {"head": Q(head_name="")}


class Person(AreaPlaced, Versioned):
    """人: one person, GB/T 31000 person block plus the registry's social fields."""

    household = models.ForeignKey(
        Household, verbose_name=_("所在户"), on_delete=models.PROTECT, related_name="members"
    )
    relation = models.CharField(_("与户主关系"), max_length=2, choices=codes.Relation.choices)
    # One ID number is one person in the whole database (person_id_number_unique); NULL while unknown (信息不全).
    # ID number, phone and certificate number are stored encrypted (core.fieldcrypt) and found by exact value.
    id_number = EncryptedCharField(_("公民身份号码"), max_length=18, null=True, blank=True)
    no_id_reason = models.CharField(
        _("无身份证号原因"), max_length=1, choices=codes.NoIdReason.choices, blank=True
    )
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
    school_stage = models.CharField(_("学段"), max_length=2, choices=codes.SchoolStage.choices, blank=True)
    school = models.CharField(_("就读学校"), max_length=100, blank=True)
    religion = models.CharField(
        _("宗教信仰"), max_length=2, choices=codes.Religion.choices, default=codes.Religion.NONE
    )
    employment = models.CharField(_("从业状况"), max_length=2, choices=codes.Employment.choices, blank=True)
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    workplace = models.CharField(_("服务处所"), max_length=100, blank=True)
    phone = EncryptedCharField(_("联系方式"), max_length=20, blank=True, validators=[validate_phone])
    registered_area = models.CharField(
        _("户籍地区划代码"), max_length=12, blank=True, validators=[validate_area_code]
    )
    registered_address = models.CharField(_("户籍地详址"), max_length=200, blank=True)
    current_area = models.CharField(
        _("现住地区划代码"), max_length=12, blank=True, validators=[validate_area_code]
    )
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
    serious_illness = models.BooleanField(_("大病"), default=False)
    disability_category = models.CharField(
        _("残疾类别"), max_length=1, choices=codes.DisabilityCategory.choices, blank=True
    )
    disability_grade = models.CharField(
        _("残疾等级"), max_length=1, choices=codes.DisabilityGrade.choices, blank=True
    )
    disability_cert_no = EncryptedCharField(_("残疾人证号"), max_length=20, blank=True)
    labor_ability = models.CharField(
        _("劳动能力"), max_length=1, choices=codes.LaborAbility.choices, blank=True
    )
    self_care = models.CharField(_("生活自理能力"), max_length=1, choices=codes.SelfCare.choices, blank=True)
    skills = models.CharField(_("技能特长"), max_length=200, blank=True)
    military_service = models.CharField(
        _("兵役状况"), max_length=1, choices=codes.MilitaryService.choices, blank=True
    )
    medical_insurance = models.BooleanField(_("参加基本医疗保险"), default=True)
    pension_insurance = models.BooleanField(_("参加基本养老保险"), default=False)
    # 家庭关系与监护 (a parent may live in another household: links are by person, not by generation)
    father = models.ForeignKey(
        "self",
        verbose_name=_("父亲"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children_as_father",
    )
    mother = models.ForeignKey(
        "self",
        verbose_name=_("母亲"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children_as_mother",
    )
    guardian_name = models.CharField(_("监护人姓名"), max_length=50, blank=True)
    guardian_relation = models.CharField(_("监护人与本人关系"), max_length=20, blank=True)
    guardian_phone = EncryptedCharField(
        _("监护人联系电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    cannot_guard_reason = models.CharField(
        _("不能履行监护职责原因"), max_length=1, choices=codes.CannotGuard.choices, blank=True
    )
    orphan = models.BooleanField(_("孤儿"), default=False)
    de_facto_unsupported = models.BooleanField(_("事实无人抚养儿童"), default=False)
    deceased = models.BooleanField(_("已故"), default=False)
    death_date = models.DateField(_("死亡日期"), null=True, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["household_id", "relation", "birth_date"]
        indexes = [
            models.Index(fields=["area_path", "birth_date"], name="person_area_birth_idx"),
            # Person lists and searches read in (area, household) order: first pages need no big sort.
            models.Index(fields=["area_path", "household"], name="person_area_household_idx"),
            models.Index(fields=["grid_path"], name="person_grid_idx"),
            models.Index(blind_index("phone"), name="person_phone_idx"),
            models.Index(fields=["area_path", "-updated_at"], name="person_updated_idx"),
            # 信息不全 (search.selectors.GAPS): the few incomplete rows, found without walking a county.
            *[
                models.Index(fields=["area_path", "household"], condition=gap, name=f"person_gap_{key}_idx")
                for key, gap in PERSON_GAPS.items()
            ],
        ]
        constraints = [
            models.UniqueConstraint(
                blind_index("id_number"),
                name="person_id_number_unique",
                violation_error_message=_("该身份证号已登记在其他人员名下。"),
            ),
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
        errors = {**person_errors(self), **errors}
        if errors:
            raise ValidationError(errors)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def guardian_phone_masked(self) -> str:
        return mask_phone(self.guardian_phone)

    @property
    def disability_cert_no_masked(self) -> str:
        return sensitive.masked(self, "disability_cert_no")

    def age_on(self, day) -> int:
        return (
            day.year
            - self.birth_date.year
            - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
        )


# Sensitive personal data (PIPL): masked in every output, clear only through the audited reveal.
# The 残疾人证号 embeds the holder's 18-digit ID number, so it is masked like one.
sensitive.register(Household, phone=mask_phone)
sensitive.register(
    Person,
    id_number=mask_id_number,
    phone=mask_phone,
    disability_cert_no=mask_id_number,
    guardian_phone=mask_phone,
)
# Health data (PIPL sensitive): shown only where the reader holds the `health` right (core.restricted).
restricted.register(
    Person,
    "health",
    fields=[
        "health",
        "chronic_disease",
        "serious_illness",
        "disability_category",
        "disability_grade",
        "disability_cert_no",
    ],
)

#: PIPL art. 28: the personal information of a minor under 14 is sensitive personal information.
MINOR_AGE = 14
#: The privacy class (and role action) of minors' identifiers (core.restricted, accounts.roles).
MINORS = "minors"


def is_minor(person: Person) -> bool:
    """Under ``MINOR_AGE`` on today's date (Asia/Shanghai). A deceased person counts by the age they would
    have today, so a child who died young stays protected; no birth date counts as a minor (fail closed)."""
    if person.birth_date is None:
        return True
    return person.age_on(timezone.localdate()) < MINOR_AGE


# Minors' identifiers: on persons under 14, shown only where the reader holds the `minors` right. The age in
# years still shows everywhere and searches by age stay open; their attachments follow the same right.
# The guardian's phone of a child's record is a way to reach the child: the same right.
restricted.register(
    Person, MINORS, fields=["id_number", "phone", "birth_date", "guardian_phone"], applies=is_minor
)
