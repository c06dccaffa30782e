"""Who lives together in a demo household (:meth:`Family.plan`): relations, ages, parent links, deaths.

Ages follow the law and the statistics: spouses married at legal age (men 22, women 20), mothers 20–45
and fathers 22–55 at each child's birth, children's birth years weighted by Guizhou's crude birth rate
(falling from about 13‰ to 10‰ since 2020, so there are fewer 0–5 than 10–15 year-olds), and deceased
members with death dates in the last :data:`regional.DEATH_YEARS` years at about 7‰ a year.
Members point at their father and mother by index (:class:`minqing.demo.people.Member`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import names, regional, tables
from .people import Member, People
from .rows import Weighted

if TYPE_CHECKING:
    from minqing.registry.models import Person

#: (child, father, mother) rows whose ids the writer puts into ``father_id``/``mother_id``.
Link = tuple["Person", "Person | None", "Person | None"]

ALONE_MARITAL = Weighted([("30", 78.0), ("10", 10.0), ("40", 12.0)])  # widowed, never married, divorced
CHILDREN = Weighted([(0, 8.0), (1, 40.0), (2, 42.0), (3, 10.0)])
ADULT_CHILDREN = Weighted([(1, 55.0), (2, 40.0), (3, 5.0)])
GRANDCHILDREN = Weighted([(0, 5.0), (1, 45.0), (2, 40.0), (3, 10.0)])
INFLOW_REASONS = Weighted([("01", 70.0), ("03", 20.0), ("09", 5.0), ("08", 5.0)])
#: Legal marriage age (婚姻法): men 22, women 20.
MARRIAGE_AGE = {"1": 22, "2": 20}
#: Relative fertility by the mother's age at birth (5-year groups from 20).
FERTILITY = (1.0, 0.9, 0.5, 0.22, 0.06)
#: How much more likely an older eldest child is (see ``Family.young_family``).
ELDEST_TILT = 0.35
#: Chance that a household keeps the record of an elderly parent of the head who died in the last years.
DECEASED_PARENT = 0.08
#: Chance that a widowed person's spouse died within the registry's years of deaths.
RECENT_WIDOW = 0.55
#: Away patterns of a couple with children: (both away, only the husband away, only the wife away).
AWAY_NUCLEAR = (0.07, 0.40, 0.04)
AWAY_WITH_GRANDPARENTS = (0.34, 0.32, 0.04)


class Family(People):
    """Draws the members of a household (:meth:`plan`)."""

    def __init__(self, *, seed: int, id_offset: int | None) -> None:
        super().__init__(seed=seed, id_offset=id_offset)
        self.inflow_origins = Weighted(regional.INFLOW_ORIGINS)
        self.kinds = Weighted(tables.KINDS)

    # -- helpers -------------------------------------------------------------------------------

    def died_days(self) -> int:
        return self.rng.randint(1, regional.DEATH_YEARS * 365)

    def spouse_age(self, partner: Member, gap: int) -> int:
        """The age of ``partner``'s spouse, ``gap`` years younger (negative: older), at least legal age."""
        sex = "2" if partner.sex == "1" else "1"
        return max(partner.age - gap, MARRIAGE_AGE[sex])

    def young_family(self, n: int, high: int) -> tuple[int, list[int]]:
        """(the mother's age, the children's ages) of a family with ``n`` children, the eldest at most
        ``high``: the eldest's birth year weighted by the birth rate (tilted towards older children, as
        later siblings are younger), the mother 20–36 at the first birth, 2–6 years between children."""
        rng = self.rng
        year = self.today.year
        eldest = rng.randint(0, high)
        for _attempt in range(12):
            weight = regional.birth_rate(year - eldest) / regional.MAX_BIRTH_RATE
            if rng.random() < weight * (1 - ELDEST_TILT + ELDEST_TILT * eldest / max(high, 1)):
                break
            eldest = rng.randint(0, high)
        mother = eldest + int(rng.triangular(20, 36, 23))
        ages = [eldest]
        while len(ages) < n and 0 <= (younger := ages[-1] - rng.randint(2, 6)) and mother - younger <= 45:
            ages.append(younger)
        return mother, ages

    def husband_age(self, mother_age: int, eldest: int) -> int:
        """The father's age: a few years older than the mother, and at least 22 at the first birth."""
        return max(mother_age + self.rng.randint(-1, 6), eldest + MARRIAGE_AGE["1"])

    def child_ages(
        self, n: int, father: Member | None, mother: Member | None, low: int, high: int
    ) -> list[int]:
        """Up to ``n`` ages in ``low..high`` at which both parents were of age (mother 20–45, father 22–55),
        birth years weighted by the birth rate and the mother's age."""
        rng = self.rng
        if mother is not None:
            low, high = max(low, mother.age - 45), min(high, mother.age - 20)
        if father is not None:
            low, high = max(low, father.age - 55), min(high, father.age - 22)
        if low > high:
            return []
        ages = []
        year = self.today.year
        for _ in range(n):
            age = rng.randint(low, high)
            for _attempt in range(12):
                weight = regional.birth_rate(year - age) / regional.MAX_BIRTH_RATE
                if mother is not None:
                    weight *= FERTILITY[min(4, max(0, (mother.age - age - 20) // 5))]
                if rng.random() < weight:
                    break
                age = rng.randint(low, high)
            ages.append(age)
        return sorted(ages, reverse=True)

    def add_children(
        self,
        members: list[Member],
        n: int,
        father: int | None,
        mother: int | None,
        relations: tuple[str, str],
        low: int = 0,
        high: int = 17,
        *,
        ages: list[int] | None = None,
    ) -> None:
        """Children of ``members[father]`` and ``members[mother]`` (indexes), named after the household:
        of the given ``ages``, or ``n`` drawn in ``low..high``."""
        head = members[0]
        dad = members[father] if father is not None else None
        mum = members[mother] if mother is not None else None
        if ages is None:
            ages = self.child_ages(n, dad, mum, low, high)
        for age in ages:
            sex = "1" if self.chance(0.52) else "2"
            child = Member(relations[sex == "2"], sex, age, head.surname, head.ethnicity, marital="10")
            child.native = head.native
            child.father, child.mother = father, mother
            members.append(child)

    def spouse(self, head: Member, gap: int, *, away: bool | None = None, relation: str = "") -> Member:
        female = head.sex == "1"
        if not relation:
            relation = ("12" if self.chance(0.7) else "10") if female else "11"
        ethnicity = head.ethnicity if self.chance(0.7) else self.ethnicities.pick(self.rng)
        return Member(
            relation,
            "2" if female else "1",
            self.spouse_age(head, gap),
            self.surnames.pick(self.rng),
            ethnicity,
            marital="20",
            away=away,
            native=self.natives.pick(self.rng),
        )

    def away_pattern(self, table: tuple[float, float, float]) -> tuple[bool, bool]:
        """(husband away, wife away) of a couple with children."""
        r = self.rng.random()
        both, husband, wife = table
        return r < both + husband, r < both or both + husband <= r < both + husband + wife

    def parents_of(self, members: list[Member], child: int, *, wife_side: bool = False) -> None:
        """The head's (or with ``wife_side`` the spouse's) own parents living in the household; one may be
        the late parent, the other widowed."""
        rng, kid = self.rng, members[child]
        father_age = kid.age + rng.randint(24, 34)
        mother_age = min(kid.age + rng.randint(21, 32), father_age + 2)
        who = rng.random()
        both = who < 0.45
        surname = kid.surname
        codes_ = ("55", "56") if wife_side else ("51", "52")
        father = Member(codes_[0], "1", min(father_age, 99), surname, kid.ethnicity, away=False)
        mother = Member(
            codes_[1], "2", min(mother_age, 99), self.surnames.pick(rng), kid.ethnicity, away=False
        )
        father.native, mother.native = kid.native, self.natives.pick(rng)
        father.marital = mother.marital = "20" if both else "30"
        keep_father = both or who >= 0.80
        keep_mother = who < 0.80
        late = not both and self.chance(0.4)
        for keep, parent, side in ((keep_father, father, "father"), (keep_mother, mother, "mother")):
            if keep or late:
                if not keep:
                    parent.deceased, parent.died, parent.marital = True, self.died_days(), "20"
                setattr(kid, side, len(members))
                members.append(parent)

    # -- the plan ------------------------------------------------------------------------------

    def plan(self) -> tuple[str, list[Member]]:
        """Decide who lives in a household: relations, sexes, ages, surnames, links and who works away."""
        rng, kind = self.rng, self.kinds.pick(self.rng)
        surname, eth = self.surnames.pick(rng), self.ethnicities.pick(rng)
        members: list[Member] = []
        if kind == "alone":
            sex = "2" if self.chance(0.62) else "1"
            marital = ALONE_MARITAL.pick(rng)
            head = Member(
                "02", sex, int(rng.triangular(65, 96, 72)), surname, eth, marital=marital, away=False
            )
            members.append(head)
            if marital == "30" and self.chance(RECENT_WIDOW):
                late = self.spouse(head, rng.randint(-5, 3), relation="10")
                late.deceased, late.died = True, self.died_days()
                members.append(late)
        elif kind == "empty_nest":
            head = Member("02", "1", int(rng.triangular(58, 92, 68)), surname, eth, marital="20", away=False)
            members += [head, self.spouse(head, rng.randint(-2, 6), away=False)]
        elif kind == "single":
            marital = "10" if self.chance(0.7) else "40"
            members.append(Member("02", "1", rng.randint(28, 64), surname, eth, marital=marital))
        elif kind == "inflow":
            self.inflow(members, surname, eth)
        elif kind in ("nuclear", "with_parents", "adult_kids"):
            low, high = {"nuclear": (22, 40), "with_parents": (28, 56), "adult_kids": (45, 66)}[kind]
            n = CHILDREN.pick(rng) if kind != "adult_kids" else ADULT_CHILDREN.pick(rng)
            head = Member("02", "1" if self.chance(0.9) else "2", rng.randint(low, high), surname, eth)
            head.marital, gap = "20", rng.randint(-1, 6)
            ages: list[int] = []
            if n and kind != "adult_kids":
                mother_age, ages = self.young_family(n, 17 if kind == "nuclear" else 25)
                father_age = self.husband_age(mother_age, ages[0])
                head.age = father_age if head.sex == "1" else mother_age
                gap = father_age - mother_age if head.sex == "1" else mother_age - father_age
            spouse = self.spouse(head, gap)
            members += [head, spouse]
            if kind != "adult_kids":
                table = AWAY_NUCLEAR if kind == "nuclear" else AWAY_WITH_GRANDPARENTS
                husband_away, wife_away = self.away_pattern(table)
                husband, wife = (head, spouse) if head.sex == "1" else (spouse, head)
                husband.away, wife.away = husband_away, wife_away
            father, mother = (0, 1) if head.sex == "1" else (1, 0)
            if kind == "adult_kids":
                self.add_children(members, n, father, mother, ("20", "30"), 16, 32)
            else:
                self.add_children(members, n, father, mother, ("20", "30"), ages=ages)
                if self.chance(0.002):  # a parent serving a sentence (服刑在押): cannot guard the children
                    members[father].cannot_guard, members[father].away = "1", False
            if kind == "with_parents":
                wife_side = head.sex == "1" and self.chance(0.15)
                self.parents_of(members, 1 if wife_side else 0, wife_side=wife_side)
            elif self.chance(DECEASED_PARENT):
                self.late_parent(members)
        else:
            self.three_generations(members, surname, eth)
        return kind, members

    def late_parent(self, members: list[Member]) -> None:
        """The record of the head's parent who died in the last years (a 注销 pending or kept on file)."""
        head = members[0]
        if head.age < 35:
            return
        male = self.chance(0.45)
        age_now = head.age + self.rng.randint(24 if male else 21, 36)
        if age_now > 99:
            return
        parent = Member("51" if male else "52", "1" if male else "2", age_now, head.surname, head.ethnicity)
        if not male:
            parent.surname = self.surnames.pick(self.rng)
        parent.marital, parent.deceased = "20", True
        parent.died = min(self.died_days(), max(1, (age_now - 60) * 365))
        setattr(head, "father" if male else "mother", len(members))
        members.append(parent)

    def three_generations(self, members: list[Member], surname: str, eth: str) -> None:
        """Grandparents (head and spouse), a married child with their spouse, grandchildren."""
        rng = self.rng
        n = GRANDCHILDREN.pick(rng)
        son_line = self.chance(0.8)
        ages: list[int] = []
        if n:
            mother_age, ages = self.young_family(n, 17)
            father_age = self.husband_age(mother_age, ages[0])
        else:
            mother_age = rng.randint(22, 40)
            father_age = mother_age + rng.randint(-1, 5)
        own_age, gap = (
            (father_age, father_age - mother_age) if son_line else (mother_age, mother_age - father_age)
        )
        grandma_age = own_age + int(rng.triangular(20, 38, 24))
        head = Member("02", "1", grandma_age + rng.randint(-1, 6), surname, eth, marital="20", away=False)
        head.age = max(head.age, own_age + 22)
        grandma = self.spouse(head, head.age - grandma_age, away=False)
        members += [head, grandma]
        husband_away, wife_away = self.away_pattern(AWAY_WITH_GRANDPARENTS)
        if son_line:  # son and daughter-in-law
            own = Member("20", "1", own_age, surname, eth, marital="20", away=husband_away)
            partner = self.spouse(own, gap, away=wife_away, relation="38")
            grandchildren = ("41", "42")
        else:  # daughter with a son-in-law who married in (上门女婿); her children are 外孙子女
            own = Member("30", "2", own_age, surname, eth, marital="20", away=wife_away)
            partner = self.spouse(own, gap, away=husband_away, relation="28")
            grandchildren = ("43", "44")
        own.father, own.mother = 0, 1
        members += [own, partner]
        dad, mum = (2, 3) if son_line else (3, 2)
        self.add_children(members, n, dad, mum, grandchildren, ages=ages)
        if len(members) > 4 and members[4].age < 16 and self.chance(0.012):
            # The children's father died; their mother died too (孤儿) or is missing (事实无人抚养).
            father = members[dad]
            father.deceased, father.died, father.away = True, self.died_days(), False
            mother = members[mum]
            if self.chance(0.4):
                mother.deceased, mother.died, mother.away = True, self.died_days(), False
            else:
                mother.cannot_guard, mother.away = "3", False
        elif self.chance(DECEASED_PARENT):
            self.late_parent(members)

    def inflow(self, members: list[Member], surname: str, eth: str) -> None:
        """A family from another county living here for work (流入人口), with their children."""
        rng = self.rng
        origin = self.inflow_origins.pick(rng)
        head = Member("02", "1", rng.randint(24, 50), surname, eth, marital="20", away=False, native=origin)
        head.inflow = INFLOW_REASONS.pick(rng)
        members.append(head)
        if self.chance(0.8):
            wife = self.spouse(head, rng.randint(-2, 5), away=False)
            wife.native, wife.inflow = origin if self.chance(0.7) else names.HOME_NATIVE_PLACE, "06"
            members.append(wife)
            if wife.native == names.HOME_NATIVE_PLACE:  # a Yuping wife: registered here, not inflow
                wife.inflow = ""
            self.add_children(members, CHILDREN.pick(rng), 0, 1, ("20", "30"), 0, 14)
            for child in members[2:]:
                child.native, child.inflow = origin, "06"
        else:
            head.marital = "10"

    # -- after the persons are drawn -----------------------------------------------------------

    def link(self, kind: str, members: list[Member], persons: list[Person]) -> list[Link]:
        """Parent links, guardians of left-behind children, children and elders away with family,
        orphans and 事实无人抚养 children; returns the links for the writer."""
        links: list[Link] = []
        for m, p in zip(members, persons, strict=True):
            if m.cannot_guard:
                p.current_address = "服刑在押" if m.cannot_guard == "1" else "下落不明"
                p.registration_match = False
            if m.father is None and m.mother is None:
                continue
            father = persons[m.father] if m.father is not None else None
            mother = persons[m.mother] if m.mother is not None else None
            links.append((p, father, mother))
            if m.age < 16 and not p.deceased and not m.inflow:
                self.guard(kind, p, father, mother, persons)
        if kind in ("alone", "empty_nest") and self.chance(0.03):
            place, _location = self.destinations.pick(self.rng)  # elders living with a child in a city
            for p in persons:
                if not p.deceased:
                    p.current_address, p.registration_match = place, False
                    p.residence_status = "21"  # 外出（随迁、投亲）
                    p.current_area = regional.DESTINATION_AREA.get(place, "")
        return links

    def guard(
        self, kind: str, child: Person, father: Person | None, mother: Person | None, persons: list[Person]
    ) -> None:
        """A child whose parents are both away or unable to guard: left behind with a guardian, or living
        with the parents in the city they work in (随迁子女)."""
        parents = [p for p in (father, mother) if p is not None]

        def away(p: Person) -> bool:
            return not p.deceased and p.residence_status == "20"

        def gone(p: Person) -> bool:
            return p.deceased or away(p) or bool(p.cannot_guard_reason)

        if not parents or not all(gone(p) for p in parents):
            return
        if not any(away(p) for p in parents):  # both dead, or dead and missing
            child.orphan = all(p.deceased for p in parents) and len(parents) == 2
            child.de_facto_unsupported = not child.orphan
        grandparents = [
            p
            for p in persons
            if not p.deceased
            and p.residence_status == "10"
            and p.age_on(self.today) >= 45
            and p.relation in ("02", "10", "11", "12", "51", "52", "55", "56")
            and p not in parents
        ]
        migrant = next((p for p in parents if away(p)), None)
        if migrant is not None and self.chance(0.55 if not grandparents else 0.12):
            city = migrant.away_destination
            child.current_address, child.registration_match = city, False
            child.residence_status = "21"  # 随迁子女
            child.current_area = regional.DESTINATION_AREA.get(city, "")
            child.away_destination = city
            child.away_since = max(migrant.away_since or child.birth_date, child.birth_date)
            if child.school:
                child.school = self.rng.choice(regional.CITY_SCHOOLS).format(city=city)
            return
        if grandparents:
            guardian = min(grandparents, key=lambda p: (p.sex != "2", p.birth_date))
            maternal = guardian.relation in ("55", "56") or (
                child.relation in ("43", "44")
                or (guardian.relation in ("51", "52") and persons[0].sex == "2")
            )
            word = "祖母" if guardian.sex == "2" else "祖父"
            child.guardian_name, child.guardian_relation = guardian.name, ("外" if maternal else "") + word
            child.guardian_phone = guardian.phone or self.phone()
        else:
            relation = self.rng.choice(regional.OUTSIDE_GUARDIANS)
            sex = "2" if relation in ("祖母", "外祖母", "姑母") else "1"
            child.guardian_name = self.name(self.surnames.pick(self.rng), sex, self.today.year - 60)
            child.guardian_relation, child.guardian_phone = relation, self.phone()
