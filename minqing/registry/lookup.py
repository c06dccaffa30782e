"""Hotline look-ups (the ``lookup`` action): find a caller, show the basic household card.

A service desk operator holds ``lookup`` only: basic, masked information (name, address, masked phone),
never ID numbers, health, economy, custom fields, attachments or history. Phones and ID numbers are
found by exact value through the blind index of ``EncryptedCharField``; names by prefix, narrowed to a
village when the scope is wider than one. Every look-up is audited, with the searched number masked.

The home page's caller box, the ``/lookup/`` pages and ``GET /api/v1/lookup/`` all read from here.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.accounts.roles import Role
from minqing.areas.models import VILLAGE_LENGTH, Area, Level
from minqing.core import audit, restricted
from minqing.core.idnumber import IdNumberError, mask_id_number, mask_phone, normalize_id_number
from minqing.core.phone import normalize_phone
from minqing.core.scoping import scope_q, scope_root, under

from .models import Household, Person
from .models.households import MINORS

if TYPE_CHECKING:
    from minqing.accounts.models import User

LOOKUP = "lookup"
#: The audit verb of a look-up.
LOOKUP_VERB = "lookup"
#: At most this many matches are kept from one look-up: a caller is one household, not a list.
CAP = 200
#: Households on one page of results.
PAGE_SIZE = 20
MIN_NAME = 2
MAX_NAME = 20
#: Villages a village name may match (a short name like "新" would match many).
MAX_VILLAGES = 10

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—.()（）]")
_NUMBERISH = re.compile(r"^\+?[\dXx]+$")
_ID = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")
_HAS_DIGIT = re.compile(r"\d")
#: What the result list and the card read of a household (and its area's name).
CARD_HOUSEHOLD_FIELDS = (
    "id",
    "number",
    "address",
    "head_name",
    "member_count",
    "phone",
    "area_path",
    "area",
    "area__name",
    "area__level",
    "area__parent",
    "area__parent__name",
)


AUDIT_KINDS = {"phone": "电话", "id": "身份证号", "name": "姓名"}


class LookupRefused(ValueError):
    """The look-up cannot be run as typed; ``message`` says in Chinese what to type instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class LookupTerm:
    """What was asked: ``kind`` is phone, id or name; ``values`` the stored forms to look for."""

    kind: str
    values: tuple[str, ...]
    #: How the term is shown and audited: phones and ID numbers masked, names as typed.
    shown: str
    village: str = ""

    @property
    def kind_label(self) -> str:
        return {"phone": _("电话"), "id": _("身份证号"), "name": _("姓名")}[self.kind]


def _phone_forms(raw: str) -> tuple[str, ...]:
    """The stored form every save writes (``core.phone.normalize_phone``: ``0856-1234567``), and the same
    digits without hyphens as rows saved before that may hold them."""
    normal = normalize_phone(raw) or raw
    return tuple(dict.fromkeys((normal, normal.replace("-", ""))))


