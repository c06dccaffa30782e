"""Tag rules against the official definitions: families the old rules got wrong, and the positive cases.

留守妇女 (her own husband away), 留守儿童 (国发〔2016〕13号, parents by link), 困境儿童 (国发〔2016〕36号),
孤儿 and 事实无人抚养儿童 (民发〔2019〕62号). The elderly and insurance rules are in test_official_elderly.py.
"""

from __future__ import annotations

import pytest

from minqing.registry.models import Household, Person
from minqing.tags.models import Tag
from minqing.tags.privacy import builtin_health_codes
from minqing.tags.rules import SPECS_BY_CODE

from .family_helpers import AWAY, DEAD, HOME, person, rederived, tagged

pytestmark = pytest.mark.usefixtures("catalog")


# ------------------------------------------------------------------------------------------ 留守妇女


def test_woman_is_left_behind_only_by_her_own_husband(home):
    # Head at home, his wife at home; their adult son and the head's brother are away: she is not 留守.
    a = home()
    person(a, "甲夫", "02", 45, residence_status=HOME, marital_status="20")
    person(a, "甲妻", "12", 43, sex="2")
    person(a, "甲子", "20", 22, residence_status=AWAY)
    person(a, "甲弟", "73", 40, residence_status=AWAY, marital_status="20")
    # Head away: his wife is.
    b = home()
    person(b, "乙夫", "02", 40, residence_status=AWAY, marital_status="20")
    person(b, "乙妻", "12", 38, sex="2")
    # A woman head whose husband (夫, 11) is away.
    c = home()
    person(c, "丙妇", "02", 36, sex="2", marital_status="20")
    person(c, "丙夫", "11", 38, residence_status=AWAY, marital_status="20")
    # Over 59, or not married, or herself away: not.
    d = home()
    person(d, "丁夫", "02", 62, residence_status=AWAY, marital_status="20")
    person(d, "丁妻", "12", 61, sex="2")
    assert tagged("left-behind-woman") == rederived("left-behind-woman") == {"乙妻", "丙妇"}


def test_daughter_in_law_by_the_father_of_her_children(home):
    """Two married sons, one away: each 儿媳 is judged by the father of her own (linked) children."""
    h = home()
    person(h, "老张", "02", 66, marital_status="20")
    elder = person(h, "张长子", "22", 40, residence_status=HOME, marital_status="20")
    younger = person(h, "张次子", "23", 36, residence_status=AWAY, marital_status="20")
    wife_a = person(h, "长媳", "38", 38, sex="2")
    wife_b = person(h, "次媳", "38", 34, sex="2")
    person(h, "孙甲", "41", 12, father=elder, mother=wife_a)
    person(h, "孙乙", "42", 8, sex="2", father=younger, mother=wife_b)
    assert tagged("left-behind-woman") == rederived("left-behind-woman") == {"次媳"}


def test_daughter_in_law_without_links_needs_every_married_son_away(home):
    # One married son at home, an unmarried son away: her husband is the one at home.
    a = home()
    person(a, "甲翁", "02", 65, marital_status="20")
    person(a, "甲长子", "22", 35, residence_status=HOME, marital_status="20")
    person(a, "甲三子", "24", 25, residence_status=AWAY, marital_status="10")
    person(a, "甲媳", "38", 33, sex="2")
    # The only married son is 三子 (a GB/T 4761 sub-code the old rule did not know), and he is away.
    b = home()
    person(b, "乙翁", "02", 65, marital_status="20")
    person(b, "乙三子", "24", 30, residence_status=AWAY, marital_status="20")
    person(b, "乙媳", "38", 29, sex="2")
    # A daughter whose 女婿 (married in, 入赘) is away.
    c = home()
    person(c, "丙翁", "02", 60, marital_status="20")
    person(c, "丙女", "30", 30, sex="2")
    person(c, "丙婿", "28", 31, residence_status=AWAY, marital_status="20")
    assert tagged("left-behind-woman") == {"乙媳", "丙女"}


# ------------------------------------------------------------------------------------------ 留守儿童


def parents(household: Household, prefix: str, *, father: dict, mother: dict) -> tuple[Person, Person]:
    dad = person(household, f"{prefix}父", "20", 36, marital_status="20", **father)
    mum = person(household, f"{prefix}母", "38", 34, sex="2", **mother)
    return dad, mum


def test_left_behind_child_by_the_parent_links(home):
    # Uncle away, parents at home: not.
    a = home()
    person(a, "甲祖", "02", 66)
    dad, mum = parents(a, "甲", father={"residence_status": HOME}, mother={"residence_status": HOME})
    person(a, "甲叔", "23", 30, residence_status=AWAY)
    person(a, "甲孩", "41", 9, father=dad, mother=mum)
    # Parents away, the uncle at home: the old generation rule saw an adult of the parents' generation
    # at home and missed this child.
    b = home()
    person(b, "乙祖", "02", 66)
    dad, mum = parents(b, "乙", father={"residence_status": AWAY}, mother={"residence_status": AWAY})
    person(b, "乙叔", "23", 30, residence_status=HOME)
    person(b, "乙孩", "41", 9, father=dad, mother=mum)
    # One away, the other at home and able: not.
    c = home()
    dad, mum = parents(c, "丙", father={"residence_status": AWAY}, mother={"residence_status": HOME})
    person(c, "丙孩", "41", 9, father=dad, mother=mum)
    assert tagged("left-behind-child") == {"乙孩"}


