"""The 结对帮扶 panel of the household page, added through the registry's ``household_panels`` signal.

The page has already found the household through ``visible_to(user)`` with its 帮扶责任人 and the user's
reveal right; the panel reads the pairings (1 query) and the plans with their measures; whether the user may
pair and plan is decided in memory from their scopes (the services check again).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string

from minqing.core.idnumber import mask_phone
from minqing.core.scoping import path_allowed
from minqing.registry.models import Household
from minqing.registry.signals import household_panels

from . import selectors


def panel_context(user: Any, household: Household) -> dict[str, Any]:
    pairings = selectors.household_pairings(user, household)
    current = next((p for p in pairings if p.is_open), None)
    plans = selectors.household_plans(user, household)
    # Rights decided in memory from the user's memoised scopes: no query added to the household page.
    may_assist = path_allowed(user.scope_prefixes("assist"), household.area_path, household.grid_path)
    paired_to_me = (
        current is not None
        and current.cadre_id == user.pk
        and selectors.is_paired_cadre_over(user, household)
    )
    can_reveal = getattr(household, "user_can_reveal", None)
    if can_reveal is None:
        can_reveal = Household.objects.visible_to(user, "reveal").filter(pk=household.pk).exists()
    return {
        "household": household,
        "current": current,
        "cadre_phone": mask_phone(current.cadre.phone) if current else "",
        "history": [p for p in pairings if not p.is_open],
        "plans": plans,
        "chain": selectors.risk_chain(household, plans),
        "can_pair": may_assist,
        "can_plan": may_assist or paired_to_me,
        "can_reveal": can_reveal,
    }


@receiver(household_panels, dispatch_uid="assistance.household_panel")
def household_assistance_panel(
    sender: type, *, request: HttpRequest, household: Household, **kwargs: Any
) -> str:
    return render_to_string("assistance/_panel.html", panel_context(request.user, household), request=request)
