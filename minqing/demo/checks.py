"""Deploy check: the demo mode (``MINQING_DEMO=1``) must never serve a real county."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def demo_mode_off(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """``MINQING_DEMO=1`` allows a throwaway SECRET_KEY, plain HTTP and SQLite: fine for a trial, not for a county."""
    if not getattr(settings, "DEMO", False):
        return []
    return [
        Error(
            "MINQING_DEMO is on: the demo mode uses a throwaway SECRET_KEY, plain-HTTP cookies and SQLite.",
            hint="Remove MINQING_DEMO from the environment and set SECRET_KEY, DATABASE_URL and "
            "ALLOWED_HOSTS (see deploy/minqing.env.example and docs/install.md).",
            id="minqing.demo.E001",
        )
    ]
