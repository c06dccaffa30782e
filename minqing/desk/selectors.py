"""The desk's screen pop: who is calling (the masked caller card), the household's paired cadre, its open
tickets and recent visits — each read through the operator's own scope, never a wider one.

The service desk holds ``lookup`` (basic, masked information) and ``dispatch`` (tickets) over the county:
the card and the paired cadre's name come through ``lookup``, the tickets through the tickets' ``view``
(which the desk's ``dispatch`` opens), and the recent visits through ``lookup`` too — their date, kind and
visitor only, never what was found or done (the page and the API show nothing else of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from minqing.assistance.models import Pairing
from minqing.registry import lookup as lookups
from minqing.registry.lookup import CARD_MEMBER_FIELDS, LOOKUP, LookupRefused, LookupTerm, MemberLine
from minqing.registry.models import Household, Person
from minqing.tickets.models import Ticket
from minqing.visits.models import Visit

if TYPE_CHECKING:
    from minqing.accounts.models import User

#: Households shown for one number (a number is one household, seldom a few).
MAX_HOUSEHOLDS = 5
#: Open tickets and recent visits shown per household.
MAX_TICKETS = 10
MAX_VISITS = 5


@dataclass
class CallerHousehold:
    """One household the calling number belongs to, with what the operator needs during the call."""

    household: Household
    members: list[MemberLine]
    matched: list[str]
    cadre: Any = None
    open_tickets: list[Ticket] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)


@dataclass
class Caller:
    term: LookupTerm
    households: list[CallerHousehold]
    found: int


def parse_phone(raw: str) -> LookupTerm:
    term = lookups.parse_term(raw)
    if term.kind != "phone":
        raise LookupRefused(_("请输入11位手机号或带区号的固定电话。"))
    return term


def caller(*, user: User, raw: str) -> Caller:
    """Look the number up (audited, as every look-up) and gather the screen pop. Raises ``LookupRefused``."""
    term = parse_phone(raw)
    result = lookups.lookup_find(user=user, term=term)
    lookups.lookup_record(actor=user, term=term, found=result.found)
    members = Person.objects.only(*CARD_MEMBER_FIELDS).order_by("deceased", "relation", "birth_date", "id")
    households = list(
        result.households.prefetch_related(Prefetch("members", queryset=members))[:MAX_HOUSEHOLDS]
    )
    ids = [h.pk for h in households]
    cadres = {
        p.household_id: p.cadre
        for p in Pairing.objects.visible_to(user, LOOKUP)
        .open()
        .filter(household_id__in=ids)
        .select_related("cadre")
        .only("id", "household_id", "cadre__id", "cadre__username", "cadre__first_name", "cadre__last_name")
    }
    tickets: dict[int, list[Ticket]] = {}
    for ticket in (
        Ticket.objects.visible_to(user, "view")
        .open()
        .filter(household_id__in=ids)
        .select_related("category")
        .order_by("due_at", "id")[: MAX_TICKETS * MAX_HOUSEHOLDS]
    ):
        tickets.setdefault(ticket.household_id or 0, []).append(ticket)
    visits: dict[int, list[Visit]] = {}
    for visit in (
        Visit.objects.visible_to(user, LOOKUP)
        .filter(household_id__in=ids)
        .current()
        .only("id", "household_id", "kind", "author_name", "created_at")
        .order_by("-created_at", "-id")[: MAX_VISITS * MAX_HOUSEHOLDS]
    ):
        visits.setdefault(visit.household_id, []).append(visit)
    return Caller(
        term=term,
        found=result.found,
        households=[
            CallerHousehold(
                household=h,
                members=lookups.member_lines(h, user),
                matched=result.matches.get(h.pk, []),
                cadre=cadres.get(h.pk),
                open_tickets=tickets.get(h.pk, [])[:MAX_TICKETS],
                visits=visits.get(h.pk, [])[:MAX_VISITS],
            )
            for h in households
        ],
    )
