"""Errors of the operations commands: one message in Chinese and in English, and a non-zero exit."""

from __future__ import annotations

from django.core.management.base import CommandError


class OpsError(CommandError):
    """A refusal or failure of backup/restore; management commands exit with status 1."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh}\n{en}")
        self.zh = zh
        self.en = en
