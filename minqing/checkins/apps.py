from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class CheckinsConfig(AppConfig):
    """Daily check-in (签到) of cadres from the office network or inside the village, and attendance reports."""

    name = "minqing.checkins"
    label = "checkins"
    verbose_name = _("签到考勤")

    def ready(self) -> None:
        verbs.register(
            {
                "checkins.refused": _("签到被拒"),
                "checkins.rule.created": _("新建签到规则"),
                "checkins.rule.updated": _("修改签到规则"),
                "checkins.rule.deleted": _("删除签到规则"),
                "checkins.report.exported": _("导出签到考勤表"),
            }
        )
