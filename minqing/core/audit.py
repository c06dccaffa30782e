"""Write audit rows, check their hash chain, purge them after the retention period.

Services call ``record`` inside their own transaction. ``record`` appends to the hash chain
(``core.hashchain``), which holds the chain's lock until that transaction ends: call it late in a service.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from . import hashchain, sensitive
from .middleware import client_ip
from .models import AuditEvent

if TYPE_CHECKING:  # core sits below accounts: the user model is imported for type hints only
    from minqing.accounts.models import User


def record(
    *,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    area_path: str | None = None,
    changes: dict[str, Any] | None = None,
    label: str | None = None,
    household_id: int | None = None,
) -> AuditEvent:
    """Record one action. The area path defaults to the target's, so the log is scoped like the data.

    Values of the target's sensitive fields in ``changes`` are stored masked: the log is read more widely.
    The row is appended to the hash chain (``AuditEvent.save`` → ``hashchain.append``).
    """
    if target is not None:
        changes = sensitive.mask_changes(type(target), changes)
    if area_path is None:
        area_path = getattr(target, "area_path", "") or getattr(target, "code", "") or ""
    saved = actor if actor is not None and actor.pk else None  # system actions have no (saved) actor
    return AuditEvent.objects.create(
        actor=saved,
        actor_name=(saved.get_full_name() or saved.get_username()) if saved is not None else "",
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=(label if label is not None else str(target) if target is not None else "")[:200],
        area_path=area_path,
        household_id=household_id,
        # Lazy translations, dates and decimals become plain JSON values.
        changes=json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder)),
        ip=client_ip.get(),
    )


# ------------------------------------------------------------------------------- checking the chain

#: The verb of a retention purge's own audit row; its changes name the new first row (the anchor).
PURGE_VERB = "audit.purged"
ANCHOR_ROW, ANCHOR_HASH = "锚点行", "锚点哈希"


def _recorded_purge_anchor(row_id: Any, prev_hash: str) -> bool:
    """A first row that is not the genesis is trusted only if a recorded purge left it as the anchor."""
    changes = AuditEvent.objects.filter(verb=PURGE_VERB, **{f"changes__{ANCHOR_ROW}": row_id}).values_list(
        "changes", flat=True
    )
    return any(isinstance(c, dict) and c.get(ANCHOR_HASH) == prev_hash for c in changes)


def audit_verify(*, since: datetime.datetime | None = None) -> hashchain.Report:
    """Check the whole chain, or the rows from the first one at or after ``since``.

    The whole chain starts at the genesis or at the anchor a recorded purge left; a partial check trusts
    the link of its first row (it checks that row's own hash and every link after it).
    """
    rows = AuditEvent.objects.all()
    if since is None:
        return hashchain.verify(rows, trust_anchor=_recorded_purge_anchor)
    start = AuditEvent.objects.filter(at__gte=since).order_by("pk").values_list("pk", flat=True).first()
    rows = rows.filter(pk__gte=start) if start is not None else rows.none()
    return hashchain.verify(rows, trust_anchor=lambda row_id, prev_hash: row_id == start)


# ------------------------------------------------------------------------------------------ retention

#: Logs of network operations are kept at least six months (网络安全法 Art. 21); the trigger enforces it too.
MIN_RETENTION_DAYS = 180
#: Set with SET LOCAL by the purge only; the PostgreSQL trigger lets DELETE through while it is 'on'.
PURGE_SETTING = "minqing.audit_purge"


class RetentionError(ValueError):
    """A retention period shorter than the legal minimum."""


@dataclass(frozen=True)
class PurgeResult:
    days: int
    cutoff: datetime.datetime
    deleted: int
    anchor_id: int | None
    event: AuditEvent | None


def retention_days(days: int | None = None) -> int:
    value = settings.AUDIT_RETENTION_DAYS if days is None else days
    if value < MIN_RETENTION_DAYS:
        raise RetentionError(value)
    return int(value)


@transaction.atomic
def audit_purge(*, days: int | None = None, dry_run: bool = False) -> PurgeResult:
    """Delete the oldest rows: the longest start of the chain whose rows are all older than the retention.

    The newest row always stays, so the chain keeps one unbroken run. The purge records its own audit row,
    naming the new first row and its ``prev_hash`` (the anchor ``audit_verify`` then accepts).
    """
    days = retention_days(days)
    cutoff = timezone.now() - datetime.timedelta(days=days)
    hashchain.lock(AuditEvent, connection.alias)  # no append between choosing the rows and deleting them
    ids = AuditEvent.objects.order_by("pk").values_list("pk", flat=True)
    first_kept = ids.filter(at__gte=cutoff).first()
    last = ids.reverse().first()
    if last is None:
        return PurgeResult(days, cutoff, 0, None, None)
    anchor_id = min(first_kept if first_kept is not None else last, last)
    deleted = AuditEvent.objects.filter(pk__lt=anchor_id).count()
    if dry_run or not deleted:
        return PurgeResult(days, cutoff, deleted, anchor_id, None)
    anchor_hash = AuditEvent.objects.filter(pk=anchor_id).values_list("prev_hash", flat=True).get()
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL {PURGE_SETTING} = 'on'")
        cursor.execute(f"DELETE FROM {table} WHERE id < %s", [anchor_id])  # noqa: S608 — the model's table
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL {PURGE_SETTING} = 'off'")
    event = record(
        actor=None,
        verb=PURGE_VERB,
        changes={
            "保留天数": days,
            "截止时间": cutoff,
            "删除行数": deleted,
            ANCHOR_ROW: anchor_id,
            ANCHOR_HASH: anchor_hash,
        },
    )
    return PurgeResult(days, cutoff, deleted, anchor_id, event)


# ------------------------------------------------------------------------------------ command helpers


def parse_day(value: str) -> datetime.date:
    """A ``YYYY-MM-DD`` command-line date (argparse ``type``), refused in Chinese and English."""
    import argparse

    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD: {value!r}"
        ) from None


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the deployment's time zone (TIME_ZONE)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