def parse_term(raw: str, village: str = "") -> LookupTerm:
    """Read the caller box. Raises ``LookupRefused`` with a Chinese message for input that cannot be a
    phone number, an ID number or a name."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    village = unicodedata.normalize("NFKC", village or "").strip()
    if not text:
        raise LookupRefused(_("请输入来电号码、身份证号码或姓名。"))
    compact = _SEPARATORS.sub("", text)
    if _NUMBERISH.match(compact):
        for prefix in ("+86", "0086", "86"):  # a country code, stripped only when a whole mobile follows
            if compact.startswith(prefix) and _MOBILE.match(compact[len(prefix) :]):
                compact = compact[len(prefix) :]
                break
        if _ID.match(compact):
            try:
                number = normalize_id_number(compact)
            except IdNumberError as error:
                reason = str(error.args[0])
                raise LookupRefused(_("身份证号码有误：%(reason)s") % {"reason": reason}) from error
            return LookupTerm("id", (number,), mask_id_number(number))
        if _MOBILE.match(compact) or _LANDLINE.match(compact):
            return LookupTerm("phone", _phone_forms(compact), mask_phone(compact))
        if compact.isdigit() and 7 <= len(compact) <= 8:
            raise LookupRefused(_("固定电话请带区号输入，例如 0856-1234567。"))
        raise LookupRefused(_("号码有误：请输入11位手机号、带区号的固定电话或18位身份证号码。"))
    if _HAS_DIGIT.search(text):
        raise LookupRefused(_("号码有误：请输入11位手机号、带区号的固定电话或18位身份证号码。"))
    name = "".join(text.split())
    if len(name) < MIN_NAME:
        raise LookupRefused(_("按姓名查找时请至少输入两个字。"))
    if len(name) > MAX_NAME:
        raise LookupRefused(_("姓名过长，请检查后重新输入。"))
    if len(village) > MAX_NAME:
        raise LookupRefused(_("村（社区）名称过长，请检查后重新输入。"))
    return LookupTerm("name", (name,), name, village)


@dataclass
class LookupResult:
    """The households found (a queryset to page) and, per household, which members matched."""

    term: LookupTerm
    households: QuerySet[Household]
    matches: dict[int, list[str]] = field(default_factory=dict)
    found: int = 0
    capped: bool = False


def needs_village(user: User) -> bool:
    """A name alone is enough inside one village; a wider scope must name the village too."""
    root = scope_root(user, LOOKUP)
    return len(root) < VILLAGE_LENGTH


def _village_q(user: User, village: str) -> Q:
    codes = list(
        Area.objects.visible_to(user, LOOKUP)
        .filter(level=Level.VILLAGE, name__contains=village)
        .order_by("code")
        .values_list("code", flat=True)[: MAX_VILLAGES + 1]
    )
    if not codes:
        raise LookupRefused(
            _("在您的查询范围内没有找到名称含“%(village)s”的村（社区），请检查村名。") % {"village": village}
        )
    if len(codes) > MAX_VILLAGES:
        raise LookupRefused(_("符合“%(village)s”的村（社区）太多，请输入完整村名。") % {"village": village})
    return scope_q(codes, path_field="area_path", grid_field=None)


def _matched_persons(user: User, term: LookupTerm) -> QuerySet[Person]:
    persons = Person.objects.visible_to(user, LOOKUP)
    if term.kind == "phone":
        return persons.filter(phone__in=term.values)
    if term.kind == "id":
        return persons.filter(id_number=term.values[0])
    if term.village:
        persons = persons.filter(_village_q(user, term.village))
    elif needs_village(user):
        raise LookupRefused(_("按姓名查找时请同时填写村（社区）名称。"))
    return persons.filter(name__startswith=term.values[0])


def lookup_find(*, user: User, term: LookupTerm) -> LookupResult:
    """The households in the user's lookup scope that match ``term``: at most ``CAP`` matches are read.

    Two or three index lookups, then the households by id (paged by the caller).
    """
    hits = list(
        _matched_persons(user, term)
        .order_by("area_path", "household_id", "relation", "id")
        .values_list("household_id", "name")[: CAP + 1]
    )
    capped = len(hits) > CAP
    hits = hits[:CAP]
    matches: dict[int, list[str]] = {}
    for household_id, name in hits:
        matches.setdefault(household_id, []).append(name)
    ids = set(matches)
    if term.kind == "phone":  # the household's own contact number (often the head's)
        ids |= set(
            Household.objects.visible_to(user, LOOKUP)
            .filter(phone__in=term.values)
            .values_list("pk", flat=True)[:CAP]
        )
    households = (
        Household.objects.visible_to(user, LOOKUP)
        .filter(pk__in=sorted(ids))
        .select_related("area__parent")
        .only(*CARD_HOUSEHOLD_FIELDS)
        .order_by("area_path", "number", "id")
    )
    return LookupResult(term, households, matches, found=len(ids), capped=capped)


def lookup_record(*, actor: User, term: LookupTerm, found: int) -> None:
    """Audit one look-up. Phones and ID numbers are stored masked: the log is read more widely."""
    # The audit row keeps Chinese whatever the operator's language: the log is one record for everyone.
    kind = AUDIT_KINDS[term.kind]
    changes: dict[str, Any] = {"方式": kind, "查询内容": term.shown, "结果数": found}
    if term.village:
        changes["村（社区）"] = term.village
    with transaction.atomic():
        audit.record(
            actor=actor,
            verb=LOOKUP_VERB,
            area_path=scope_root(actor, LOOKUP),
            changes=changes,
            label=f"{kind}：{term.shown}",
        )


def lookup(*, user: User, raw: str, village: str = "") -> LookupResult:
    """Parse, find and audit: what the pages and the API call. Raises ``LookupRefused``."""
    term = parse_term(raw, village)
    result = lookup_find(user=user, term=term)
    lookup_record(actor=user, term=term, found=result.found)
    return result


# --------------------------------------------------------------------------------------- the card


@dataclass(frozen=True)
class MemberLine:
    """One member on the basic card: no ID number, no health, nothing beyond who lives there."""

    name: str
    relation: str
    sex: str
    age: int | None
    phone_masked: str
    deceased: bool


CARD_MEMBER_FIELDS = (
    "id",
    "household_id",
    "area_path",
    "grid_path",
    "name",
    "relation",
    "sex",
    "birth_date",
    "phone",
    "deceased",
)


def card_households(user: User) -> QuerySet[Household]:
    """Households the user may see the basic card of, with what the card shows (two queries)."""
    members = Person.objects.only(*CARD_MEMBER_FIELDS).order_by("deceased", "relation", "birth_date", "id")
    return (
        Household.objects.visible_to(user, LOOKUP)
        .select_related("area__parent")
        .only(*CARD_HOUSEHOLD_FIELDS)
        .prefetch_related(Prefetch("members", queryset=members))
    )


def household_card(user: User, pk: int) -> Household:
    """The basic card's household; 404 outside the user's lookup scope (as every out-of-scope page)."""
    return get_object_or_404(card_households(user), pk=pk)


def member_lines(household: Household, user: User, today: datetime.date | None = None) -> list[MemberLine]:
    """The card's members; a minor's phone (``minors`` class, ``core.restricted``) only for readers with
    that right, as on every other page."""
    day = today or timezone.localdate()
    return [
        MemberLine(
            name=p.name,
            relation=p.get_relation_display(),
            sex=p.get_sex_display(),
            age=None if p.deceased else p.age_on(day),
            phone_masked=mask_phone(p.phone) if restricted.may_see(user, MINORS, p) else "",
            deceased=p.deceased,
        )
        for p in household.members.all()
    ]


def resident_household(user: User) -> Household | None:
    """The household a resident account belongs to: the member with the account's phone number, inside
    the area of the resident's assignment (the demo links them so). None when nothing matches."""
    phone = (getattr(user, "phone", "") or "").strip()
    areas = [a.area.code for a in user.active_assignments() if a.role == Role.RESIDENT]
    if not phone or not areas:
        return None
    forms = _phone_forms(phone)
    condition = Q(pk__in=[])
    for code in areas:
        condition |= under("area_path", code)
    household_id = (
        Person.objects.filter(condition, phone__in=forms, deceased=False)
        .order_by("id")
        .values_list("household_id", flat=True)
        .first()
    )
    if household_id is None:
        return None
    members = Person.objects.only(*CARD_MEMBER_FIELDS).order_by("deceased", "relation", "birth_date", "id")
    return (
        Household.objects.select_related("area__parent")
        .only(*CARD_HOUSEHOLD_FIELDS)
        .prefetch_related(Prefetch("members", queryset=members))
        .filter(pk=household_id)
        .first()
    )
