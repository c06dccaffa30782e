"""Tag rules that follow the official definitions of the family groups civil affairs counts.

- 留守儿童: 国务院关于加强农村留守儿童关爱保护工作的意见 (国发〔2016〕13号);
- 困境儿童: 国务院关于加强困境儿童保障工作的意见 (国发〔2016〕36号), with 孤儿 and 事实无人抚养儿童
  (民发〔2019〕62号);
- 留守妇女, 留守老人 (子女外出半年以上), 失能老人, 未参加养老保险.

Parents and children are read from the parent links (``Person.father`` / ``Person.mother``; a parent may
live in another household), never from the generations of one household: an uncle or an aunt is not a
parent. Data entered before the links existed has none, so 留守儿童 and 留守老人 fall back to the old
generation rule for persons **without any link** (a child with no father and no mother link; an elderly
person whom no one links as father or mother); as soon as one link is recorded the links alone decide.

Relation codes are compared by group (``codes.RELATION_*_CODES``), so GB/T 4761 sub-codes count with their
main code: 三子 (24) is a son, 孙媳妇 (45) is not a grandchild.

Performance: a person's own parents are read by joining the ``father``/``mother`` foreign keys (primary-key
lookups); a person's children by an ``EXISTS`` on the indexed ``father``/``mother`` columns; housemates by
an ``EXISTS`` on the indexed household column. No rule counts rows per person.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q

from minqing.core import codes
from minqing.registry.models import Person

from .ages import age_at_least, age_between, age_under, born_before, months_before

R = codes.Relation
AT_HOME = codes.ResidenceStatus.AT_HOME
MIGRANT = codes.ResidenceStatus.MIGRANT_WORKER
MALE, FEMALE = codes.Sex.MALE, codes.Sex.FEMALE
MARRIED = ["20", "21", "22", "23"]  # GB/T 2261.2 已婚, 初婚, 再婚, 复婚

HEADS = sorted(codes.RELATION_HEAD_CODES)  # 本人, 户主
SPOUSES = sorted(codes.RELATION_SPOUSE_CODES)  # 配偶, 夫, 妻
SONS = sorted(codes.relation_codes("20") - {R.SON_IN_LAW})  # 子 … 五子, 养子或继子, 其他儿子
DAUGHTERS = sorted(codes.relation_codes("30") - {R.DAUGHTER_IN_LAW})  # 女 … 五女, 养女或继女, 其他女儿
CHILDREN = sorted(codes.RELATION_CHILD_CODES)
CHILD_GENERATION = sorted(codes.RELATION_CHILD_CODES | codes.RELATION_CHILD_IN_LAW_CODES)
GRANDCHILDREN = sorted(codes.RELATION_GRANDCHILD_CODES)

#: A parent who cannot guard a child (国发〔2016〕13号 "无监护能力", 民发〔2019〕62号 重残、重病、服刑在押、
#: 强制隔离戒毒、失联…): dead, a recorded reason (``cannot_guard_reason``), 一级/二级 disability, 大病, or no
#: working ability (丧失劳动力, 无劳动力).
SEVERE_DISABILITY = [codes.DisabilityGrade.GRADE_1, codes.DisabilityGrade.GRADE_2]
NO_WORKING_ABILITY = [codes.LaborAbility.LOST, codes.LaborAbility.NONE]
IN_SCHOOL = sorted(codes.IN_SCHOOL_STAGES)
#: Children must have been away this long for their parent to count as 留守老人 (when ``away_since`` is known).
AWAY_MONTHS = 6


def housemates(q: Q | None = None, **conditions: object) -> Exists:
    """Another living member of the same household matching ``q`` and ``conditions``."""
    rows = Person.objects.filter(household=OuterRef("household"), deceased=False, **conditions)
    if q is not None:
        rows = rows.filter(q)
    return Exists(rows.exclude(pk=OuterRef("pk")))


# ----------------------------------------------------------------------------------------- parents


def parent_away(side: str) -> Q:
    """The linked parent (``side``: "father" or "mother") is alive and away as a migrant worker."""
    return Q(**{f"{side}__residence_status": MIGRANT, f"{side}__deceased": False})


def parent_cannot_guard(side: str) -> Q:
    """The linked parent cannot guard the child (see ``SEVERE_DISABILITY`` … above).

    Every condition is positive, so a missing link never satisfies it (a ``LEFT JOIN`` gives NULLs).
    """
    return (
        Q(**{f"{side}__deceased": True})
        | Q(**{f"{side}__cannot_guard_reason__in": codes.CannotGuard.values})
        | Q(**{f"{side}__disability_grade__in": SEVERE_DISABILITY})
        | Q(**{f"{side}__serious_illness": True})
        | Q(**{f"{side}__labor_ability__in": NO_WORKING_ABILITY})
    )


def has_parent_link() -> Q:
    return Q(father__isnull=False) | Q(mother__isnull=False)


def generation_parents_away(parents: list[str]) -> Q:
    """The old rule: no housemate of the parents' generation at home, and one of them away working."""
    return ~housemates(relation__in=parents, residence_status=AT_HOME) & housemates(
        relation__in=parents, residence_status=MIGRANT
    )


