"""The project's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.urls import path

from minqing.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


def database_down(request):
    raise OperationalError("server closed the connection unexpectedly")


def slow(request):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(2)")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/database-down/", database_down),
    path("test-errors/slow/", slow),
    *project_urlpatterns,
]
handler500 = "minqing.core.views.server_error"
