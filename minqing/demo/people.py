"""People for the demo generator: who a member is (:class:`Member`) and every field of a person.

:class:`People` holds the seeded ``Random`` and the counters behind unique ID and phone numbers;
:class:`minqing.demo.households.Households` builds on it. The generator only produces values the
forms would accept (no ``full_clean`` per row): valid, unique 18-digit ID numbers whose birth date
and sex digit match the person and whose address code is the one issued at the person's place and
time of birth (:mod:`minqing.demo.regional`: 522223 for Yuping before 2011), no future dates, death
after birth, and code values from :mod:`minqing.core.codes`. School stages and self-care are drawn
in :mod:`minqing.demo.schools`.
"""

from __future__ import annotations

import datetime
from random import Random
from typing import Any

from django.utils import timezone

from minqing.core import codes
from minqing.core.idnumber import make_id_number
from minqing.registry.models import Household, Person, Place

from . import names, regional, schools, tables
from .rows import NEW_PERSON, Weighted

#: Today's county address code (玉屏侗族自治县); numbers carry the code of where and when they were issued.
ADDRESS_CODE = "520622"
# Heads, spouses and children-in-law (any GB/T 4761 sub-code) are not drawn as students.
NOT_AT_SCHOOL_RELATIONS = (
    codes.RELATION_HEAD_CODES | codes.RELATION_SPOUSE_CODES | codes.RELATION_CHILD_IN_LAW_CODES
)
#: Sequence slots per birth date and sex (sequence 002–999, parity = sex).
ID_SLOTS = 499


class Member:
    """One planned household member before its fields are drawn.

    ``father`` and ``mother`` are indexes of other members of the same household (parent links);
    ``died`` is how many days ago a deceased member died; ``inflow`` the 流入原因 of someone living here
    whose household registration is elsewhere; ``away_with`` the city a child or an elder lives in with
    a migrant relative; ``cannot_guard`` a parent's 不能履行监护职责原因.
    """

    __slots__ = (
        "age",
        "away",
        "away_with",
        "cannot_guard",
        "deceased",
        "died",
        "ethnicity",
        "father",
        "inflow",
        "marital",
        "mother",
        "native",
        "relation",
        "sex",
        "surname",
    )

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
        self.father: int | None = None
        self.mother: int | None = None
        self.died = 0
        self.inflow = self.away_with = self.cannot_guard = ""


class Home:
    """Where a household is: its village's code and names (for 区划代码 and school names)."""

    __slots__ = ("township", "village", "village_code")

    def __init__(self, village_code: str, township: str, village: str) -> None:
        self.village_code, self.township, self.village = village_code, township, village


