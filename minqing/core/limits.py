"""Per-user limits on looks at personal data (PIPL): reveals per hour here, exports per day in ``exports``.

Counted from the rows that record the looks (reveals: the audit log) while holding a lock on the user's
row, never from a cache: the count is exact across gunicorn processes and restarts whatever the cache
backend (``LocMemCache`` is per process), and it holds under concurrent requests. On PostgreSQL the
``SELECT … FOR UPDATE`` of the user serialises that user's reveals (the second waits, then counts the
first's committed row); on SQLite every write transaction is ``BEGIN IMMEDIATE`` (settings), which
serialises them all. A refusal writes one ``*.limit_exceeded`` audit row per user and window and sends
``limit_exceeded`` (the upper apps alert the supervisors), in the same transaction.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import AuditEvent
from .scoping import scope_root

if TYPE_CHECKING:  # core sits below accounts: the user model is imported for type hints only
    from minqing.accounts.models import User

REVEAL_VERB = "sensitive.revealed"
REVEAL_EXCEEDED = "reveal.limit_exceeded"
#: Sent inside the transaction of a refusal's first audit row: ``event`` (the AuditEvent), ``actor``.
limit_exceeded = Signal()


class LimitExceeded(PermissionDenied):
    """A per-user limit was reached: pages answer 429 with the message, the API 429 with ``code``."""

    status_code = 429

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def lock_user(actor: User) -> None:
    """Hold the actor's user row until the end of the transaction: one counted action at a time per user."""
    users = get_user_model()._default_manager.select_for_update()
    list(users.filter(pk=actor.pk).values_list("pk", flat=True))


def since(hours: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def reveal_allowed(actor: User) -> bool:
    """Lock the actor and count the reveals of the last hour; call inside the reveal's transaction."""
    limit: int = settings.REVEAL_LIMIT_PER_HOUR
    if limit <= 0 or not actor.pk:
        return True
    lock_user(actor)
    done = AuditEvent.objects.filter(actor=actor, verb=REVEAL_VERB, at__gte=since(1)).count()
    return done < limit


def reveal_refused(actor: User) -> NoReturn:
    limit: int = settings.REVEAL_LIMIT_PER_HOUR
    refuse(
        actor=actor,
        verb=REVEAL_EXCEEDED,
        hours=1,
        area_path=scope_root(actor, "reveal"),  # the supervisors of that area see it
        changes={"限额": _("每小时%(n)d次") % {"n": limit}},
        message=_(
            "您在一小时内查看敏感信息的次数已达上限（%(n)d次），请稍后再试。"
            "本次超限已记录并通知监督员；如确因工作需要，请联系监督员或数据管理员。"
        )
        % {"n": limit},
        code="reveal_limit",
    )


def refuse(
    *, actor: User, verb: str, hours: int, area_path: str, changes: dict[str, object], message: str, code: str
) -> NoReturn:
    """Record the first refusal of the window (one audit row per user per ``hours``, alerting) and raise."""
    with transaction.atomic():
        lock_user(actor)
        if not AuditEvent.objects.filter(actor=actor, verb=verb, at__gte=since(hours)).exists():
            event = audit.record(
                actor=actor, verb=verb, area_path=area_path, label=str(actor), changes=changes
            )
            limit_exceeded.send(sender=LimitExceeded, event=event, actor=actor)
    raise LimitExceeded(message, code)
