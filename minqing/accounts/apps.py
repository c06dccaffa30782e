from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class AccountsConfig(AppConfig):
    name = "minqing.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401

        verbs.register(
            {
                "account.locked": _("账号锁定"),
                "account.unlocked": _("账号解锁"),
                "account.disabled": _("账号停用"),
                "account.password_changed": _("修改密码"),
                "account.otp_enrolled": _("绑定动态口令"),
                "account.otp_reset": _("重置动态口令"),
                "account.otp_recovery_used": _("使用恢复码登录"),
                "account.otp_recovery_renewed": _("重新生成恢复码"),
            }
        )
