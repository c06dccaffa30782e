"""Sensitive values are masked on the server; a permitted role may reveal one, and every reveal is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from . import audit, sensitive

if TYPE_CHECKING:  # core sits below accounts: the user model is imported for type hints only
    from django.db import models

    from minqing.accounts.models import User


@transaction.atomic
def sensitive_reveal(*, actor: User, obj: models.Model, field: str) -> str:
    """Return the clear value of ``obj.field`` if ``actor`` may reveal it there; record the look.

    Objects outside the actor's view scope raise Http404 (not found and forbidden look the same);
    objects the actor may view but not reveal raise PermissionDenied.
    """
    # A scoped model: a ScopedQuerySet manager, which the stubs cannot know about.
    model: Any = type(obj)
    if not sensitive.is_sensitive(model, field):
        raise Http404
    if not model.objects.visible_to(actor, "view").filter(pk=obj.pk).exists():
        raise Http404
    if not model.objects.visible_to(actor, "reveal").filter(pk=obj.pk).exists():
        raise PermissionDenied
    value: str = getattr(obj, field) or ""
    audit.record(
        actor=actor,
        verb="sensitive.revealed",
        target=obj,
        changes={"field": str(model._meta.get_field(field).verbose_name)},
    )
    return value


def masked(obj: models.Model, field: str) -> str:
    return sensitive.masked(obj, field)
