"""The one widening of area scoping: a cadre paired with a household (结对帮扶, 帮扶责任人) gains rights on its
files that their role does not give them by area.

- A stationed cadre (驻村干部) reads and visits their whole village by role; the pairing adds ``change`` on the
  paired households, and only those: the village stays read-only to them.
- A department official (部门干部, ``department_staff``) holds no area right by role; the pairing gives the
  paired households' files to read, look up, reveal (audited, as everywhere), change and visit — nothing else
  of the village, and never health details nor minors' identifiers (those stay with the area rules).

The assistance app keeps ``Household.responsible_cadre`` equal to the cadre of the household's open pairing
(the registry never imports it). The right also needs an active assignment of a pairing role whose area
covers the household, so a cadre moved elsewhere or deactivated loses it even before the pairing is ended.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from minqing.accounts.roles import Role
from minqing.core.scoping import scope_q

#: What an open pairing grants on the paired household's records, by the cadre's role.
PAIRED_ACTIONS: dict[str, frozenset[str]] = {
    Role.STATIONED_CADRE: frozenset({"change"}),
    Role.DEPARTMENT_STAFF: frozenset({"view", "lookup", "reveal", "change", "visit"}),
}


def pairing_prefixes(user: Any, action: str = "change") -> list[str]:
    """Area paths of the user's active assignments whose role's pairings grant ``action``."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "active_assignments"):
        return []
    return sorted(
        {a.area.code for a in user.active_assignments() if action in PAIRED_ACTIONS.get(a.role, frozenset())}
    )


def paired_q(user: Any, action: str, household_field: str) -> Q | None:
    """Rows of the households paired with ``user`` for ``action`` (None when the pairing grants nothing).

    ``household_field`` is "" for households themselves, else the foreign key to the household: those rows
    match by a subquery of the few paired households, so the area-range part of the filter keeps its index.
    """
    mine = paired_households_q(user, action)
    if mine is None or not household_field:
        return mine
    from .households import Household

    return Q(**{f"{household_field}__in": Household.objects.filter(mine).values("pk")})


def paired_households_q(user: Any, action: str = "change") -> Q | None:
    """Households whose 帮扶责任人 is ``user`` inside an area of theirs whose role's pairings grant ``action``
    (None: no such area)."""
    prefixes = pairing_prefixes(user, action)
    if not prefixes:
        return None
    return Q(responsible_cadre_id=user.pk) & scope_q(prefixes, path_field="area_path", grid_field="grid_path")


def pairing_grants(user: Any, action: str) -> bool:
    """Whether ``user`` has ``action`` on some household through a pairing alone (menus and page gates of
    roles without the action by area: a department official paired with households)."""
    mine = paired_households_q(user, action)
    if mine is None:
        return False
    from .households import Household

    cache = user.__dict__.setdefault("_pairing_grants", {})
    if action not in cache:
        cache[action] = Household.objects.filter(mine).exists()
    return bool(cache[action])


class PairedScopeMixin:
    """For querysets of household records: ``visible_to(user, action)`` adds the user's paired households for
    the actions their pairings grant."""

    household_field = "household"

    def extra_scope(self, user: Any, action: str) -> Q | None:
        return paired_q(user, action, self.household_field)
