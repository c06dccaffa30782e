"""Built-in tag rules: each derived tag is a Django ``Q`` over persons or households, evaluated on a date.

Rules are plain data (one ``Spec`` per tag) so the catalog, the materialiser and the docs read the same
list. Age rules depend on the date, which is why ``refresh_tags`` also runs nightly. The rules that follow
an official definition of a family group (留守儿童, 困境儿童, 留守妇女, 留守老人, 失能老人…) live in
``families``, with their sources; age bounds in ``ages``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from minqing.core import codes
from minqing.registry.models import House

from .ages import age_at_least, age_between, age_under, born_before, months_before
from .families import (
    AT_HOME,
    MIGRANT,
    child_in_hardship,
    de_facto_unsupported,
    disabled_elderly,
    elderly_at_home,
    housemates,
    in_school,
    left_behind_child,
    left_behind_elderly,
    left_behind_woman,
    no_pension,
    orphan,
)
from .models import Category

# Re-exported: searches, charts and custom conditions build their age bounds from these.
__all__ = [
    "SPECS",
    "SPECS_BY_CODE",
    "Spec",
    "age_at_least",
    "age_between",
    "age_under",
    "born_before",
    "months_before",
]


def alone(today) -> Q:
    return ~housemates(residence_status=AT_HOME)


def empty_nest(today) -> Q:
    """60+ at home with no at-home member under 60 (独居 is a special case)."""
    return elderly_at_home(today) & ~housemates(
        residence_status=AT_HOME, birth_date__gt=born_before(today, 60)
    )


def school_starter(today) -> Q:
    """Turns 6 by 31 August of this year: starts primary school in September (适龄入学)."""
    end = datetime.date(today.year - 6, 8, 31)
    return Q(birth_date__gt=datetime.date(today.year - 7, 8, 31), birth_date__lte=end)


def able_unemployed(today) -> Q:
    return (
        age_between(today, 16, 59)
        & Q(labor_ability__in=[codes.LaborAbility.NORMAL, codes.LaborAbility.SKILLED])
        & Q(residence_status=AT_HOME)
        & (Q(employment__in=["70", ""]))
    )


def dangerous_house() -> Q:
    return Exists(House.objects.filter(household=OuterRef("pk"), safety_grade__in=["C", "D"]))


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    category: str
    rule: Callable[[datetime.date], Q] | None  # None: a manual tag
    target: str = "person"
    key_group: bool = False
    description: str = ""


def p(code, name, category, rule=None, *, key=False, description=""):
    return Spec(code, name, category, rule, "person", key, description)


def h(code, name, category, rule=None, *, key=False, description=""):
    return Spec(code, name, category, rule, "household", key, description)


def const(q: Q) -> Callable[[datetime.date], Q]:
    return lambda today: q


C = Category
DISABILITY = codes.DisabilityCategory
SPECS: list[Spec] = [
    # 人口特征
    p("newborn", "新生儿", C.DEMOGRAPHIC, lambda t: age_under(t, 1), key=True, description="未满1周岁"),
    p("infant", "婴幼儿", C.DEMOGRAPHIC, lambda t: age_under(t, 3), description="0–2岁"),
    p("preschool", "学龄前儿童", C.DEMOGRAPHIC, lambda t: age_between(t, 3, 5)),
    p(
        "school-starter",
        "适龄入学",
        C.DEMOGRAPHIC,
        school_starter,
        key=True,
        description="当年8月31日前满6周岁",
    ),
    p("minor", "未成年人", C.DEMOGRAPHIC, lambda t: age_under(t, 18)),
    p("working-age", "劳动年龄人口", C.DEMOGRAPHIC, lambda t: age_between(t, 16, 59)),
    p(
        "elderly",
        "老年人",
        C.DEMOGRAPHIC,
        lambda t: age_at_least(t, 60),
        key=True,
        description="60周岁及以上",
    ),
    p("young-old", "低龄老人", C.DEMOGRAPHIC, lambda t: age_between(t, 60, 69)),
    p("middle-old", "中龄老人", C.DEMOGRAPHIC, lambda t: age_between(t, 70, 79)),
    p(
        "oldest-old",
        "高龄老人",
        C.DEMOGRAPHIC,
        lambda t: age_at_least(t, 80),
        key=True,
        description="80周岁及以上",
    ),
    p("nonagenarian", "九十岁以上老人", C.DEMOGRAPHIC, lambda t: age_at_least(t, 90)),
    p("centenarian", "百岁老人", C.DEMOGRAPHIC, lambda t: age_at_least(t, 100)),
    p("minority", "少数民族", C.DEMOGRAPHIC, const(~Q(ethnicity=codes.Ethnicity.HAN))),
    p("dong", "侗族", C.DEMOGRAPHIC, const(Q(ethnicity="12"))),
    p("miao", "苗族", C.DEMOGRAPHIC, const(Q(ethnicity="06"))),
    p("tujia", "土家族", C.DEMOGRAPHIC, const(Q(ethnicity="15"))),
    p("registration-mismatch", "人户分离", C.DEMOGRAPHIC, const(Q(registration_match=False))),
    p("widowed", "丧偶", C.DEMOGRAPHIC, const(Q(marital_status="30"))),
    p("divorced", "离婚", C.DEMOGRAPHIC, const(Q(marital_status="40"))),
    p("unmarried-30", "大龄未婚", C.DEMOGRAPHIC, lambda t: age_at_least(t, 30) & Q(marital_status="10")),
    p("illiterate", "文盲或半文盲", C.DEMOGRAPHIC, const(Q(education=codes.Education.ILLITERATE))),
    p(
        "college",
        "大专及以上学历",
        C.DEMOGRAPHIC,
        const(Q(education__in=sorted(codes.EDUCATION_COLLEGE_CODES))),
    ),
    p(
        "student",
        "学生",
        C.DEMOGRAPHIC,
        const(in_school()),
        key=True,
    ),
    # 特殊人群: disability
    p("disabled", "残疾人", C.SPECIAL, const(~Q(disability_category="")), key=True),
    p(
        "severe-disability",
        "重度残疾",
        C.SPECIAL,
        const(Q(disability_grade__in=["1", "2"])),
        key=True,
        description="一级、二级残疾",
    ),
    *[
        p(
            f"disability-{c.value}",
            f"{c.label}残疾" if not str(c.label).endswith("残疾") else str(c.label),
            C.SPECIAL,
            const(Q(disability_category=c.value)),
        )
        for c in DISABILITY
    ],
    *[
        p(f"disability-grade-{g.value}", f"{g.label}残疾", C.SPECIAL, const(Q(disability_grade=g.value)))
        for g in codes.DisabilityGrade
    ],
    p("disability-certified", "持证残疾人", C.SPECIAL, const(~Q(disability_cert_no=""))),
    p("community-correction", "社区矫正对象", C.SPECIAL),
    p("released-prisoner", "刑满释放人员", C.SPECIAL),
    p("severe-mental", "严重精神障碍患者", C.SPECIAL),
    p("drug-user", "吸毒人员", C.SPECIAL),
    p("aids-risk", "艾滋病危险人员", C.SPECIAL),
    p("key-youth", "重点青少年", C.SPECIAL),
    # 困难群体 (households)
    h("dibao", "低保户", C.HARDSHIP, const(~Q(dibao="")), key=True),
    h("dibao-urban", "城市低保", C.HARDSHIP, const(Q(dibao="urban"))),
    h("dibao-rural", "农村低保", C.HARDSHIP, const(Q(dibao="rural"))),
    h("tekun", "特困供养户", C.HARDSHIP, const(~Q(tekun="")), key=True),
    h("tekun-central", "集中供养", C.HARDSHIP, const(Q(tekun="central"))),
    h("tekun-dispersed", "分散供养", C.HARDSHIP, const(Q(tekun="dispersed"))),
    h("alleviated", "脱贫户", C.HARDSHIP, const(Q(poverty_alleviated=True)), key=True),
    h(
        "monitored",
        "监测户",
        C.HARDSHIP,
        const(Q(monitoring_status="monitoring")),
        key=True,
        description="防止返贫监测对象（监测中）",
    ),
    h(
        "monitor-unstable",
        "脱贫不稳定户",
        C.HARDSHIP,
        const(Q(monitoring_type="1") & ~Q(monitoring_status="")),
    ),
    h(
        "monitor-marginal",
        "边缘易致贫户",
        C.HARDSHIP,
        const(Q(monitoring_type="2") & ~Q(monitoring_status="")),
    ),
    h(
        "monitor-sudden",
        "突发严重困难户",
        C.HARDSHIP,
        const(Q(monitoring_type="3") & ~Q(monitoring_status="")),
    ),
    h("risk-cleared", "风险已消除", C.HARDSHIP, const(Q(monitoring_status="cleared"))),
    h(
        "dangerous-house",
        "危房户",
        C.HARDSHIP,
        lambda t: dangerous_house(),
        key=True,
        description="房屋安全等级C级或D级",
    ),
    h("water-difficulty", "饮水困难", C.HARDSHIP, const(Q(water_safe=False)), key=True),
    h("housing-insecure", "住房安全无保障", C.HARDSHIP, const(Q(housing_secure=False))),
    h("education-insecure", "义务教育无保障", C.HARDSHIP, const(Q(education_secure=False))),
    h("medical-insecure", "基本医疗无保障", C.HARDSHIP, const(Q(medical_secure=False))),
    h("food-insecure", "吃穿无保障", C.HARDSHIP, const(Q(food_secure=False) | Q(clothing_secure=False))),
    *[
        h(
            f"cause-{c.value}",
            f"{c.label}致贫" if str(c.label).startswith("因") else f"致贫原因：{c.label}",
            C.HARDSHIP,
            const(Q(main_poverty_cause=c.value)),
        )
        for c in codes.PovertyCause
        if c.value in ("01", "02", "03", "04", "10")
    ],
    h("dibao-marginal", "低保边缘家庭", C.HARDSHIP),
    h("rigid-expense", "刚性支出困难家庭", C.HARDSHIP),
    h("temporary-aid", "临时救助", C.HARDSHIP),
    # 重点关注
    p(
        "left-behind-child",
        "留守儿童",
        C.FOCUS,
        left_behind_child,
        key=True,
        description="农村不满16周岁，父母均外出务工或一方外出务工另一方无监护能力",
    ),
    p(
        "left-behind-elderly",
        "留守老人",
        C.FOCUS,
        left_behind_elderly,
        key=True,
        description="60周岁及以上在家，子女均外出务工半年以上",
    ),
    p(
        "left-behind-woman",
        "留守妇女",
        C.FOCUS,
        left_behind_woman,
        key=True,
        description="18–59周岁已婚在家，丈夫外出务工",
    ),
    p(
        "child-hardship",
        "困境儿童",
        C.FOCUS,
        child_in_hardship,
        key=True,
        description="未满18周岁，因家庭贫困、自身残疾或大病、监护缺失陷入困境",
    ),
    p("orphan", "孤儿", C.FOCUS, orphan, key=True, description="未满18周岁的孤儿"),
    p(
        "de-facto-unsupported",
        "事实无人抚养儿童",
        C.FOCUS,
        de_facto_unsupported,
        key=True,
        description="未满18周岁，父母均无法履行抚养义务",
    ),
    p(
        "living-alone",
        "独居老人",
        C.FOCUS,
        lambda t: elderly_at_home(t) & alone(t),
        key=True,
        description="60周岁及以上，家中无其他在家成员",
    ),
    p(
        "oldest-alone",
        "高龄独居老人",
        C.FOCUS,
        lambda t: age_at_least(t, 80) & Q(residence_status=AT_HOME) & alone(t),
        key=True,
    ),
    p("empty-nest", "空巢老人", C.FOCUS, empty_nest, key=True),
    p(
        "disabled-elderly",
        "失能老人",
        C.FOCUS,
        disabled_elderly,
        description="60周岁及以上，生活自理能力为半护理或全护理",
    ),
    h("petitioner", "信访户", C.FOCUS),
    p("dispute-party", "矛盾纠纷当事人", C.FOCUS),
    p("needs-attention", "需重点关注", C.FOCUS),
    # 健康
    p("chronic", "慢性病患者", C.HEALTH, const(Q(health__in=codes.CHRONIC_DISEASE_CODES)), key=True),
    *[
        p(f"chronic-{c}", name, C.HEALTH, const(Q(health=c)))
        for c, name in [
            ("31", "心血管病"),
            ("32", "脑血管病"),
            ("33", "慢性呼吸系统病"),
            ("37", "糖尿病"),
            ("41", "癌症"),
            ("36", "结核病"),
            ("38", "神经或精神疾病"),
        ]
    ],
    p("no-medical-insurance", "未参加医保", C.HEALTH, const(Q(medical_insurance=False))),
    p(
        "no-pension",
        "未参加养老保险",
        C.HEALTH,
        no_pension,
        description="16周岁及以上未参加基本养老保险（不含在校学生）",
    ),
    # 就业与流动
    p("migrant-worker", "外出务工", C.EMPLOYMENT, const(Q(residence_status=MIGRANT)), key=True),
    *[
        p(
            f"work-{w.value}",
            f"务工：{w.label}",
            C.EMPLOYMENT,
            const(Q(residence_status=MIGRANT, work_location=w.value)),
        )
        for w in codes.WorkLocation
    ],
    p("inflow", "流入人口", C.EMPLOYMENT, const(Q(residence_status=codes.ResidenceStatus.INFLOW)), key=True),
    p(
        "inflow-work",
        "流入务工经商",
        C.EMPLOYMENT,
        const(Q(residence_status=codes.ResidenceStatus.INFLOW, inflow_reason__in=["01", "03"])),
    ),
    p("able-unemployed", "有劳动能力未就业", C.EMPLOYMENT, able_unemployed, key=True),
    p("skilled", "有技能特长", C.EMPLOYMENT, const(~Q(skills=""))),
    p("skilled-labour", "技能劳动力", C.EMPLOYMENT, const(Q(labor_ability=codes.LaborAbility.SKILLED))),
    p("weak-labour", "弱劳动力或半劳动力", C.EMPLOYMENT, const(Q(labor_ability=codes.LaborAbility.WEAK))),
    p("lost-labour", "丧失劳动力", C.EMPLOYMENT, const(Q(labor_ability=codes.LaborAbility.LOST))),
    p("farmer", "务农人员", C.EMPLOYMENT, const(Q(employment="27"))),
    p("self-employed", "个体经营者", C.EMPLOYMENT, const(Q(employment="54"))),
    p("needs-job", "需要就业帮扶", C.EMPLOYMENT),
    # 党建与兵役
    p("party-member", "党员", C.POLITICAL, const(Q(political_status__in=["01", "02"])), key=True),
    p("probationary-member", "预备党员", C.POLITICAL, const(Q(political_status="02"))),
    p("league-member", "共青团员", C.POLITICAL, const(Q(political_status="03"))),
    p("veteran", "退役军人", C.POLITICAL, const(Q(military_service=codes.MilitaryService.VETERAN)), key=True),
    p(
        "in-service",
        "现役军人",
        C.POLITICAL,
        const(Q(residence_status=codes.ResidenceStatus.IN_SERVICE) | Q(military_service="4")),
    ),
    p("military-family", "优抚对象", C.POLITICAL),
    # 服务需求 (manual)
    p("family-doctor", "家庭医生签约", C.SERVICE),
    p("home-visit", "需要上门服务", C.SERVICE),
    p("meal-aid", "需要助餐服务", C.SERVICE),
    p("rich-leader", "致富带头人", C.SERVICE),
    h("big-farmer", "种养大户", C.SERVICE),
    p("new-farmer", "新型职业农民", C.SERVICE),
    h("needs-renovation", "需要危房改造", C.SERVICE),
]
SPECS_BY_CODE = {spec.code: spec for spec in SPECS}
