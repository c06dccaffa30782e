"""The area browser: the user's areas with household and person counts, drilling down to grids."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from minqing.areas.models import Area
from minqing.areas.selectors import root_areas

from ..counts import area_children_with_counts, area_totals


@login_required
def browser(request):
    roots = root_areas(request.user, "view")
    if len(roots) == 1:
        return redirect(roots[0])
    return render(request, "registry/area_browser.html", {"roots": roots})


@login_required
def detail(request, code: str):
    area = get_object_or_404(Area.objects.visible_to(request.user, "view"), code=code)
    visible_codes = {a.code for a in root_areas(request.user, "view")}
    # Breadcrumbs show only the areas the user may open.
    trail = [
        a
        for a in area.ancestors()
        if any(a.code.startswith(c) for c in visible_codes) or request.user.is_superuser
    ]
    context = {
        "area": area,
        "trail": trail,
        "rows": area_children_with_counts(request.user, area),
        "totals": area_totals(request.user, area),
        "grid_members": area.grid_members.all() if area.level == "grid" else [],
    }
    return render(request, "registry/area_detail.html", context)
