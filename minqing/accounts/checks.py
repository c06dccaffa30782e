"""Deploy check: no demo account may keep the published demo password outside the demo."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError

DEMO_PASSWORD = "Minqing#2026"  # noqa: S105 — published in the README for the demo only
DEMO_USERNAMES = (
    "admin",
    "county",
    "township",
    "village",
    "grid",
    "stationed",
    "desk",
    "health",
    "supervisor",
    "resident",
)


@register(Tags.security, deploy=True)
def demo_passwords_changed(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    from .models import User

    try:
        users = list(User.objects.filter(username__in=DEMO_USERNAMES, is_active=True))
    except DatabaseError:
        return []
    weak = [u.username for u in users if u.check_password(DEMO_PASSWORD)]
    if weak:
        return [
            Error(
                f"Accounts {', '.join(weak)} still use the published demo password.",
                hint="Change their passwords or disable them (manage.py changepassword / admin).",
                id="minqing.E001",
            )
        ]
    return []