def left_behind_child(today: datetime.date) -> Q:
    """留守儿童 (国发〔2016〕13号): under 16, in a rural household, at home (or boarding at school), and
    both parents away as migrant workers, or one away and the other unable to guard.

    Parents are the linked ones. A parent the registry does not link (unknown, left the family) is no
    guardian at home: a child whose only linked parent is away counts. Children without any parent link
    fall back to the old rule by generation (the head's children: head and spouse; grandchildren: the
    head's children and their spouses), which cannot tell an uncle from a father.
    """
    father_gone = Q(father__isnull=True) | parent_away("father") | parent_cannot_guard("father")
    mother_gone = Q(mother__isnull=True) | parent_away("mother") | parent_cannot_guard("mother")
    by_links = (parent_away("father") | parent_away("mother")) & father_gone & mother_gone
    by_generation = ~has_parent_link() & (
        (Q(relation__in=CHILDREN) & generation_parents_away([*HEADS, *SPOUSES]))
        | (Q(relation__in=GRANDCHILDREN) & generation_parents_away(CHILD_GENERATION))
    )
    return (
        age_under(today, 16)
        & Q(household__household_type=codes.HouseholdType.AGRICULTURAL)
        & Q(residence_status__in=[AT_HOME, codes.ResidenceStatus.AT_SCHOOL])
        & (by_links | by_generation)
    )


def child_in_hardship(today: datetime.date) -> Q:
    """困境儿童 (国发〔2016〕36号): under 18 and

    - poverty: the household is 低保, 特困 or a 防止返贫 monitoring object (监测中);
    - the child's own disability or serious illness (大病). A chronic disease alone is not enough;
    - failed guardianship: 孤儿, 事实无人抚养儿童, or both parents linked and each dead or unable to guard
      (民发〔2019〕62号: 死亡, 服刑在押, 强制隔离戒毒, 失联, 重残, 重病…). An unlinked parent is unknown here:
      guardianship failure needs both parents on record, or the flags set by civil affairs.
    """
    poverty = (
        ~Q(household__dibao="")
        | ~Q(household__tekun="")
        | Q(household__monitoring_status=codes.MonitoringStatus.MONITORING)
    )
    own = ~Q(disability_category="") | Q(serious_illness=True)
    guardianship = (
        Q(orphan=True)
        | Q(de_facto_unsupported=True)
        | (parent_cannot_guard("father") & parent_cannot_guard("mother"))
    )
    return age_under(today, 18) & (poverty | own | guardianship)


def orphan(today: datetime.date) -> Q:
    """孤儿: under 18 and recorded as an orphan (民政 recognition: 失去父母、查找不到生父母)."""
    return age_under(today, 18) & Q(orphan=True)


def de_facto_unsupported(today: datetime.date) -> Q:
    """事实无人抚养儿童 (民发〔2019〕62号): under 18 and recorded as such."""
    return age_under(today, 18) & Q(de_facto_unsupported=True)


# ---------------------------------------------------------------------------------------- couples


def husband_among_away(candidates: list[str]) -> Q:
    """A married-in wife's husband is away: the father of her linked children when known, else the
    household's married men of ``candidates`` (sons for a 儿媳, 女婿 for a daughter) — all of them away.

    With links, the father of her children is her husband. Without, several married sons are ambiguous:
    she counts only when every married son is away (her husband is one of them), so one son at home is
    enough to leave her out.
    """
    children = Person.objects.filter(mother=OuterRef("pk"))
    father_known = Exists(children.filter(father__isnull=False))
    father_away = Exists(children.filter(father__residence_status=MIGRANT, father__deceased=False))
    married_men = {"relation__in": candidates, "sex": MALE, "marital_status__in": MARRIED}
    by_household = housemates(residence_status=MIGRANT, **married_men) & ~housemates(
        ~Q(residence_status=MIGRANT), **married_men
    )
    return father_away | (~father_known & by_household)


