import sys

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import restricted
from .htmx import render_list
from .models import AuditEvent
from .pagination import paginate
from .queries import capped_count
from .statement_timeout import is_statement_timeout


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
    page = paginate(request, events).with_total(*capped_count(events), _("条"))
    restricted.readable(page.rows, request.user)  # health values only where the reader holds `health`
    return render_list(request, "core/audit_log.html", "core/_audit_rows.html", {"page": page, "verb": verb})


DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database connection (restart, failover) is 503 "try again", anything else 500.

    Rendered without a request context: the context processors would need the database that just failed.
    """
    error = sys.exc_info()[1]
    if is_statement_timeout(error):  # the safety net cut a runaway query: narrow it, don't retry it as is
        return HttpResponse(loader.get_template("503_timeout.html").render(), status=503)
    if isinstance(error, DATABASE_DOWN):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "10"
        return response
    return defaults.server_error(request)
