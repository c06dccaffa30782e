from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class TicketsConfig(AppConfig):
    name = "minqing.tickets"
    label = "tickets"
    verbose_name = _("诉求工单")

    def ready(self) -> None:
        """Audit verbs: the decisions taken on a ticket from above (every action is in its own timeline)."""
        verbs.register(
            {
                "tickets.return_reviewed": _("审核工单退单"),
                "tickets.extension_decided": _("审批工单延期"),
            }
        )
