"""Reads for background work: worker liveness and queue depth (``/readyz``, metrics), the scoped task list."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Max, QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import TaskProgress, WorkerHeartbeat

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from minqing.accounts.models import User


def worker_summary(*, max_age_seconds: int = 120) -> dict[str, Any]:
    """``{"live": workers seen within max_age_seconds, "newest_seen_at": latest heartbeat or None}``."""
    cutoff = timezone.now() - datetime.timedelta(seconds=max_age_seconds)
    beats = WorkerHeartbeat.objects.filter(stopped_at__isnull=True)
    live = beats.filter(seen_at__gte=cutoff).count()
    newest = WorkerHeartbeat.objects.aggregate(newest=Max("seen_at"))["newest"]
    return {"live": live, "newest_seen_at": newest}


def queue_summary() -> dict[str, Any]:
    """``{"ready", "running", "failed_last_day", "oldest_ready_age_seconds"}`` of the database queue."""
    now = timezone.now()
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {
        "ready": ready.count(),
        "running": DBTaskResult.objects.running().count(),
        "failed_last_day": DBTaskResult.objects.failed()
        .filter(finished_at__gte=now - datetime.timedelta(days=1))
        .count(),
        "oldest_ready_age_seconds": (now - oldest).total_seconds() if oldest is not None else None,
    }


def may_manage_tasks(user: User | AnonymousUser | None) -> bool:
    """The jobs page is for data admins (the "manage" right somewhere) and superusers."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or user.can("manage"))


def tasks_for(user: User | AnonymousUser | None) -> QuerySet[TaskProgress]:
    """Tasks whose requester's area lies where the user may manage; system tasks (no area) to superusers."""
    return TaskProgress.objects.visible_to(user, "manage").select_related("requested_by")
