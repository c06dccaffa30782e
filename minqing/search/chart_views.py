"""The chart endpoint: the same search parameters as the person list, one distribution per request."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import charts
from .filters import PersonSearch


@require_safe
@never_cache
@login_required
def person_chart(request: HttpRequest) -> JsonResponse:
    """``GET /charts/persons/?<search params>&dim=area|age|sex|tag`` → ECharts-ready JSON, scoped to the user."""
    dim = request.GET.get("dim") or "area"
    if dim not in charts.CHARTS:
        return JsonResponse({"error": _("未知的图表类型。")}, status=400)
    filterset = PersonSearch(request.GET, user=request.user)
    return JsonResponse(charts.person_chart(filterset, request.user, dim))
