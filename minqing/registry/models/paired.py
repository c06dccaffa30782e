"""The one widening of area scoping: a stationed cadre (驻村干部) may change the files of the households
paired with them (结对帮扶), and only those; their village stays read-only to them.

The assistance app keeps ``Household.responsible_cadre`` equal to the cadre of the household's open pairing
(the registry never imports it). The right also needs an active stationed-cadre assignment whose area covers
the household, so a cadre moved elsewhere or deactivated loses it even before the pairing is ended. It adds
to ``change`` only: reveal, health and minors stay with the area rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from minqing.accounts.roles import Role
from minqing.core.scoping import scope_q

if TYPE_CHECKING:
    from minqing.accounts.models import User

#: The actions a pairing grants on the paired household's records.
PAIRED_ACTIONS = frozenset({"change"})


def stationed_prefixes(user: User) -> list[str]:
    """Area paths of the user's active stationed-cadre assignments."""
    return sorted({a.area.code for a in user.active_assignments() if a.role == Role.STATIONED_CADRE})


def paired_q(user: Any, action: str, household_field: str) -> Q | None:
    """Rows of the households paired with ``user`` for ``action`` (None when the pairing grants nothing).

    ``household_field`` is "" for households themselves, else the foreign key to the household: those rows
    match by a subquery of the few paired households, so the area-range part of the filter keeps its index.
    """
    if action not in PAIRED_ACTIONS:
        return None
    mine = paired_households_q(user)
    if mine is None or not household_field:
        return mine
    from .households import Household

    return Q(**{f"{household_field}__in": Household.objects.filter(mine).values("pk")})


def paired_households_q(user: Any) -> Q | None:
    """Households whose 帮扶责任人 is ``user`` inside one of their stationed-cadre areas (None: the user has none)."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "active_assignments"):
        return None
    prefixes = stationed_prefixes(user)
    if not prefixes:
        return None
    return Q(responsible_cadre_id=user.pk) & scope_q(prefixes, path_field="area_path", grid_field="grid_path")


class PairedScopeMixin:
    """For querysets of household records: ``visible_to(user, "change")`` adds the user's paired households."""

    household_field = "household"

    def extra_scope(self, user: Any, action: str) -> Q | None:
        return paired_q(user, action, self.household_field)
