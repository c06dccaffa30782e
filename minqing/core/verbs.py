"""What each audit verb means, in the words the audit log and the histories show.

Audit rows store a stable technical verb (``registry.household.created``); pages show its label
(新建户档案). Each app registers the verbs it writes when it is ready (``AppConfig.ready``), so core knows
no domain app; a test checks that every verb written in the code has a label.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, Promise | str] = {}


def register(labels: Mapping[str, Promise | str]) -> None:
    _LABELS.update(labels)


def label(verb: str) -> str:
    """The Chinese label of ``verb``; a verb no app registers (an old row) shows as it is stored."""
    found = _LABELS.get(verb)
    return str(found) if found is not None else verb


def registered() -> frozenset[str]:
    return frozenset(_LABELS)


# The verbs core itself writes.
register(
    {
        "sensitive.revealed": _("查看敏感信息"),
        "reveal.limit_exceeded": _("查看敏感信息超出限额"),
        "export.limit_exceeded": _("导出超出限额"),
        "audit.purged": _("清理过期审计日志"),
        "audit.exported": _("导出审计日志"),
    }
)
