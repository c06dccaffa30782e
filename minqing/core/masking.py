"""Sensitive values are masked on the server; a permitted role may reveal one, and every reveal is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from . import audit


@transaction.atomic
def sensitive_reveal(*, actor, obj, field: str) -> str:
    """Return the clear value of ``obj.field`` if ``actor`` may reveal it there; record the look.

    Objects outside the actor's view scope raise Http404 (not found and forbidden look the same);
    objects the actor may view but not reveal raise PermissionDenied.
    """
    model = type(obj)
    if field not in getattr(model, "SENSITIVE", {}):
        raise Http404
    if not model.objects.visible_to(actor, "view").filter(pk=obj.pk).exists():
        raise Http404
    if not model.objects.visible_to(actor, "reveal").filter(pk=obj.pk).exists():
        raise PermissionDenied
    value = getattr(obj, field) or ""
    audit.record(
        actor=actor,
        verb="sensitive.revealed",
        target=obj,
        changes={"field": str(model._meta.get_field(field).verbose_name)},
    )
    return value


def masked(obj, field: str) -> str:
    mask = type(obj).SENSITIVE[field]
    return mask(getattr(obj, field))
