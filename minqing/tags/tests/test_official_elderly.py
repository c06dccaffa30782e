"""留守老人 (own children away ≥ 6 months), 失能老人 (self-care), 未参加养老保险 (not students, not under 16),
and tags kept true when a relative in another household changes."""

from __future__ import annotations

import datetime

import pytest

from minqing.registry import services as registry
from minqing.tags import services
from minqing.tags.ages import months_before

from .family_helpers import AWAY, DEAD, HOME, TODAY, linked, person, rederived, tagged

pytestmark = pytest.mark.usefixtures("catalog")


def test_months_before():
    assert months_before(datetime.date(2026, 11, 22), 6) == datetime.date(2026, 5, 22)
    assert months_before(datetime.date(2026, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 3, 15), 6) == datetime.date(2025, 9, 15)


def test_left_behind_elderly_by_their_own_children(home):
    # A grandson away and nobody of working age at home: the old household rule tagged her, but her own
    # son lives at home in his own household file.
    a = home()
    grandma = person(a, "甲奶奶", "02", 72, sex="2", marital_status="30")
    person(a, "甲孙", "41", 25, residence_status=AWAY)
    b = home()
    person(b, "甲儿", "02", 48, residence_status=HOME, mother=grandma)
    # Every child away for years: tagged, wherever the children keep their file.
    c = home()
    grandpa = person(c, "乙爷爷", "02", 75, marital_status="20")
    wife = person(c, "乙奶奶", "10", 70, sex="2")
    long_ago = datetime.date(2024, 3, 1)
    person(c, "乙子", "20", 45, residence_status=AWAY, away_since=long_ago, father=grandpa, mother=wife)
    d = home()
    person(d, "乙女", "02", 42, sex="2", residence_status=AWAY, father=grandpa, mother=wife)  # since unknown
    person(d, "乙已故子", "20", 40, father=grandpa, mother=wife, **DEAD)  # the dead do not count
    # A child away for two months only: not yet.
    e = home()
    recent = person(e, "丙爷爷", "02", 68, marital_status="20")
    person(
        e,
        "丙子",
        "20",
        40,
        residence_status=AWAY,
        away_since=TODAY - datetime.timedelta(days=60),
        father=recent,
    )
    # One child away, one at home: not.
    f = home()
    split = person(f, "丁奶奶", "02", 66, sex="2", marital_status="30")
    person(f, "丁子", "20", 40, residence_status=AWAY, mother=split)
    person(f, "丁女", "30", 38, sex="2", residence_status=HOME, mother=split)
    assert tagged("left-behind-elderly") == rederived("left-behind-elderly") == {"乙爷爷", "乙奶奶"}


def test_elderly_without_child_links_keep_the_household_rule(home):
    h = home()
    person(h, "老人", "02", 70)
    person(h, "儿子", "20", 40, residence_status=AWAY)
    assert tagged("left-behind-elderly") == {"老人"}


def test_disabled_elderly_by_self_care(home):
    h = home()
    # No working ability and a disability, but 全自理: not 失能.
    person(
        h,
        "八旬自理",
        "02",
        80,
        labor_ability="5",
        disability_category="4",
        disability_grade="2",
        self_care="1",
    )
    person(h, "半护理", "10", 66, sex="2", self_care="2")
    person(h, "全护理", "51", 90, self_care="3")
    person(h, "五十九", "20", 59, self_care="3")
    assert tagged("disabled-elderly") == {"半护理", "全护理"}


def test_no_pension_excludes_students_and_children(home):
    h = home()
    person(h, "户主", "02", 45, pension_insurance=True)
    person(h, "高中生", "20", 17, school_stage="40")  # not insured, in school: not counted
    person(h, "中职生", "20", 16, school_stage="41")
    person(h, "大学生", "20", 20, residence_status="40")  # no 学段 recorded: 在校 tells
    person(h, "辍学", "20", 17, school_stage="91", employment="31")  # the 学段 wins over an old 从业状况
    person(h, "十五岁", "20", 15)
    person(h, "无业青年", "20", 24)
    person(h, "老人", "51", 70)
    assert tagged("no-pension") == {"辍学", "无业青年", "老人"}
    assert "大学生" in tagged("student") and "高中生" in tagged("student") and "辍学" not in tagged("student")


def test_a_parent_changing_in_another_household_retags_the_child(users, home):
    """A parent's record lives in its own household file: editing it re-derives the child's tags too."""
    theirs = home()
    dad = person(theirs, "父", "02", 36, residence_status=AWAY, marital_status="20")
    mum = person(theirs, "母", "12", 34, sex="2", residence_status=HOME)
    grandparents = home()
    person(grandparents, "祖母", "02", 66, sex="2", marital_status="30")
    person(grandparents, "孩子", "41", 8, father=dad, mother=mum)
    services.refresh_all(today=TODAY)
    assert tagged("left-behind-child") == set()
    registry.person_update(actor=users.inside, person=mum, data={"residence_status": AWAY}, version=1)
    assert "孩子" in linked("left-behind-child")
    # Back home: the child is no longer left behind.
    registry.person_update(actor=users.inside, person=mum, data={"residence_status": HOME}, version=2)
    assert "孩子" not in linked("left-behind-child")