def left_behind_woman(today: datetime.date) -> Q:
    """留守妇女: a married woman aged 18–59 at home whose **own husband** is away as a migrant worker.

    Her husband is: for a head (本人/户主) her spouse (配偶/夫); for the head's spouse the head; for a 儿媳
    the son she married, for a daughter her 女婿 (see ``husband_among_away``). Any other away man of the
    household (her brother-in-law, her son) does not make her 留守.
    """
    husband = {"sex": MALE, "residence_status": MIGRANT}
    husband_away = (
        (Q(relation__in=HEADS) & housemates(relation__in=SPOUSES, **husband))
        | (Q(relation__in=SPOUSES) & housemates(relation__in=HEADS, **husband))
        | (Q(relation=R.DAUGHTER_IN_LAW) & husband_among_away(SONS))
        | (Q(relation__in=DAUGHTERS) & husband_among_away([R.SON_IN_LAW]))
    )
    return (
        Q(sex=FEMALE, residence_status=AT_HOME, marital_status__in=MARRIED)
        & age_between(today, 18, 59)
        & husband_away
    )


# ---------------------------------------------------------------------------------------- elderly


def elderly_at_home(today: datetime.date) -> Q:
    return age_at_least(today, 60) & Q(residence_status=AT_HOME)


def left_behind_elderly(today: datetime.date) -> Q:
    """留守老人: 60+ at home, with at least one living child of their own (linked by father/mother, in
    any household) and every living child away as a migrant worker — for at least six months when
    ``away_since`` is known.

    Elderly persons whom no one links as a parent fall back to the old household rule: a member away
    working and nobody of working age (16–59) at home.
    """
    children = Person.objects.filter(Q(father=OuterRef("pk")) | Q(mother=OuterRef("pk")))
    living = children.filter(deceased=False)
    cutoff = months_before(today, AWAY_MONTHS)
    not_away_long = ~Q(residence_status=MIGRANT) | Q(away_since__gt=cutoff)
    by_links = Exists(living) & ~Exists(living.filter(not_away_long))
    working_age = {"birth_date__gt": born_before(today, 60), "birth_date__lte": born_before(today, 16)}
    by_household = housemates(residence_status=MIGRANT) & ~housemates(residence_status=AT_HOME, **working_age)
    has_children = Exists(children)
    return elderly_at_home(today) & ((has_children & by_links) | (~has_children & by_household))


def disabled_elderly(today: datetime.date) -> Q:
    """失能老人: 60+ needing care in daily life (生活自理能力 半护理 or 全护理), whatever their working ability."""
    return age_at_least(today, 60) & Q(self_care__in=[codes.SelfCare.PARTIAL, codes.SelfCare.NONE])


# ---------------------------------------------------------------------------------------- insurance


def in_school() -> Q:
    """A pupil or student in school: by 学段, or, where no 学段 is recorded, by 在校 / 从业状况 学生."""
    return Q(school_stage__in=IN_SCHOOL) | (
        Q(school_stage="")
        & (Q(residence_status=codes.ResidenceStatus.AT_SCHOOL) | Q(employment=codes.Employment.STUDENT))
    )


def no_pension(today: datetime.date) -> Q:
    """未参加养老保险: 16 and older (城乡居民养老保险 starts at 16), not in school, and not insured."""
    return age_at_least(today, 16) & Q(pension_insurance=False) & ~in_school()


# ---------------------------------------------------------------------------------- keeping tags true


def with_relatives(household_ids: list[int]) -> list[int]:
    """These households and those whose family rules may change with them: the households of their
    members' parents and children, and of those children's other parents (a 儿媳 is judged by the father
    of her children, a child by parents who may keep another household file). Two indexed queries."""
    found = set(household_ids)
    members = Person.objects.filter(household_id__in=household_ids)
    children = Person.objects.filter(Q(father__in=members.values("pk")) | Q(mother__in=members.values("pk")))
    for row in children.values_list("household_id", "father__household_id", "mother__household_id"):
        found.update(pk for pk in row if pk is not None)
    for row in members.values_list("father__household_id", "mother__household_id"):
        found.update(pk for pk in row if pk is not None)
    return sorted(found)
