"""Readiness and metrics endpoints: no login, never cached, nothing in them but pass/fail and numbers."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from . import checks, metrics


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every check passes; 503 naming the failed checks. Each check's figures are in the body."""
    results = checks.run_checks()
    failed = [name for name, result in results.items() if not result["ok"]]
    body = {"status": "fail" if failed else "ok", "failed": failed, "checks": results}
    return JsonResponse(body, status=503 if failed else 200)


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition text, for an allowed address or the bearer token; 404 for anyone else."""
    if not metrics.may_scrape(request):
        raise Http404
    return HttpResponse(metrics.scrape(), content_type=CONTENT_TYPE_LATEST)
