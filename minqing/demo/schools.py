"""Schooling (学段, 就读学校) and self-care ability (生活自理能力) of demo persons, by age.

Ages are whole years on the generation date: 3–5 学前 (a few not enrolled), 6–11 小学, 12–14 初中, 15
初中 or 高中/中职, 16–18 高中 or 中职 for those still at school, 19–22 高等教育; a few drop out of
compulsory education (辍学). Helpers of :meth:`minqing.demo.people.People.person`, which passes itself
for the seeded ``Random``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import regional

if TYPE_CHECKING:
    from .people import Home, People

#: Share of 3–5 year-olds in kindergarten (Guizhou 学前三年毛入园率 about 90 %).
PRESCHOOL_ENROLLED = 0.88
#: Share of 12–15 year-olds who left compulsory education (控辍保学 keeps it small).
DROP_OUT = 0.012


def _name(template: str, home: Home) -> str:
    return template.format(township=home.township, village=home.village)


def young(people: People, f: dict[str, Any], age: int, home: Home) -> bool:
    """Children under 16: set 学段, school and education; returns whether the child is at school."""
    rng, chance = people.rng, people.chance
    if age < 3:
        return False
    if age < 6:
        if chance(PRESCHOOL_ENROLLED):
            f.update(school_stage="10", school=_name(rng.choice(regional.PRESCHOOLS), home))
        else:
            f["school_stage"] = "90"
        return False
    if age >= 12 and chance(DROP_OUT):
        f.update(school_stage="91", education="81" if age < 13 else "73")
        return False
    # Still at school: the level they are at (80 小学教育, 70 初级中学教育), not a 毕业 code.
    f.update(employment="31", education="80" if age < 12 else "70")
    if age < 12:
        f.update(school_stage="20", school=_name(rng.choice(regional.PRIMARY_SCHOOLS), home))
    elif age < 15 or chance(0.4):
        f.update(school_stage="30", school=_name(rng.choice(regional.JUNIOR_SCHOOLS), home))
    elif chance(0.65):
        f.update(school_stage="40", school=rng.choice(regional.SENIOR_SCHOOLS), education="60")
    else:
        f.update(school_stage="41", school=rng.choice(regional.VOCATIONAL_SCHOOLS), education="40")
    return True


def older(people: People, f: dict[str, Any], age: int) -> None:
    """A 16–22 year-old still at school: 高中, 中职 or 高等教育, boarding away from home (在校)."""
    rng, chance = people.rng, people.chance
    f.update(residence_status="40", employment="31")
    if age < 19:
        if chance(0.7):
            f.update(education="60", school_stage="40", school=rng.choice(regional.SENIOR_SCHOOLS))
        else:
            f.update(education="40", school_stage="41", school=rng.choice(regional.VOCATIONAL_SCHOOLS))
        f["current_area"] = regional.COUNTY_AREA
        return
    school, area = rng.choice(regional.COLLEGES)
    f.update(
        education="30" if chance(0.5) else "20",
        school_stage="50",
        school=school,
        current_area=area,
        current_address=school,
        registration_match=False,
    )


def self_care(people: People, age: int, disability_grade: str, health: str) -> str:
    """生活自理能力 of someone 60 or older: most look after themselves; care needs grow after 80."""
    r = people.rng.random()
    if disability_grade in ("1", "2") or health == "32":  # severe disability, stroke sequelae
        return "3" if r < 0.35 else "2" if r < 0.85 else "1"
    if age >= 80:
        return "3" if r < 0.05 else "2" if r < 0.17 else "1"
    return "3" if r < 0.01 else "2" if r < 0.04 else "1"
