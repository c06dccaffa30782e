"""The one place the task framework is imported from.

Today that is the ``django-tasks`` backport; on Django 6 these imports become ``django.tasks`` (same names),
and nothing else in Minqing changes. Apps write ``from minqing.jobs.framework import task``.
"""

from __future__ import annotations

from django_tasks import (
    DEFAULT_TASK_BACKEND_ALIAS,
    TaskContext,
    TaskResult,
    TaskResultStatus,
    default_task_backend,
    task,
    task_backends,
)
from django_tasks.base import Task, TaskError
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.signals import task_enqueued, task_finished, task_started

__all__ = [
    "DEFAULT_TASK_BACKEND_ALIAS",
    "Task",
    "TaskContext",
    "TaskError",
    "TaskResult",
    "TaskResultDoesNotExist",
    "TaskResultStatus",
    "default_task_backend",
    "task",
    "task_backends",
    "task_enqueued",
    "task_finished",
    "task_started",
]
