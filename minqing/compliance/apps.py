from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class ComplianceConfig(AppConfig):
    """Visit quotas and compliance: rules per area, coverage, who is behind, each cadre's due list."""

    name = "minqing.compliance"
    label = "compliance"
    verbose_name = _("走访考核")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from minqing.registry.models import Household
        from minqing.registry.signals import households_changed
        from minqing.visits.models import Visit

        from . import services

        verbs.register(
            {
                "compliance.rule.created": _("新建考核规则"),
                "compliance.rule.updated": _("修改考核规则"),
                "compliance.rule.deleted": _("删除考核规则"),
            }
        )
        post_save.connect(services.on_visit_saved, sender=Visit, dispatch_uid="compliance.visit_saved")
        post_save.connect(
            services.on_household_saved, sender=Household, dispatch_uid="compliance.household_saved"
        )
        households_changed.connect(
            services.on_households_changed, dispatch_uid="compliance.households_changed"
        )
