from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from minqing.accounts.forms import AdminLoginForm
from minqing.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("minqing.ops.urls")),
    path("accounts/", include("minqing.accounts.urls")),
    path("areas/", include("minqing.registry.area_urls")),
    path("tags/", include("minqing.tags.urls")),
    path("", include("minqing.registry.urls")),
    path("", include("minqing.search.urls")),
    path("exports/", include("minqing.exports.urls")),
    path("jobs/", include("minqing.jobs.urls")),
    path("visits/", include("minqing.visits.urls")),
    path("tickets/", include("minqing.tickets.urls")),
    path("desk/", include("minqing.desk.urls")),
    path("compliance/", include("minqing.compliance.urls")),
    path("checkins/", include("minqing.checkins.urls")),
    path("assistance/", include("minqing.assistance.urls")),
    path("charts/", include(("minqing.search.chart_urls", "charts"))),
    path("", include("minqing.home.urls")),
    path("audit/oversight/", include("minqing.privacy.urls")),
    path("", include("minqing.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("minqing.api_urls")),
    # Signed-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]): the schema answers 401, the docs
    # page sends a browser to the login page.
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script as a file (?script): the Content-Security-Policy has no inline.
    path(
        "api/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="core/swagger_ui.html")
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
admin.site.site_header = _("民情信息管理系统")
admin.site.site_title = _("民情")
admin.site.login_form = AdminLoginForm  # the login page's lockout and log apply to the admin's login too
handler500 = "minqing.core.views.server_error"
