from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class PrivacyConfig(AppConfig):
    """Oversight of looks at personal data: limit alerts, the supervisors' page, the PIPL privacy report."""

    name = "minqing.privacy"
    label = "privacy"
    verbose_name = _("个人信息保护")

    def ready(self) -> None:
        from minqing.core.limits import limit_exceeded

        from .services import on_limit_exceeded

        verbs.register({"privacy.report": _("生成个人信息查阅报告")})

        limit_exceeded.connect(on_limit_exceeded, dispatch_uid="minqing.privacy.limit_exceeded")