@pytest.mark.parametrize(
    ("mother", "left_behind"),
    [
        ({"cannot_guard_reason": "1"}, True),  # 服刑在押, still registered as at home
        ({"cannot_guard_reason": "3"}, True),  # 失联
        ({"disability_category": "4", "disability_grade": "1"}, True),  # 一级残疾
        ({"disability_category": "4", "disability_grade": "3"}, False),  # 三级 is not severe
        ({"labor_ability": "4"}, True),  # 丧失劳动力
        ({"serious_illness": True}, True),  # 大病
        (DEAD, True),
        ({}, False),
    ],
)
def test_one_parent_away_and_the_other_unable_to_guard(home, mother, left_behind):
    h = home()
    person(h, "祖父", "02", 66)
    dad, mum = parents(h, "", father={"residence_status": AWAY}, mother={"residence_status": HOME, **mother})
    person(h, "孩子", "41", 10, father=dad, mother=mum)
    assert tagged("left-behind-child") == ({"孩子"} if left_behind else set())


def test_parents_in_another_household_and_the_other_conditions(home):
    # The parents keep their own household file; the child lives with the grandparents.
    theirs = home()
    dad = person(theirs, "甲父", "02", 36, residence_status=AWAY, marital_status="20")
    mum = person(theirs, "甲母", "12", 34, sex="2", residence_status=AWAY)
    grandparents = home()
    person(grandparents, "甲祖", "02", 68)
    person(grandparents, "甲孩", "41", 7, father=dad, mother=mum)
    person(grandparents, "甲兄", "41", 16, father=dad, mother=mum)  # 16: not a child any more
    # Not rural (非农业户): not 留守儿童 however far the parents are.
    town = home(household_type="2")
    person(town, "乙父", "02", 36, residence_status=AWAY)
    person(town, "乙母", "12", 34, sex="2", residence_status=AWAY)
    person(town, "乙孩", "20", 7)
    # Only the mother is linked and she is away: an unlinked father is no guardian at home.
    single = home()
    mum = person(single, "丙母", "02", 30, sex="2", residence_status=AWAY, marital_status="40")
    person(single, "丙孩", "20", 6, mother=mum)
    assert tagged("left-behind-child") == rederived("left-behind-child") == {"甲孩", "丙孩"}


def test_children_without_links_keep_the_generation_rule(home):
    h = home()
    person(h, "户主", "02", 38, residence_status=AWAY)
    person(h, "妻子", "12", 36, sex="2", residence_status=AWAY)
    person(h, "五子", "26", 8)  # a sub-code of 子
    person(h, "侄子", "93", 8)  # not the head's child: the generation rule cannot tell its parents
    assert tagged("left-behind-child") == {"五子"}


# ------------------------------------------------------------------------------------ 困境儿童 and flags


def test_child_in_hardship(home):
    normal = home()
    person(normal, "户主", "02", 40)
    person(normal, "慢病孩", "20", 10, health="37")  # a chronic disease alone: not 困境儿童
    person(normal, "残疾孩", "20", 8, disability_category="2", disability_grade="3")
    person(normal, "大病孩", "20", 6, serious_illness=True)
    person(normal, "成年残疾", "20", 18, disability_category="2", disability_grade="3")
    person(normal, "孤儿", "93", 12, orphan=True)
    person(normal, "事实无人抚养", "93", 11, de_facto_unsupported=True)
    poor = home(dibao="rural")
    person(poor, "低保户主", "02", 40)
    person(poor, "低保孩", "20", 5)
    monitored = home(monitoring_status="monitoring", monitoring_type="2")
    person(monitored, "监测户主", "02", 40)
    person(monitored, "监测孩", "20", 5)
    assert tagged("child-hardship") == {"残疾孩", "大病孩", "孤儿", "事实无人抚养", "低保孩", "监测孩"}
    assert tagged("orphan") == {"孤儿"}
    assert tagged("de-facto-unsupported") == {"事实无人抚养"}


def test_child_in_hardship_by_failed_guardianship(home):
    h = home()
    dad = person(h, "父亡", "02", 40, **DEAD)
    missing = person(h, "母失联", "10", 38, sex="2", cannot_guard_reason="3")
    person(h, "甲孩", "20", 9, father=dad, mother=missing)
    at_home = person(h, "母在家", "10", 38, sex="2")
    person(h, "乙孩", "20", 9, father=dad, mother=at_home)  # one parent dead, the other able: not
    person(h, "丙孩", "20", 9, father=dad)  # the mother is not on record: the flags decide, not a guess
    assert tagged("child-hardship") == rederived("child-hardship") == {"甲孩"}


def test_adults_carry_no_child_flags(home):
    h = home()
    person(h, "成年孤儿", "02", 19, orphan=True, de_facto_unsupported=True)
    assert tagged("orphan") == set() and tagged("de-facto-unsupported") == set()


def test_new_tags_and_health_classification():
    assert Tag.objects.get(code="orphan").name == "孤儿"
    assert Tag.objects.get(code="de-facto-unsupported").name == "事实无人抚养儿童"
    assert SPECS_BY_CODE["orphan"].category == SPECS_BY_CODE["child-hardship"].category == "focus"
    health = builtin_health_codes()
    # 困境儿童 reads the child's own disability and 大病; 失能老人 is a health assessment (自理能力).
    assert {"child-hardship", "disabled-elderly"} <= health
    # A parent's condition read through the link says nothing definite about the child's health.
    assert (
        not {
            "left-behind-child",
            "left-behind-woman",
            "left-behind-elderly",
            "orphan",
            "de-facto-unsupported",
            "no-pension",
        }
        & health
    )
