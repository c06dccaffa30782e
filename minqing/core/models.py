"""Cross-cutting models: the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import sensitive
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
    return "" if value is None else str(value)


class AuditEventQuerySet(ScopedQuerySet):
    def visible_to(self, user: User | AnonymousUser | None, action: str = "audit") -> Self:
        return super().visible_to(user, action)


class AuditEvent(models.Model):
    """One recorded action: who did what to which record, where, from which address."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
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

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.target_label}"

    @property
    def shown_changes(self) -> dict[str, Any]:
        """``changes`` with sensitive values masked, also in rows stored before their field was registered."""
        return sensitive.mask_changes(sensitive.model_for_label(self.target_type), self.changes or {})

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
