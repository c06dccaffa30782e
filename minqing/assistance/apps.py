from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class AssistanceConfig(AppConfig):
    name = "minqing.assistance"
    label = "assistance"
    verbose_name = _("结对帮扶")

    def ready(self) -> None:
        """Label the audit verbs; add the pairing and plan panel to the household page."""
        from minqing.registry.signals import households_changed

        from . import panels  # noqa: F401  (connects the panel receiver)
        from .services import follow_households

        verbs.register(
            {
                "assistance.paired": _("结对帮扶"),
                "assistance.unpaired": _("解除结对"),
                "assistance.adopted": _("按帮扶责任人建立结对"),
                "assistance.plan.created": _("制定帮扶计划"),
                "assistance.plan.updated": _("修改帮扶计划"),
                "assistance.measure.created": _("添加帮扶措施"),
                "assistance.measure.updated": _("修改帮扶措施"),
                "assistance.measure.status": _("变更帮扶措施状态"),
            }
        )

        def follow(sender: type, *, household_ids: list[int], **kwargs: object) -> None:
            follow_households(household_ids)

        households_changed.connect(follow, dispatch_uid="assistance.follow", weak=False)
