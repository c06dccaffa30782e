"""Deterministic, fast bulk generator of realistic demo registry data (一户一档 of a rural Guizhou county).

:func:`generate_registry` fills villages with households, their members, houses, three years of
income (年度收支) and village places. Everything comes from one ``random.Random(seed)``, so the same
arguments on the same database give the same rows.

Speed: rows are built as model instances in Python (see :class:`RowBuilder`) and written in bulk per
batch of households, one transaction per batch: ``bulk_create`` on SQLite, ``COPY`` on PostgreSQL
(the seam is :func:`_insert`). There is no ``full_clean`` per row; instead the generator only produces
values the forms would accept: valid, unique 18-digit ID numbers whose birth date and sex digit
match the person, no future dates, death after birth, exactly one head (户主) per household, code
values from :mod:`minqing.core.codes`, monitoring type whenever there is a monitoring status, and
``EconomyYear.compute()`` for the per-capita income.
"""

from __future__ import annotations

import datetime
from bisect import bisect
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from operator import attrgetter
from random import Random
from typing import Any

from django.db import connection, connections, models, transaction
from django.db.models.functions import Length
from django.utils import timezone

from minqing.areas.models import Area
from minqing.core.idnumber import make_id_number
from minqing.registry import demo_names as names
from minqing.registry.models import EconomyYear, House, Household, Person, Place

#: County address code of every generated ID number (玉屏侗族自治县).
ADDRESS_CODE = "520622"
#: Sequence slots per birth date and sex (sequence 002–999, parity = sex).
ID_SLOTS = 499
#: Households per village for one place (shop, clinic, drum tower …).
HOUSEHOLDS_PER_PLACE = 40
#: Years of 年度收支 per household: the last full years.
ECONOMY_YEARS = 3

VillageSpec = tuple[Area, list[Area], list[Area], int]


class Weighted:
    """Weighted choice with precomputed cumulative weights (``rng.choices`` rebuilds them every call)."""

    __slots__ = ("cumulative", "total", "values")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.values = [value for value, _weight in pairs]
        self.cumulative: list[float] = []
        running = 0.0
        for _value, weight in pairs:
            running += weight
            self.cumulative.append(running)
        self.total = running

    def pick(self, rng: Random) -> Any:
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


ALONE_MARITAL = Weighted([("30", 78.0), ("10", 10.0), ("40", 12.0)])  # widowed, never married, divorced
CHILDREN = Weighted([(0, 8.0), (1, 40.0), (2, 42.0), (3, 10.0)])
ADULT_CHILDREN = Weighted([(1, 55.0), (2, 40.0), (3, 5.0)])
GRANDCHILDREN = Weighted([(0, 5.0), (1, 45.0), (2, 40.0), (3, 10.0)])


