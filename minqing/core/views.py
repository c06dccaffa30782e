from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .htmx import render_list
from .models import AuditEvent
from .pagination import paginate


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app and its database answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return JsonResponse({"status": "error", "database": str(error.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.visible_to(request.user, "audit")
    verb = request.GET.get("verb", "").strip()
    if verb:
        events = events.filter(verb__startswith=verb)
    page = paginate(request, events)
    return render_list(request, "core/audit_log.html", "core/_audit_rows.html", {"page": page, "verb": verb})
