"""Alerts to supervisors when a user reaches a limit on looks at personal data (``core/limits.py``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from minqing.accounts.models import User
from minqing.accounts.roles import Role
from minqing.areas.models import PATH_LENGTHS
from minqing.core.models import AuditEvent
from minqing.jobs import services as jobs

LIMIT_VERBS = ("reveal.limit_exceeded", "export.limit_exceeded")


def on_limit_exceeded(sender: Any, *, event: AuditEvent, actor: User, **kwargs: Any) -> None:
    """``limits.limit_exceeded``: enqueue the alert e-mail, committed with the refusal's audit row."""
    from .tasks import limit_alert_task

    jobs.enqueue(limit_alert_task, args=(event.pk,), requested_by=actor, area_path=event.area_path)


def supervisors_of(area_path: str) -> list[User]:
    """Active supervisors (监督员/纪检) assigned to ``area_path`` or an area above it."""
    codes = [area_path[:n] for n in PATH_LENGTHS if n <= len(area_path)]
    if not codes:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            assignments__is_active=True,
            assignments__role=Role.SUPERVISOR,
            assignments__area__code__in=codes,
        )
        .distinct()
        .order_by("pk")
    )


def limit_alert_send(event_id: int) -> int:
    """E-mail the supervisors of a limit-exceeded event's area who have an address; returns how many."""
    event = AuditEvent.objects.filter(pk=event_id, verb__in=LIMIT_VERBS).first()
    if event is None:
        return 0
    recipients = sorted(
        {u.email for u in supervisors_of(event.area_path) if u.email and u.pk != event.actor_id}
    )
    if not recipients:
        return 0
    with override(settings.LANGUAGE_CODE):
        what = _("查看敏感信息") if event.verb == LIMIT_VERBS[0] else _("导出")
        subject = _("【民情】%(name)s的%(what)s次数已达上限") % {"name": event.actor_name, "what": what}
        lines = [
            _("用户：%(name)s") % {"name": event.actor_name},
            _("时间：%(at)s") % {"at": f"{timezone.localtime(event.at):%Y-%m-%d %H:%M}"},
            _("事项：%(what)s次数达到上限，已被系统拒绝。") % {"what": what},
            _("IP地址：%(ip)s") % {"ip": event.ip or "—"},
            *(f"{key}：{value}" for key, value in (event.changes or {}).items()),
            "",
            _("详情请登录系统，在「审计日志 → 查看与导出监督」中查看。"),
        ]
    send_mail(subject, "\n".join(str(line) for line in lines), None, recipients)
    return len(recipients)
