"""Write audit rows. Services call ``record`` inside their own transaction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from . import sensitive
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
