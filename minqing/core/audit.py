"""Write audit rows. Services call ``record`` inside their own transaction."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from .middleware import client_ip
from .models import AuditEvent


def record(
    *,
    actor,
    verb: str,
    target=None,
    area_path: str | None = None,
    changes: dict[str, Any] | None = None,
    label: str | None = None,
    household_id: int | None = None,
) -> AuditEvent:
    """Record one action. The area path defaults to the target's, so the log is scoped like the data."""
    if area_path is None:
        area_path = getattr(target, "area_path", "") or getattr(target, "code", "") or ""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_full_name() or actor.get_username()) if getattr(actor, "pk", None) else "",
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
