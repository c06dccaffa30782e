"""Writes for background work: enqueue with an owner, mirror task states, retries, heartbeats, the reaper.

A task lost with its worker (killed, power cut) is found by its worker's stale heartbeat, never by how long
anything waited in the queue: it is re-enqueued when its policy says it is retry-safe and has attempts
left, failed otherwise. Each such decision is audited.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import socket
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from minqing.core import audit

from . import progress
from .framework import Task, TaskError, TaskResult, TaskResultStatus, task_finished
from .models import TaskProgress, WorkerHeartbeat
from .policy import policy_for

if TYPE_CHECKING:
    from minqing.accounts.models import User

logger = logging.getLogger(__name__)
# Runs of digits (ID numbers, phones, account numbers) never reach the jobs page.
_DIGITS = re.compile(r"[0-9][0-9Xx*\-\s]{4,}[0-9Xx]")


class WorkerLost(Exception):
    """Recorded as the error of a task whose worker stopped beating while running it."""


def enqueue(
    task: Task[Any, Any],
    *,
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    requested_by: User | None = None,
    area_path: str = "",
    message: str = "",
) -> TaskResult[Any]:
    """Enqueue ``task`` and record who asked and for which area (the jobs page is scoped by it).

    Call it inside the transaction that writes the task's own rows: with the database backend the task
    is committed with them, or not at all.
    """
    result = task.enqueue(*args, **(kwargs or {}))
    fields: dict[str, Any] = {"requested_by": requested_by, "area_path": area_path}
    if message:
        fields["message"] = message[:200]
    TaskProgress.objects.filter(task_id=result.id).update(**fields)
    return result


def safe_error(error: TaskError | None) -> str:
    """The exception's class and the first line of its message, digit runs masked: never a traceback."""
    if error is None:
        return ""
    name = error.exception_class_path.rsplit(".", 1)[-1]
    lines = [line for line in error.traceback.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    text = last.split(": ", 1)[1] if ": " in last else ""
    text = _DIGITS.sub("***", text)
    return (f"{name}: {text}" if text else name)[:300]


# Task signals (connected in JobsConfig.ready): the same for the database and the immediate backend.


def on_task_enqueued(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
    path = task_result.task.module_path
    TaskProgress.objects.get_or_create(
        task_id=task_result.id,
        defaults={"task_path": path[:200], "kind": policy_for(path).kind or task_result.task.name},
    )


def on_task_started(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
    progress.set_current(task_result.id)
    TaskProgress.objects.filter(task_id=task_result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=task_result.started_at or timezone.now(),
        finished_at=None,
        attempts=len(task_result.worker_ids),
        updated_at=timezone.now(),
    )


def on_task_finished(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
    progress.clear_current()
    failed = task_result.status == TaskResultStatus.FAILED
    fields: dict[str, Any] = {
        "status": task_result.status,
        "finished_at": task_result.finished_at or timezone.now(),
        "attempts": len(task_result.worker_ids),
        "updated_at": timezone.now(),
    }
    if failed:
        fields["error"] = safe_error(task_result.errors[-1] if task_result.errors else None)
    else:
        fields["error"] = ""
    TaskProgress.objects.filter(task_id=task_result.id).update(**fields)


# Retries and lost tasks (database backend).


def retry_or_fail(db_result: DBTaskResult[Any, Any], error: BaseException) -> bool:
    """A run of ``db_result`` ended with ``error``: re-enqueue it if its policy allows, else fail it.

    Returns True when re-enqueued. The failure path sends ``task_finished`` like the worker does, so apps
    listening for their tasks' failures (exports marks its job failed) hear about lost tasks too.
    """
    policy = policy_for(db_result.task_path)
    attempts = len(db_result.worker_ids)
    task_id = str(db_result.id)
    if policy.may_retry(attempts):
        now = timezone.now()
        db_result.status = TaskResultStatus.READY
        db_result.run_after = now + datetime.timedelta(seconds=policy.retry_delay)
        db_result.finished_at = None
        db_result.exception_class_path = f"{type(error).__module__}.{type(error).__qualname__}"
        db_result.traceback = f"{db_result.exception_class_path}: {error}"
        db_result.save(
            update_fields=["status", "run_after", "finished_at", "exception_class_path", "traceback"]
        )
        TaskProgress.objects.filter(task_id=task_id).update(
            status=TaskResultStatus.READY,
            attempts=attempts,
            error=safe_error(
                TaskError(exception_class_path=db_result.exception_class_path, traceback=db_result.traceback)
            ),
            message=f"第{attempts}次运行未完成，{policy.retry_delay}秒后重试"[:200],
            updated_at=now,
        )
        logger.warning(
            "task %s (%s) re-enqueued after attempt %d: %r", task_id, db_result.task_path, attempts, error
        )
        return True
    db_result.set_failed(error)
    try:
        task_result = db_result.task_result
    except (ImportError, SuspiciousOperation):  # the task's code is gone: mirror the failure by hand
        TaskProgress.objects.filter(task_id=task_id).update(
            status=TaskResultStatus.FAILED, finished_at=timezone.now(), error=type(error).__name__
        )
    else:
        task_finished.send(sender=DatabaseBackend, task_result=task_result)
    return False


def reap_stale(*, stale_seconds: int | None = None) -> dict[str, list[str]]:
    """RUNNING tasks whose worker's heartbeat is older than ``stale_seconds`` (or absent): retry or fail them.

    Tasks waiting in the queue are never touched, however long they wait.
    """
    stale_seconds = settings.JOBS_STALE_SECONDS if stale_seconds is None else stale_seconds
    cutoff = timezone.now() - datetime.timedelta(seconds=stale_seconds)
    live = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff, stopped_at__isnull=True).values_list(
            "worker_id", flat=True
        )
    )
    outcome: dict[str, list[str]] = {"requeued": [], "failed": []}
    for pk, worker_ids in DBTaskResult.objects.running().values_list("pk", "worker_ids"):
        worker = worker_ids[-1] if worker_ids else ""
        if worker in live:
            continue
        with exclusive_transaction(DBTaskResult.objects.db):
            db_result = (
                DBTaskResult.objects.running().filter(pk=pk).select_for_update(skip_locked=True).first()
            )
            if db_result is None or (db_result.worker_ids or [""])[-1] != worker:
                continue  # finished or taken meanwhile
            lost = WorkerLost(f"工作进程 {worker or '?'} 已停止心跳，任务中断")
            requeued = retry_or_fail(db_result, lost)
            outcome["requeued" if requeued else "failed"].append(str(pk))
            _audit_lost(str(pk), worker=worker, requeued=requeued)
    return outcome


def _audit_lost(task_id: str, *, worker: str, requeued: bool) -> None:
    row = TaskProgress.objects.filter(task_id=task_id).first()
    audit.record(
        actor=None,
        verb="task.requeued" if requeued else "task.lost",
        area_path=row.area_path if row is not None else "",
        label=f"{row.kind if row is not None else ''} {task_id}".strip(),
        changes={"工作进程": worker, "结果": "重新排队" if requeued else "失败"},
    )


# Heartbeats.


def heartbeat_start(*, worker_id: str, queues: str) -> WorkerHeartbeat:
    now = timezone.now()
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "queues": queues[:200],
            "started_at": now,
            "seen_at": now,
            "current_task_id": "",
            "stopped_at": None,
        },
    )
    return beat


def heartbeat_beat(worker_id: str, *, current_task_id: str = "") -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
        seen_at=timezone.now(), current_task_id=current_task_id
    )


def heartbeat_stop(worker_id: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
        seen_at=now, stopped_at=now, current_task_id=""
    )


@transaction.atomic
def tasks_prune(*, days: int | None = None) -> str:
    """Delete finished task results and their progress rows older than ``JOBS_KEEP_DAYS``, and old heartbeats."""
    days = settings.JOBS_KEEP_DAYS if days is None else days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    finished = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    rows, _ = TaskProgress.objects.filter(status__in=finished, enqueued_at__lt=cutoff).delete()
    beats, _ = WorkerHeartbeat.objects.filter(
        seen_at__lt=timezone.now() - datetime.timedelta(days=1)
    ).delete()
    return f"{results} task results, {rows} progress rows, {beats} heartbeats deleted"
