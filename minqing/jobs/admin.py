"""Read-only admin views of the bookkeeping rows (the jobs page at /jobs/ is the everyday view)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import PeriodicJobState, TaskProgress, WorkerHeartbeat


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TaskProgress)
class TaskProgressAdmin(ReadOnly):
    list_display = ("task_id", "kind", "status", "done", "total", "attempts", "area_path", "enqueued_at")
    list_filter = ("status", "kind")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnly):
    list_display = ("worker_id", "hostname", "pid", "started_at", "seen_at", "current_task_id", "stopped_at")


@admin.register(PeriodicJobState)
class PeriodicJobStateAdmin(ReadOnly):
    list_display = ("name", "last_started_at", "last_finished_at", "last_status", "locked_until")
