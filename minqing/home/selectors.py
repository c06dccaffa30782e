"""What the home page (我的工作台) shows each role: bounded reads, whatever the size of the scope.

- users who read files (``view``): their areas, household and person counts (capped), key groups with
  their numbers (the per-village ``TagCount`` rows for whole villages; health groups only for users who
  hold ``health`` over their whole scope) and the ten files changed last;
- the service desk (``lookup`` only): the caller box first, then the counts of its lookup area;
- department staff: their department and area, and what they can open;
- residents: their own household's basic card when the account is linked to a member, else what to ask
  the village for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from minqing.accounts.roles import Role
from minqing.areas.models import Area
from minqing.areas.selectors import root_areas
from minqing.core.queries import capped_count
from minqing.core.scoping import ALL
from minqing.registry import lookup as lookups
from minqing.registry.models import Household, Person
from minqing.registry.selectors import ROW_FIELDS, HouseholdRow, label_household_rows
from minqing.search.selectors import GroupCount, key_groups
from minqing.tags.privacy import is_health_tag

RECENT = 10


@dataclass(frozen=True)
class Count:
    n: int
    capped: bool


@dataclass
class Home:
    """The home page's content for one user; ``mode`` picks the layout (work, desk, department, resident)."""

    mode: str
    areas: list[Area] = field(default_factory=list)
    households: Count | None = None
    persons: Count | None = None
    groups: list[GroupCount] = field(default_factory=list)
    recent: list[HouseholdRow] = field(default_factory=list)
    departments: list[Any] = field(default_factory=list)
    household: Household | None = None
    members: list[lookups.MemberLine] = field(default_factory=list)


def area_counts(user: Any, action: str) -> tuple[Count, Count]:
    """Households and living persons in the user's scope, each counted up to ``core.queries.CAP``."""
    households = capped_count(Household.objects.visible_to(user, action).active())
    persons = capped_count(Person.objects.visible_to(user, action).living())
    return Count(*households), Count(*persons)


def health_everywhere(user: Any) -> bool:
    """Whether the user holds ``health`` wherever it holds ``view``: only then are health groups counted."""
    health, view = user.scope_prefixes("health"), user.scope_prefixes("view")
    if health is ALL:
        return True
    if view is ALL:
        return False
    return all(any(path.startswith(prefix) for prefix in health) for path in view)


def home_groups(user: Any) -> list[GroupCount]:
    groups = key_groups(user)
    if health_everywhere(user):
        return groups
    return [g for g in groups if not is_health_tag(g.tag)]


def recent_files(user: Any) -> list[HouseholdRow]:
    """The households whose files changed last in the view scope (two queries)."""
    rows = list(
        Household.objects.visible_to(user, "view").order_by("-updated_at", "-id").values(*ROW_FIELDS)[:RECENT]
    )
    return label_household_rows(rows) if rows else []


def home_for(user: Any) -> Home:
    if user.can("view"):
        households, persons = area_counts(user, "view")
        return Home(
            "work",
            areas=root_areas(user, "view"),
            households=households,
            persons=persons,
            groups=home_groups(user),
            recent=recent_files(user),
        )
    if user.can("lookup"):
        households, persons = area_counts(user, "lookup")
        return Home("desk", areas=root_areas(user, "lookup"), households=households, persons=persons)
    if user.has_role(Role.DEPARTMENT_STAFF):
        staff = [a for a in user.active_assignments() if a.role == Role.DEPARTMENT_STAFF]
        return Home("department", departments=staff)
    if user.has_role(Role.RESIDENT):
        household = lookups.resident_household(user)
        members = lookups.member_lines(household, user) if household is not None else []
        return Home("resident", household=household, members=members)
    return Home("none")