class RowBuilder:
    """Builds unsaved model instances from a dict of field values, about ten times faster than ``Model(**f)``.

    ``Model.__init__`` walks every field through descriptors for each row; with 50-odd fields and three
    million persons that alone costs minutes. Here the field defaults are computed once and each row is
    the defaults plus the drawn values, which is what ``__init__`` would produce for these models (no
    ``pre_init``/``post_init`` receivers, no deferred fields). ``bulk_create`` then treats them as usual.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.defaults: dict[str, Any] = {f.attname: f.get_default() for f in fields}
        # Callable defaults (dict/list for JSON fields …) are called per row, as __init__ does.
        self.dynamic = [(f.attname, f.get_default) for f in fields if f.has_default() and callable(f.default)]

    def __call__(self, values: dict[str, Any]) -> Any:
        row = self.model.__new__(self.model)
        state = self.defaults.copy()
        for name, default in self.dynamic:
            if name not in values:
                state[name] = default()
        state.update(values)
        state["_state"] = models.base.ModelState()
        row.__dict__.update(state)
        return row


NEW_HOUSEHOLD, NEW_PERSON, NEW_HOUSE = RowBuilder(Household), RowBuilder(Person), RowBuilder(House)
NEW_ECONOMY, NEW_PLACE = RowBuilder(EconomyYear), RowBuilder(Place)


class Member:
    """One planned household member before its fields are drawn."""

    __slots__ = ("age", "away", "deceased", "ethnicity", "marital", "native", "relation", "sex", "surname")

    def __init__(
        self,
        relation: str,
        sex: str,
        age: int,
        surname: str,
        ethnicity: str,
        *,
        marital: str = "",
        away: bool | None = None,
        native: str = names.HOME_NATIVE_PLACE,
    ) -> None:
        self.relation, self.sex, self.age, self.surname, self.ethnicity = (
            relation,
            sex,
            age,
            surname,
            ethnicity,
        )
        self.marital, self.away, self.native, self.deceased = marital, away, native, False


class VillageContext:
    """Per-village state: names for addresses, next household number, house numbers per group."""

    def __init__(self, village: Area, groups: list[Area], grids: list[Area], count: int) -> None:
        self.village, self.grids, self.count = village, grids, count
        self.groups = groups or [village]
        township = village.parent if village.parent_id else Area.objects.filter(code=village.code[:9]).first()
        self.prefix = (township.short_name if township else "") + village.short_name
        self.village_short = village.short_name
        self.group_labels = [f"{int(g.code[-3:])}组" if g.level == "group" else "" for g in self.groups]
        self.house_numbers = [0] * len(self.groups)
        last = (
            Household.objects.filter(number__startswith=village.code)
            .annotate(length=Length("number"))
            .order_by("-length", "-number")
            .values_list("number", flat=True)
            .first()
        )
        suffix = last[len(village.code) :] if last else ""
        self.next_number = int(suffix) + 1 if suffix.isdigit() else 1
        # Four digits as asked ("…0001"); a village past 9,999 households gets wider numbers.
        self.width = max(4, len(str(self.next_number + count - 1)))


class Generator:
    """Draws households, members, houses, economy rows and places from one seeded ``Random``."""

    def __init__(self, *, seed: int, responsible_cadres: list | None, id_offset: int | None) -> None:
        self.rng = rng = Random(seed)
        self.today = timezone.localdate()
        self.today_ord = self.today.toordinal()
        self.years = [self.today.year - ECONOMY_YEARS + i for i in range(ECONOMY_YEARS)]
        self.cadre_ids = [c.pk for c in responsible_cadres or []]
        self.id_base = rng.randrange(ID_SLOTS) if id_offset is None else id_offset % ID_SLOTS
        self.id_counter: dict[int, int] = {}
        self.phone_counter = 0
        self.phone_offset = rng.randrange(10**8)
        # Numbers already in the database (earlier runs) are skipped, not collided with.
        self.taken_ids = set(
            Person.objects.filter(id_number__startswith=ADDRESS_CODE).values_list("id_number", flat=True)
        )
        self.taken_phones = set(Person.objects.exclude(phone="").values_list("phone", flat=True))
        self.taken_phones.update(Household.objects.exclude(phone="").values_list("phone", flat=True))
        self.taken_phones.update(Place.objects.exclude(phone="").values_list("phone", flat=True))
        self.kinds = Weighted(names.KINDS)
        self.surnames = Weighted(names.SURNAMES)
        self.ethnicities = Weighted(names.ETHNICITIES)
        self.natives = Weighted(names.NATIVE_PLACES)
        self.destinations = Weighted([((p, loc), w) for p, loc, w in names.DESTINATIONS])
        self.chronic = Weighted(names.CHRONIC_WEIGHTS)
        self.disability_categories = Weighted(names.DISABILITY_CATEGORIES)
        self.disability_grades = Weighted(names.DISABILITY_GRADES)
        self.structures = Weighted(names.STRUCTURES)
        self.safety = {
            s: Weighted(list(zip("ABCD", p[4], strict=True))) for s, p in names.STRUCTURE_PROFILE.items()
        }
        self.education = [(year, Weighted(pairs)) for year, pairs in names.EDUCATION_BY_COHORT]
        self.alleviated_years = Weighted(names.ALLEVIATED_YEARS)
        self.place_kinds = Weighted([((kind, suffixes), w) for kind, w, suffixes in names.PLACE_KINDS])
        self.hazards = Weighted([((code, notes), w) for code, w, notes in names.HAZARDS])
        self.initials: dict[str, str] = {}

    # -- small helpers -------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def name(self, surname: str, sex: str, birth_year: int) -> str:
        cohort = (
            "old"
            if birth_year < 1960
            else "mid"
            if birth_year < 1985
            else "young"
            if birth_year < 2005
            else "kid"
        )
        key = (sex, cohort)
        if self.rng.random() < 0.55:
            return surname + self.rng.choice(names.GIVEN_NAMES[key])
        return surname + self.rng.choice(names.GIVEN_FIRST[key]) + self.rng.choice(names.GIVEN_SECOND[key])

    def name_initials(self, name: str) -> str:
        """姓名拼音首字母 as the registry services compute it (pypinyin), from a per-character cache.

        Reading character by character gives the same letters as pypinyin's phrase-aware reading
        for every name the tables can produce (checked exhaustively), at a fraction of the cost.
        """
        letters = []
        for ch in name:
            letter = self.initials.get(ch)
            if letter is None:
                from pypinyin import Style, lazy_pinyin

                letter = self.initials[ch] = "".join(
                    lazy_pinyin(ch, style=Style.FIRST_LETTER, errors="ignore")
                )
            letters.append(letter)
        return "".join(letters).lower()[:50]

    def id_number(self, birth_ord: int, male: bool) -> tuple[str, int]:
        """A unique number for a birth date and sex; a full date moves the birth one day earlier."""
        while True:
            key = birth_ord * 2 + male
            k = self.id_counter.get(key, 0)
            if k >= ID_SLOTS:
                birth_ord -= 1
                continue
            self.id_counter[key] = k + 1
            seq = 2 * (1 + (self.id_base + k) % ID_SLOTS) + male
            number = make_id_number(ADDRESS_CODE, datetime.date.fromordinal(birth_ord), seq)
            if number not in self.taken_ids:
                return number, birth_ord

    def phone(self) -> str:
        """An 11-digit mobile number; the last eight digits are a bijection of a counter, so unique."""
        while True:
            n = self.phone_counter
            self.phone_counter += 1
            tail = (n * 7_654_321 + self.phone_offset) % 10**8
            number = f"{names.MOBILE_PREFIXES[(n * 7 + tail) % len(names.MOBILE_PREFIXES)]}{tail:08d}"
            if number not in self.taken_phones:
                return number

    # -- household composition -----------------------------------------------------------------

    def plan(self) -> tuple[str, list[Member]]:
        """Decide who lives in a household: relations, sexes, ages, surnames and who works away."""
        rng, kind = self.rng, self.kinds.pick(self.rng)
        surname, eth = self.surnames.pick(rng), self.ethnicities.pick(rng)
        members: list[Member] = []

        def spouse_of(head: Member, age: int, *, away: bool | None = None) -> Member:
            female = head.sex == "1"
            relation = ("12" if self.chance(0.7) else "10") if female else "11"
            ethnicity = eth if self.chance(0.7) else self.ethnicities.pick(rng)
            return Member(
                relation,
                "2" if female else "1",
                max(age, 18),
                self.surnames.pick(rng),
                ethnicity,
                marital="20",
                away=away,
                native=self.natives.pick(rng),
            )

        def children(
            n: int, max_age: int, min_age: int = 0, *, relations: tuple[str, str] = ("20", "30")
        ) -> None:
            """``n`` children aged ``min_age``..``max_age``; ``relations`` are the codes for a boy and a girl."""
            for _ in range(n):
                sex = "1" if self.chance(0.52) else "2"
                age = rng.randint(min_age, max(min_age, max_age))
                members.append(Member(relations[sex == "2"], sex, age, surname, eth, marital="10"))

        if kind == "alone":
            sex = "2" if self.chance(0.62) else "1"
            marital = ALONE_MARITAL.pick(rng)
            head = Member(
                "02", sex, int(rng.triangular(65, 96, 72)), surname, eth, marital=marital, away=False
            )
            members.append(head)
            if marital == "30" and self.chance(0.35):
                late = Member(
                    "10",
                    "1" if sex == "2" else "2",
                    head.age + rng.randint(-3, 5),
                    self.surnames.pick(rng),
                    eth,
                    marital="20",
                )
                late.deceased = True
                members.append(late)
        elif kind == "empty_nest":
            head = Member("02", "1", int(rng.triangular(58, 92, 68)), surname, eth, marital="20", away=False)
            members += [head, spouse_of(head, head.age - rng.randint(-2, 6), away=False)]
        elif kind == "single":
            members.append(
                Member(
                    "02", "1", rng.randint(28, 64), surname, eth, marital="10" if self.chance(0.7) else "40"
                )
            )
        elif kind in ("nuclear", "with_parents", "adult_kids"):
            low, high = {"nuclear": (26, 52), "with_parents": (32, 56), "adult_kids": (45, 66)}[kind]
            head = Member(
                "02", "1" if self.chance(0.9) else "2", rng.randint(low, high), surname, eth, marital="20"
            )
            spouse = spouse_of(head, head.age - rng.randint(-3, 6))
            mother_age = spouse.age if head.sex == "1" else head.age
            pattern = rng.random()
            if kind != "adult_kids":  # 22 % both parents away (left-behind children), 38 % one away
                head.away = spouse.away = pattern < 0.22
                if 0.22 <= pattern < 0.60:
                    head.away, spouse.away = True, False
                elif pattern >= 0.60:
                    head.away = spouse.away = False
            members += [head, spouse]
            if kind == "adult_kids":
                children(ADULT_CHILDREN.pick(rng), min(32, mother_age - 19), 16)
            else:
                n = CHILDREN.pick(rng)
                children(n, min(17 if kind == "nuclear" else 25, mother_age - 19))
            if kind == "with_parents":
                who = rng.random()
                both = who < 0.45
                elder = head.age + rng.randint(22, 32)
                if both or who >= 0.80:
                    members.append(
                        Member(
                            "51",
                            "1",
                            min(elder, 96),
                            surname,
                            eth,
                            marital="20" if both else "30",
                            away=False,
                        )
                    )
                if who < 0.80:
                    members.append(
                        Member(
                            "52",
                            "2",
                            min(elder - rng.randint(0, 5), 96),
                            self.surnames.pick(rng),
                            eth,
                            marital="20" if both else "30",
                            away=False,
                            native=self.natives.pick(rng),
                        )
                    )
        else:  # three generations: grandparents (head), a married child with spouse, grandchildren
            head = Member("02", "1", rng.randint(50, 75), surname, eth, marital="20", away=False)
            members += [head, spouse_of(head, head.age - rng.randint(-2, 6), away=False)]
            young_age = rng.randint(22, max(22, min(45, head.age - 20)))
            away_both, away_one = (p := rng.random()) < 0.4, p < 0.7
            partner_age = young_age - rng.randint(-2, 5)
            if self.chance(0.8):  # son and daughter-in-law
                members.append(Member("20", "1", young_age, surname, eth, marital="20", away=away_one))
                members.append(
                    Member(
                        "38",
                        "2",
                        max(partner_age, 20),
                        self.surnames.pick(rng),
                        eth if self.chance(0.7) else self.ethnicities.pick(rng),
                        marital="20",
                        away=away_both,
                        native=self.natives.pick(rng),
                    )
                )
                mother_age, grandchildren = max(partner_age, 20), ("41", "42")
            else:  # daughter with a son-in-law who married in (上门女婿); her children are 外孙子女
                members.append(Member("30", "2", young_age, surname, eth, marital="20", away=away_both))
                members.append(
                    Member(
                        "28",
                        "1",
                        max(partner_age, 20),
                        self.surnames.pick(rng),
                        eth,
                        marital="20",
                        away=away_one,
                        native=self.natives.pick(rng),
                    )
                )
                mother_age, grandchildren = young_age, ("43", "44")
            n = GRANDCHILDREN.pick(rng)
            children(n, min(17, mother_age - 19), relations=grandchildren)
        return kind, members

    # -- one person ----------------------------------------------------------------------------

    def person(self, m: Member, address: str, placed: dict[str, Any]) -> Person:
        """Draw every field of one member; the result passes the same checks as a typed-in person."""
        rng, chance, age = self.rng, self.chance, max(m.age, 0)
        male = m.sex == "1"
        birth_ord = min(self.today_ord - int((age + rng.random()) * 365.2425), self.today_ord - 1)
        id_number, birth_ord = self.id_number(birth_ord, male)
        birth = datetime.date.fromordinal(birth_ord)
        name = self.name(m.surname, m.sex, birth.year)
        f: dict[str, Any] = {
            "relation": m.relation,
            "id_number": id_number,
            "name": name,
            "name_initials": self.name_initials(name),
            "sex": m.sex,
            "birth_date": birth,
            "ethnicity": m.ethnicity,
            "native_place": m.native,
            "marital_status": m.marital or "10",
            "registered_address": address,
            "current_address": address,
            **placed,
        }
        # Health: disabilities (~6 %, more among the old), chronic diseases (~15 % of the over-50s).
        severe = False
        if chance(0.02 if age < 18 else 0.05 if age < 60 else 0.12):
            category, grade = self.disability_categories.pick(rng), self.disability_grades.pick(rng)
            severe = grade in ("1", "2")
            f.update(
                health="6" + category,
                disability_category=category,
                disability_grade=grade,
                disability_cert_no=id_number + category + grade,
            )
        elif chance(0.02 if age < 50 else 0.10 if age < 60 else 0.17 if age < 70 else 0.22):
            code = self.chronic.pick(rng)
            severe = code in ("32", "41")
            f.update(health=code, chronic_disease=rng.choice(names.CHRONIC_DISEASES[code]))
        elif age >= 70 and chance(0.3):
            f["health"] = "20"
        # Schooling, service, work away or at home.
        student = False
        if m.deceased:
            f.update(
                deceased=True,
                death_date=datetime.date.fromordinal(max(birth_ord, self.today_ord - rng.randint(30, 1000))),
            )
            if age >= 16:
                f["education"] = self.adult_education(birth.year)
        elif age < 6:
            pass
        elif age < 16:
            student = True
            f.update(employment="31", education="81" if age < 12 else "71")
        elif (
            age <= 22
            and m.relation not in ("02", "10", "11", "12", "38", "28")
            and not severe
            and chance(0.75 if age < 19 else 0.45)
        ):
            student = True
            level = (
                ("61" if chance(0.7) else "44" if chance(0.65) else "47")
                if age < 19
                else "31"
                if chance(0.5)
                else "21"
            )
            f.update(residence_status="40", employment="31", education=level)
        elif male and age <= 24 and chance(0.015):
            f.update(
                residence_status="50",
                employment="37",
                military_service="4",
                education=self.adult_education(birth.year),
                political_status="03" if chance(0.5) else "13",
            )
        else:
            f["education"] = self.adult_education(birth.year)
            can_leave = 18 <= age <= (58 if male else 55) and not severe
            away = m.away if m.away is not None else chance(0.38)
            if away and can_leave:
                (place, location) = self.destinations.pick(rng)
                start = max(birth_ord + 18 * 365, self.today_ord - 15 * 365)
                f.update(
                    residence_status="20",
                    away_destination=place,
                    work_location=location,
                    away_since=datetime.date.fromordinal(rng.randint(start, max(start, self.today_ord - 30))),
                    employment="24" if chance(0.85) else "54",
                    occupation=rng.choice(names.MIGRANT_JOBS),
                    workplace=place + rng.choice(names.MIGRANT_WORKPLACES),
                    current_address=place,
                    registration_match=False,
                )
            elif age < 65:
                r = rng.random()
                if r < 0.16 and not severe:
                    workplace, location = rng.choice(names.LOCAL_WORKPLACES)
                    f.update(
                        employment="24",
                        workplace=workplace,
                        work_location=location,
                        occupation=rng.choice(names.LOCAL_JOBS[6:]),
                    )
                elif r < 0.24:
                    f.update(employment="54", occupation="个体经营")
                elif r < 0.26:
                    f.update(employment="13", occupation="乡村教师" if chance(0.6) else "乡村医生")
                elif r < 0.31 or severe:
                    f["employment"] = "70"
                else:
                    f.update(employment="27", occupation=rng.choice(names.LOCAL_JOBS[:6]))
            else:
                r = rng.random()
                f["employment"] = "27" if r < 0.5 else "70" if r < 0.92 else "80"
                if r < 0.5:
                    f["occupation"] = "务农"
        # Labour ability and skills.
        grade = f.get("disability_grade", "")
        if student or age < 16:
            labor = "5"
        elif grade in ("1", "2"):
            labor = "4"
        elif grade or (age >= 60 and chance(0.7)) or f.get("chronic_disease"):
            labor = "5" if age >= 70 and chance(0.6) else "3"
        else:
            labor = "1"
        if labor == "1" and 18 <= age < 60 and chance(0.28):
            labor = "2"
            f["skills"] = "、".join(rng.sample(names.SKILLS, 2 if chance(0.3) else 1))
        f["labor_ability"] = labor
        # Party and league membership, military service, insurance, religion.
        if age >= 18:
            if male and 25 <= age <= 75 and "military_service" not in f and chance(0.035):
                f["military_service"] = "1"
            elif male:
                f.setdefault("military_service", "0")
            p_party = (0.09 if male else 0.035) + (0.3 if f.get("military_service") == "1" else 0.0)
            if chance(p_party):
                f["political_status"] = "02" if chance(0.04) else "01"
        if age >= 14 and age <= 28 and "political_status" not in f and chance(0.7 if student else 0.35):
            f["political_status"] = "03"
        f["medical_insurance"] = chance(0.97)
        f["pension_insurance"] = age >= 16 and not student and chance(0.93 if age >= 60 else 0.78)
        r = rng.random()
        if r < 0.015:
            f["religion"] = "10" if r < 0.01 else "50"
        return NEW_PERSON(f)

    def adult_education(self, birth_year: int) -> str:
        for upper, table in self.education:
            if birth_year < upper:
                return table.pick(self.rng)
        return ""  # pragma: no cover - the last bound is 9999

    # -- one household -------------------------------------------------------------------------

    def household(
        self, ctx: VillageContext
    ) -> tuple[Household, list[Person], list[House], list[EconomyYear]]:
        """One household with members, houses and yearly economy; foreign keys to it are set after saving."""
        rng, chance = self.rng, self.chance
        gi = rng.randrange(len(ctx.groups))
        group = ctx.groups[gi]
        grid = rng.choice(ctx.grids) if ctx.grids else None
        placed = {
            "area_id": group.pk,
            "area_path": group.code,
            "grid_id": grid.pk if grid else None,
            "grid_path": grid.code if grid else "",
        }
        ctx.house_numbers[gi] += 1
        address = f"{ctx.prefix}{ctx.group_labels[gi]}{ctx.house_numbers[gi]}号"
        kind, members = self.plan()
        persons = [self.person(m, address, placed) for m in members]
        living = [p for p in persons if not p.deceased]
        head = persons[0]
        for p in living:
            age = self.today.year - p.birth_date.year
            if p is head:
                wanted = 0.82 if age < 85 else 0.5
            else:
                wanted = 0.45 if 18 <= age <= 70 else 0.15 if age > 70 else 0.0
            if chance(wanted):
                p.phone = self.phone()
        phone = next((p.phone for p in living if p.phone), "")

        # Who needs help, and why.
        causes = []
        if any(p.chronic_disease for p in living):
            causes.append("illness")
        if any(p.disability_category for p in living):
            causes.append("disability")
        if any(p.residence_status == "40" for p in living):
            causes.append("education")
        alone = kind == "alone"
        h: dict[str, Any] = {
            "number": f"{ctx.village.code}{ctx.next_number:0{ctx.width}d}",
            "address": address,
            "household_type": "2" if chance(0.08) else "1",
            "phone": phone,
            "registration_match": head.residence_status == "10",
            "head_name": head.name,
            "member_count": len(living),
            **placed,
            "cultivated_land_mu": Decimal(rng.randint(30, 600)) / 100 if chance(0.95) else Decimal(0),
            "forest_land_mu": Decimal(rng.randint(0, 3000)) / 100 if chance(0.8) else Decimal(0),
        }
        ctx.next_number += 1
        poor = chance(0.05 + 0.07 * ("disability" in causes) + 0.05 * ("illness" in causes) + 0.04 * alone)
        if poor:
            cause_codes = [names.POVERTY_CAUSE_BY_CAUSE[c] for c in causes]
            main = cause_codes[0] if cause_codes else rng.choice(names.OTHER_POVERTY_CAUSES)
            others = [
                c
                for c in dict.fromkeys([*cause_codes[1:], *rng.sample(names.OTHER_POVERTY_CAUSES, 2)])
                if c != main
            ]
            h.update(
                poverty_alleviated=True,
                alleviated_year=self.alleviated_years.pick(rng),
                main_poverty_cause=main,
                other_poverty_causes=others[: rng.randint(0, 2)],
            )
        if chance(0.15 if poor else 0.012 + 0.025 * bool(causes)):
            risk = names.RISK_BY_CAUSE[causes[0]] if causes else rng.choice(names.OTHER_RISKS)
            h.update(
                monitoring_status="monitoring" if chance(0.4) else "cleared",
                risk_type=risk,
                monitoring_type="1" if poor else "2" if chance(0.7) else "3",
            )
        if (
            (alone and head.marital_status == "10" and chance(0.8))
            or (alone and chance(0.01))
            or (kind == "single" and head.disability_grade in ("1", "2"))
        ):
            h["tekun"] = "dispersed" if chance(0.8) else "central"
        elif chance(0.02 + 0.08 * ("disability" in causes) + 0.06 * poor + 0.04 * alone):
            h["dibao"] = "rural"
        if not chance(0.985):
            h.update(water_safe=False, water_difficulty=rng.choice(names.WATER_DIFFICULTIES))
        houses = self.houses(address, placed)
        main_grade = houses[0].safety_grade
        if main_grade == "D" or (main_grade == "C" and chance(0.5)):
            h["housing_secure"] = False
            causes.append("house")
        if not h.get("water_safe", True):
            causes.append("water")
        helped = poor or h.get("monitoring_status") or h.get("dibao") or h.get("tekun")
        if chance(0.9 if helped else 0.12):
            pool = list(causes) + (["elderly"] if alone or kind == "empty_nest" else []) + ["general"]
            picked = dict.fromkeys(rng.choice(pool) for _ in range(2 if chance(0.3) else 1))
            h["difficulties"] = "".join(rng.choice(names.DIFFICULTIES[c]) for c in picked)
        if helped and self.cadre_ids and (poor or h.get("monitoring_status")):
            h["responsible_cadre_id"] = rng.choice(self.cadre_ids)
        household = NEW_HOUSEHOLD(h)
        return household, persons, houses, self.economy(household, living, kind)

    def houses(self, address: str, placed: dict[str, Any]) -> list[House]:
        """The family home, sometimes with the old wooden house (老屋) beside it, lived in or used as a store."""
        rng, chance = self.rng, self.chance
        rows = []
        for i in range(2 if chance(0.05) else 1):
            structure = self.structures.pick(rng) if i == 0 else "5"
            first, last, low, high, _weights = names.STRUCTURE_PROFILE[structure]
            rented = chance(0.015)
            rows.append(
                NEW_HOUSE(
                    dict(
                        address=address if i == 0 else address + "（老屋）",
                        structure=structure,
                        floor_area=Decimal(rng.randint(low * 100, high * 100)) / 100,
                        build_year=rng.randint(first, min(last, self.today.year)),
                        safety_grade=self.safety[structure].pick(rng),
                        use="01" if i == 0 or chance(0.6) else "05",
                        rented_out=rented,
                        tenant=rng.choice(names.TENANTS) if rented else "",
                        **placed,
                    )
                )
            )
        return rows

    def economy(self, household: Household, living: list[Person], kind: str) -> list[EconomyYear]:
        """年度收支 for the last full years, consistent with who works away, pensions and assistance."""
        rng, chance = self.rng, self.chance
        population = max(len(living), 1)
        wage = business = pension = other = 0
        for p in living:
            age = self.today.year - p.birth_date.year
            if p.residence_status == "20":
                wage += rng.randint(32_000, 60_000)
            elif p.employment in ("24", "13"):
                wage += rng.randint(12_000, 36_000)
            elif p.employment == "54":
                business += rng.randint(10_000, 40_000)
            elif p.employment == "27" and age < 65 and p.labor_ability in ("1", "2") and chance(0.6):
                wage += rng.randint(4_000, 12_000)  # odd jobs near home (零工) besides farming
            if age >= 60:
                pension += rng.randint(30_000, 48_000) if p.employment == "80" else rng.randint(1_900, 2_700)
            if p.disability_category:
                other += 1_200
            if age >= 80:
                other += 600
        cultivated, forest = float(household.cultivated_land_mu), float(household.forest_land_mu)
        # Crops by area, plus pigs, poultry or tea for some.
        business += int(cultivated * rng.randint(600, 1_200)) + (
            rng.randint(2_000, 15_000) if chance(0.45) else 0
        )
        # Farmland subsidy, plus support from children living elsewhere (赡养费) for old couples.
        other += int(cultivated * 110) + (
            rng.randint(3_000, 10_000) if kind in ("alone", "empty_nest") else 0
        )
        prop = rng.randint(300, 3_000) if chance(0.2) else 0
        dibao = population * rng.randint(3_000, 5_200) if household.dibao else 0
        tekun = population * rng.randint(9_000, 12_000) if household.tekun else 0
        eco = int(forest * 16)
        if household.monitoring_status == "monitoring":  # still at risk: lower, less stable earnings
            wage, business = wage * 6 // 10, business * 7 // 10
        rows = []
        for i, year in enumerate(self.years):
            growth = 1 - 0.05 * (len(self.years) - 1 - i)
            w, b = (
                int(wage * growth * rng.uniform(0.95, 1.05)),
                int(business * growth * rng.uniform(0.9, 1.1)),
            )
            row = NEW_ECONOMY(
                dict(
                    area_path=household.area_path,
                    year=year,
                    population=population,
                    wage_income=Decimal(w),
                    business_income=Decimal(b),
                    property_income=Decimal(prop),
                    dibao_income=Decimal(dibao),
                    tekun_income=Decimal(tekun),
                    pension_income=Decimal(int(pension * growth)),
                    eco_compensation_income=Decimal(eco),
                    other_transfer_income=Decimal(other),
                    business_expense=Decimal(int(b * rng.uniform(0.3, 0.5))),
                )
            )
            row.compute()
            rows.append(row)
        return rows

    # -- places --------------------------------------------------------------------------------

    def places(self, ctx: VillageContext) -> list[Place]:
        """About one place per 40 households: shops, a clinic, schools, drum towers, workshops …"""
        rng = self.rng
        count = max(1, round(ctx.count / HOUSEHOLDS_PER_PLACE)) if ctx.count else 0
        rows, seen = [], set()
        for i in range(count):
            place_type, suffixes = (
                ("clinic", ("卫生室",)) if i == 0 and count > 1 else self.place_kinds.pick(rng)
            )
            name = ctx.village_short + rng.choice(suffixes)
            if name in seen:
                name = f"{ctx.village_short}{self.surnames.pick(rng)}家{rng.choice(suffixes)}"
            if name in seen:
                name = f"{name}（{i + 1}）"
            seen.add(name)
            gi = rng.randrange(len(ctx.groups))
            grid = rng.choice(ctx.grids) if ctx.grids else None
            hazard, notes = self.hazards.pick(rng)
            boss_sex = "1" if self.chance(0.6) else "2"
            rows.append(
                NEW_PLACE(
                    dict(
                        name=name,
                        place_type=place_type,
                        address=f"{ctx.prefix}{ctx.group_labels[gi]}{rng.randint(1, 120)}号",
                        responsible_person=self.name(
                            self.surnames.pick(rng), boss_sex, rng.randint(1955, 1995)
                        ),
                        phone=self.phone() if self.chance(0.9) else "",
                        hazard_type=hazard,
                        hazard_note=rng.choice(notes),
                        area_id=ctx.groups[gi].pk,
                        area_path=ctx.groups[gi].code,
                        grid_id=grid.pk if grid else None,
                        grid_path=grid.code if grid else "",
                    )
                )
            )
        return rows


def _copy_rows(model: type[models.Model], rows: Sequence[models.Model], *, with_pk: bool = False) -> None:
    """PostgreSQL path: ``COPY … FROM STDIN`` the rows' fields, several times faster than ``INSERT``.

    Values go to psycopg as they are (str, int, bool, date, Decimal, None); JSON fields are wrapped
    as ``Jsonb`` and ``auto_now``/``auto_now_add`` timestamps get the batch's time, as ``save`` would.
    """
    from psycopg.types.json import Jsonb

    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    values_of = attrgetter(*(f.attname for f in fields))
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    now_at = [
        i for i, f in enumerate(fields) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    now = timezone.now()
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            values = list(values_of(row))
            for i in json_at:
                values[i] = Jsonb(values[i])
            for i in now_at:
                values[i] = now
            copy.write_row(values)


def _insert(model: type[models.Model], rows: list[Any], *, need_pk: bool = False) -> None:
    """Write rows in bulk: ``COPY`` on PostgreSQL (ids drawn from the table's sequence), else ``bulk_create``."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=1000)
        if need_pk and rows[0].pk is None:
            raise RuntimeError(
                "The database returned no ids from bulk_create (SQLite >= 3.35 or PostgreSQL needed)."
            )
        return
    if need_pk:
        pk = model._meta.pk
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(rows)],
            )
            for row, (pk_value,) in zip(rows, cursor.fetchall(), strict=True):
                row.pk = pk_value
    _copy_rows(model, rows, with_pk=need_pk)
    for row in rows:  # what bulk_create would leave behind
        row._state.adding, row._state.db = False, connection.alias