class People:
    """Draws persons from one seeded ``Random``; numbers already in the database are skipped."""

    def __init__(self, *, seed: int, id_offset: int | None) -> None:
        self.rng = rng = Random(seed)
        self.today = timezone.localdate()
        self.today_ord = self.today.toordinal()
        self.id_base = rng.randrange(ID_SLOTS) if id_offset is None else id_offset % ID_SLOTS
        self.id_counter: dict[int, int] = {}
        self.phone_counter = 0
        self.phone_offset = rng.randrange(10**8)
        # Numbers already in the database (earlier runs) are skipped, not collided with.
        self.taken_ids = set(
            n for n in Person.objects.exclude(id_number=None).values_list("id_number", flat=True) if n
        )
        self.taken_phones = set(Person.objects.exclude(phone="").values_list("phone", flat=True))
        self.taken_phones.update(Household.objects.exclude(phone="").values_list("phone", flat=True))
        self.taken_phones.update(Place.objects.exclude(phone="").values_list("phone", flat=True))
        self.surnames = Weighted(names.SURNAMES)
        self.ethnicities = Weighted(names.ETHNICITIES)
        self.natives = Weighted(names.NATIVE_PLACES)
        self.destinations = Weighted([((p, loc), w) for p, loc, w in tables.DESTINATIONS])
        self.chronic = Weighted(tables.CHRONIC_WEIGHTS)
        self.disability_categories = Weighted(tables.DISABILITY_CATEGORIES)
        self.disability_grades = Weighted(tables.DISABILITY_GRADES)
        self.education = [(year, Weighted(pairs)) for year, pairs in tables.EDUCATION_BY_COHORT]
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

    def id_number(self, birth_ord: int, male: bool, code: str = ADDRESS_CODE) -> tuple[str, int]:
        """A unique number for a birth date and sex under the address ``code``; a full date moves the
        birth one day earlier. The sequence counter is shared by all codes, so numbers stay unique."""
        while True:
            key = birth_ord * 2 + male
            k = self.id_counter.get(key, 0)
            if k >= ID_SLOTS:
                birth_ord -= 1
                continue
            self.id_counter[key] = k + 1
            seq = 2 * (1 + (self.id_base + k) % ID_SLOTS) + male
            number = make_id_number(code, datetime.date.fromordinal(birth_ord), seq)
            if number not in self.taken_ids:
                return number, birth_ord

    def phone(self) -> str:
        """An 11-digit mobile number; the last eight digits are a bijection of a counter, so unique."""
        while True:
            n = self.phone_counter
            self.phone_counter += 1
            tail = (n * 7_654_321 + self.phone_offset) % 10**8
            number = f"{tables.MOBILE_PREFIXES[(n * 7 + tail) % len(tables.MOBILE_PREFIXES)]}{tail:08d}"
            if number not in self.taken_phones:
                return number

    # -- one person ----------------------------------------------------------------------------

    def address_code(self, native: str, birth_year: int) -> str:
        """The address code of an ID number issued to someone from ``native`` born in ``birth_year``."""
        eras = regional.ORIGIN_CODES.get(native, regional.YUPING_CODES)
        if eras is regional.YUPING_CODES and birth_year < 2011 and self.chance(regional.LATE_REGISTERED):
            return regional.YUPING_CODES[-1][1]
        return regional.address_code(eras, birth_year)

    def person(self, m: Member, address: str, placed: dict[str, Any], home: Home) -> Person:
        """Draw every field of one member; the result passes the same checks as a typed-in person."""
        rng, chance, age = self.rng, self.chance, max(m.age, 0)
        male = m.sex == "1"
        birth_ord = min(self.today_ord - int((age + rng.random()) * 365.2425), self.today_ord - 1)
        code = self.address_code(m.native, datetime.date.fromordinal(birth_ord).year)
        id_number: str | None = None
        if age == 0 and m.relation not in codes.RELATION_HEAD_CODES and chance(0.25):
            pass  # a baby whose number is not applied for yet (未申领)
        else:
            id_number, birth_ord = self.id_number(birth_ord, male, code)
        birth = datetime.date.fromordinal(birth_ord)
        name = self.name(m.surname, m.sex, birth.year)
        f: dict[str, Any] = {
            "relation": m.relation,
            "id_number": id_number,
            "no_id_reason": "" if id_number else "1",
            "registered_area": home.village_code,
            "current_area": home.village_code,
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
                disability_cert_no=id_number + category + grade if id_number else "",
            )
        elif chance(0.02 if age < 50 else 0.10 if age < 60 else 0.17 if age < 70 else 0.22):
            code = self.chronic.pick(rng)
            severe = code in ("32", "41")
            f.update(health=code, chronic_disease=rng.choice(tables.CHRONIC_DISEASES[code]))
            f["serious_illness"] = code == "41" or (code in ("35", "38") and chance(0.35))
        elif age >= 70 and chance(0.3):
            f["health"] = "20"
        # Schooling, service, work away or at home.
        student = False
        if m.deceased:
            died = m.died or rng.randint(30, 1000)
            f.update(
                deceased=True, death_date=datetime.date.fromordinal(max(birth_ord, self.today_ord - died))
            )
            if age >= 16:
                f["education"] = self.adult_education(birth.year)
        elif age < 16:
            student = schools.young(self, f, age, home)
        elif (
            age <= 22
            and m.relation not in NOT_AT_SCHOOL_RELATIONS
            and not severe
            and chance(0.75 if age < 19 else 0.45)
        ):
            student = True
            schools.older(self, f, age)
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
                    occupation=rng.choice(tables.MIGRANT_JOBS),
                    workplace=place + rng.choice(tables.MIGRANT_WORKPLACES),
                    current_address=place,
                    current_area=regional.DESTINATION_AREA.get(place, ""),
                    registration_match=False,
                )
            elif age < 65:
                r = rng.random()
                if r < 0.16 and not severe:
                    workplace, location = rng.choice(tables.LOCAL_WORKPLACES)
                    f.update(
                        employment="24",
                        workplace=workplace,
                        work_location=location,
                        occupation=rng.choice(tables.LOCAL_JOBS[6:]),
                    )
                elif r < 0.24:
                    f.update(employment="54", occupation="个体经营")
                elif r < 0.26:
                    f.update(employment="13", occupation="乡村教师" if chance(0.6) else "乡村医生")
                elif r < 0.31 or severe:
                    f["employment"] = "70"
                else:
                    f.update(employment="27", occupation=rng.choice(tables.LOCAL_JOBS[:6]))
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
            f["skills"] = "、".join(rng.sample(tables.SKILLS, 2 if chance(0.3) else 1))
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
        f["medical_insurance"] = chance(0.993)
        if age >= 60 and not m.deceased:
            f["self_care"] = schools.self_care(self, age, grade, f.get("health", ""))
        if m.cannot_guard:
            f["cannot_guard_reason"] = m.cannot_guard
        if m.inflow:
            f.update(
                residence_status="30",
                inflow_reason=m.inflow,
                registered_address=regional.ORIGIN_ADDRESS.get(m.native, m.native),
                registered_area=regional.ORIGIN_AREA.get(m.native, ""),
                registration_match=False,
            )
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
