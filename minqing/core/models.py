"""Cross-cutting models: the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import restricted, sensitive, verbs
from .hashchain import ChainedModel, ChainedQuerySet
from .scoping import ScopedQuerySet

if TYPE_CHECKING:  # core sits below accounts: the user model is imported for type hints only
    from django.contrib.auth.models import AnonymousUser

    from minqing.accounts.models import User


@dataclass(frozen=True)
class Change:
    """One line of an event's ``changes``: a field's before → after, or a plain value (``is_pair`` False)."""

    field: str
    before: str
    after: str
    is_pair: bool


def _text(value: Any) -> str:
    """A stored change value as a reader sees it: lists joined with 、, mappings as 名：值, yes/no in words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, list | tuple):
        return "、".join(_text(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return "；".join(f"{k}：{_text(v)}" for k, v in value.items())
    return str(value)


class AuditEventQuerySet(ChainedQuerySet, ScopedQuerySet):  # type: ignore[override]
    def visible_to(self, user: User | AnonymousUser | None, action: str = "audit") -> Self:
        return super().visible_to(user, action)


class AuditEvent(ChainedModel):
    """One recorded action: who did what to which record, where, from which address.

    Append-only and hash-chained in id order (``core.hashchain``; ``manage.py verify_audit``). On PostgreSQL a
    trigger refuses UPDATE and DELETE except the retention purge (``manage.py purge_audit``).
    """

    # Set when the row is built, not by save(): the value is hashed before the insert.
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # The actor's id stays as it was written: deleting a user must not rewrite the log (SET_NULL would be an
    # UPDATE, which the append-only trigger refuses). The name is kept in ``actor_name`` for that reason too;
    # ``event.actor`` of a deleted user raises DoesNotExist, so pages show ``actor_name``.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    verb = models.CharField(_("动作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_label = models.CharField(_("对象"), max_length=200, blank=True)
    area_path = models.CharField(_("区域路径"), max_length=15, blank=True, db_index=True)
    # The household file a registry change belongs to, so the 一户一页 page shows its members' changes too.
    household_id = models.BigIntegerField(_("所属户"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("内容"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    chain_fields = (
        "at",
        "actor",
        "actor_name",
        "verb",
        "target_type",
        "target_id",
        "target_label",
        "area_path",
        "household_id",
        "changes",
        "ip",
    )

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            # A user's looks of the last hour or day (core.limits counts them under a lock on every reveal).
            models.Index(fields=["actor", "verb", "at"], name="audit_actor_verb_idx"),
            # The watched verbs of the last days (privacy.selectors, the supervisor's oversight page).
            models.Index(fields=["verb", "at"], name="audit_verb_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.target_label}"

    #: Privacy classes (``core.restricted``) whose values this row shows to its reader; none until a page
    #: marks the rows for its reader with ``restricted.readable`` (fail closed).
    readable_classes: frozenset[str] = frozenset()

    @property
    def verb_label(self) -> str:
        return verbs.label(self.verb)

    @property
    def shown_changes(self) -> dict[str, Any]:
        """``changes`` with sensitive values masked, also in rows stored before their field was registered,
        and restricted values (health) hidden unless marked readable for the reader."""
        shown = sensitive.mask_changes(sensitive.model_for_label(self.target_type), self.changes or {})
        model = restricted.model_for_label(self.target_type)
        return restricted.hide_changes(model, shown, readable=self.readable_classes)

    @property
    def change_list(self) -> list[Change]:
        """``changes`` as lines a page shows: field edits are [before, after] pairs, other events plain values."""
        lines = []
        for name, value in self.shown_changes.items():
            if isinstance(value, list) and len(value) == 2:
                lines.append(Change(str(name), _text(value[0]), _text(value[1]), is_pair=True))
            else:
                lines.append(Change(str(name), "", _text(value), is_pair=False))
        return lines


class Versioned(models.Model):
    """Optimistic locking and timestamps for records several cadres edit."""

    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True
