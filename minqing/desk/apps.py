from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The hotline desk (服务台): a caller's screen pop and a quick filing form over the ticket services."""

    name = "minqing.desk"
    label = "desk"
    verbose_name = _("服务台")
