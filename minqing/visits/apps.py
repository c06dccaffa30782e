from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class VisitsConfig(AppConfig):
    name = "minqing.visits"
    label = "visits"

    def ready(self) -> None:
        """Audit verbs, and the visit timeline panel on the household page."""
        from . import panels  # noqa: F401  (connects the panel receiver)

        verbs.register(
            {
                "visits.revised": _("修改走访记录"),
                "visits.withdrawn": _("撤回走访记录"),
                "visits.corrected": _("更正走访记录"),
            }
        )
