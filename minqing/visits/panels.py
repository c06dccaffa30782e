"""The visit timeline on the household page, added through the registry's ``household_panels`` signal.

The page has found the household through ``visible_to(user)``. The panel adds no query to it: the "记走访"
button is decided in memory from the user's (memoised) ``visit`` scope, and the timeline itself is loaded
by htmx from ``visits:household`` once the page shows.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string

from minqing.core.scoping import path_allowed
from minqing.registry.models import Household
from minqing.registry.signals import household_panels


@receiver(household_panels, dispatch_uid="visits.household_panel")
def household_visit_panel(sender: type, *, request: HttpRequest, household: Household, **kwargs: Any) -> str:
    user = request.user
    if not user.is_authenticated:
        return ""
    prefixes = user.scope_prefixes("visit")
    context = {
        "household": household,
        "can_visit": path_allowed(prefixes, household.area_path, household.grid_path),
    }
    return render_to_string("visits/_panel.html", context, request=request)