def _save_batch(
    households: list[Household],
    pending: list[tuple[list[Person], list[House], list[EconomyYear]]],
    places: list[Place],
    counts: dict[str, int],
) -> None:
    """Write one batch in its own transaction: households first (for their ids), then the rest."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Demo rows can be regenerated: do not wait for the WAL flush at each batch's commit.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        _insert(Household, households, need_pk=True)
        persons, houses, economy = [], [], []
        for household, (members, homes, years) in zip(households, pending, strict=True):
            for row in members:
                row.household_id = household.pk
            for row in homes:
                row.household_id = household.pk
            for row in years:
                row.household_id = household.pk
            persons += members
            houses += homes
            economy += years
        _insert(Person, persons)
        _insert(House, houses)
        _insert(EconomyYear, economy)
        _insert(Place, places)
    counts["households"] += len(households)
    counts["persons"] += len(persons)
    counts["houses"] += len(houses)
    counts["economy"] += len(economy)
    counts["places"] += len(places)


class BatchWriter:
    """Saves batches in order and reports progress.

    On PostgreSQL, outside any transaction, one background thread (with its own connection) saves
    batch N while the caller generates batch N+1, so the database's work overlaps Python's. At most
    one batch is in flight, and its errors surface at the next call. Elsewhere (SQLite, or inside a
    transaction such as a test's) batches are saved inline.
    """

    def __init__(self, progress: Callable[[int], object] | None) -> None:
        self.counts = dict.fromkeys(("households", "persons", "houses", "economy", "places"), 0)
        self.progress = progress
        threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-writer") if threaded else None
        )
        self.in_flight: Future | None = None

    def save(
        self,
        households: list[Household],
        pending: list[tuple[list[Person], list[House], list[EconomyYear]]],
        places: list[Place],
    ) -> None:
        if self.executor is None:
            _save_batch(households, pending, places, self.counts)
            self.report()
            return
        self.wait()
        self.in_flight = self.executor.submit(_save_batch, households, pending, places, self.counts)

    def wait(self) -> None:
        if self.in_flight is not None:
            future, self.in_flight = self.in_flight, None
            future.result()
            self.report()

    def report(self) -> None:
        if self.progress:
            self.progress(self.counts["households"])

    def close(self) -> None:
        if self.executor is None:
            return
        try:
            self.wait()
        finally:
            self.executor.submit(connections.close_all).result()  # runs in the writer thread: its connection
            self.executor.shutdown()


def generate_registry(
    *,
    villages: list[VillageSpec],
    seed: int,
    batch_size: int = 2000,
    progress: Callable[[int], object] | None = None,
    responsible_cadres: list | None = None,
    id_offset: int | None = None,
) -> dict[str, int]:
    """Create demo households, persons, houses, yearly economy (last 3 years) and places.

    ``villages`` lists ``(village, its groups, its grids, number of households to create there)``.
    Households are spread over the village's groups (their ``area``) and, independently, its
    grids. Household numbers continue after the village's highest existing number; ID numbers
    and phone numbers already in the database are skipped, so a second run adds rather than
    collides. ``responsible_cadres`` (users) are assigned to poverty-alleviated and monitored
    households. ``id_offset`` shifts the ID sequence numbers (default: derived from ``seed``).
    Rows are written in bulk, one transaction per ``batch_size`` households: ``bulk_create`` on
    SQLite, ``COPY`` on PostgreSQL (with the next batch generated meanwhile, see
    :class:`BatchWriter`). ``progress(households_done)`` is called after each batch. Returns the
    counts created.
    """
    generator = Generator(seed=seed, responsible_cadres=responsible_cadres, id_offset=id_offset)
    merged: dict[str, VillageSpec] = {}  # a village listed twice gets one numbering
    for village, groups, grids, count in villages:
        previous = merged.get(village.code)
        merged[village.code] = (village, groups, grids, count + (previous[3] if previous else 0))
    writer = BatchWriter(progress)
    households: list[Household] = []
    pending: list[tuple[list[Person], list[House], list[EconomyYear]]] = []
    places: list[Place] = []
    try:
        for village, groups, grids, count in merged.values():
            ctx = VillageContext(village, list(groups), list(grids), count)
            places += generator.places(ctx)
            for _ in range(count):
                household, persons, houses, economy = generator.household(ctx)
                households.append(household)
                pending.append((persons, houses, economy))
                if len(households) >= batch_size:
                    writer.save(households, pending, places)
                    households, pending, places = [], [], []
        if households or places:
            writer.save(households, pending, places)
    finally:
        writer.close()
    return writer.counts
