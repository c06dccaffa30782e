"""Background-task bookkeeping: per-task progress and owner, worker heartbeats, periodic-job locks.

The queue itself is django-tasks-db's ``DBTaskResult`` (status, arguments, errors); these rows add what the
platform needs around it and never replace it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.scoping import ScopedQuerySet

from .framework import TaskResultStatus


class TaskProgress(models.Model):
    """One row per enqueued task, keyed by the task result id: who asked, for which area, how far it got.

    ``status`` mirrors the task result (set by the task signals and by the heartbeat reaper), so the jobs page is
    one scoped query that works with any backend and outlives the pruning of old task results.
    """

    task_id = models.CharField(_("任务编号"), max_length=64, primary_key=True)
    kind = models.CharField(_("类型"), max_length=40, blank=True)
    task_path = models.CharField(_("任务函数"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The requester's scope root when the task was enqueued: the jobs page is scoped like the data.
    area_path = models.CharField(_("区域路径"), max_length=15, blank=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=TaskResultStatus.choices, default=TaskResultStatus.READY
    )
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("说明"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # Exception class and a masked first line only: never a traceback, never a sensitive value.
    error = models.CharField(_("错误"), max_length=300, blank=True)
    enqueued_at = models.DateTimeField(_("入队时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-enqueued_at", "-task_id"]

    def __str__(self) -> str:
        return f"{self.kind or self.task_path} {self.task_id}"

    @property
    def percent(self) -> int:
        if self.status == TaskResultStatus.SUCCESSFUL:
            return 100
        return min(100, int(self.done * 100 / self.total)) if self.total else 0

    @property
    def kind_label(self) -> str:
        from .policy import policy_for

        return (
            str(policy_for(self.task_path).label or self.kind or self.task_path)
            if self.task_path
            else self.kind
        )

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class WorkerHeartbeat(models.Model):
    """One row per ``run_worker`` process, refreshed every few seconds while it lives (even mid-task)."""

    worker_id = models.CharField(_("工作进程编号"), max_length=64, primary_key=True)
    hostname = models.CharField(_("主机"), max_length=200)
    pid = models.PositiveIntegerField(_("进程号"))
    queues = models.CharField(_("队列"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("启动时间"))
    seen_at = models.DateTimeField(_("最近心跳"), db_index=True)
    current_task_id = models.CharField(_("当前任务"), max_length=64, blank=True)
    stopped_at = models.DateTimeField(_("停止时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作进程心跳")
        verbose_name_plural = _("工作进程心跳")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.worker_id})"


class PeriodicJobState(models.Model):
    """A periodic job's lease (so overlapping runs skip) and the outcome of its last run."""

    name = models.CharField(_("名称"), max_length=64, primary_key=True)
    locked_by = models.CharField(_("持有者"), max_length=64, blank=True)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("最近开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("最近结束"), null=True, blank=True)
    last_status = models.CharField(_("最近结果"), max_length=10, blank=True)
    last_message = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name
