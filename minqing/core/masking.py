"""Sensitive values are masked on the server; a permitted role may reveal one, and every reveal is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from . import audit, limits, restricted, sensitive

if TYPE_CHECKING:  # core sits below accounts: the user model is imported for type hints only
    from django.db import models

    from minqing.accounts.models import User


def sensitive_reveal(*, actor: User, obj: models.Model, field: str) -> str:
    """Return the clear value of ``obj.field`` if ``actor`` may reveal it there; record the look.

    Objects outside the actor's view scope raise Http404 (not found and forbidden look the same);
    objects the actor may view but not reveal raise PermissionDenied; past ``REVEAL_LIMIT_PER_HOUR``
    reveals in the last hour, ``limits.LimitExceeded`` (429; audited and alerted once per hour).
    """
    # A scoped model: a ScopedQuerySet manager, which the stubs cannot know about.
    model: Any = type(obj)
    if not sensitive.is_sensitive(model, field):
        raise Http404
    with transaction.atomic():
        if not model.objects.visible_to(actor, "view").filter(pk=obj.pk).exists():
            raise Http404
        if not model.objects.visible_to(actor, "reveal").filter(pk=obj.pk).exists():
            raise PermissionDenied
        privacy_class = restricted.class_of(model, field)  # e.g. 残疾人证号 is health data too
        if privacy_class and not restricted.may_see(actor, privacy_class, obj):
            raise PermissionDenied
        if limits.reveal_allowed(actor):  # locks the actor's row: the count holds under concurrency
            value: str = getattr(obj, field) or ""
            audit.record(
                actor=actor,
                verb=limits.REVEAL_VERB,
                target=obj,
                changes={"field": str(model._meta.get_field(field).verbose_name)},
            )
            return value
    limits.reveal_refused(actor)  # its own transaction: the refusal's audit row must not roll back


def masked(obj: models.Model, field: str) -> str:
    return sensitive.masked(obj, field)
