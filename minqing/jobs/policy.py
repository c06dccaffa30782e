"""What each task declares about itself: its kind (shown on the jobs page) and whether it may run again.

``retry_safe`` means a second run after a crash or an error does no harm (it overwrites its own file and
row); only such tasks are re-enqueued, up to ``max_attempts`` runs in all. Everything else that fails or
loses its worker is failed, never run twice. Declared beside ``@task`` (which on Django 6 takes no extra
options), keyed by the task's dotted path::

    @declare(kind="export", retry_safe=True, max_attempts=3)
    @task(takes_context=True)
    def export_task(context: TaskContext, job_id: int) -> int: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.utils.module_loading import import_string

from .framework import Task

TaskT = TypeVar("TaskT", bound=Task[Any, Any])


@dataclass(frozen=True)
class Policy:
    kind: str = ""
    label: str = ""  # shown on the jobs page (a lazy translation is fine)
    retry_safe: bool = False
    max_attempts: int = 1
    # Seconds before a retry runs (the cause, a locked table or a full disk, may need a moment to pass).
    retry_delay: int = 30

    def may_retry(self, attempts: int) -> bool:
        """After ``attempts`` runs (the one that just failed included), may the task run once more?"""
        return self.retry_safe and attempts < self.max_attempts


DEFAULT = Policy()
_POLICIES: dict[str, Policy] = {}


def declare(
    *,
    kind: str,
    label: Any = "",
    retry_safe: bool = False,
    max_attempts: int = 1,
    retry_delay: int = 30,
) -> Callable[[TaskT], TaskT]:
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def register(task: TaskT) -> TaskT:
        _POLICIES[task.module_path] = Policy(
            kind=kind, label=label, retry_safe=retry_safe, max_attempts=max_attempts, retry_delay=retry_delay
        )
        return task

    return register


def policy_for(task_path: str) -> Policy:
    """The declared policy of the task at ``task_path`` (importing its module if needed), else the default."""
    if task_path not in _POLICIES:
        try:
            import_string(task_path)
        except ImportError:
            return DEFAULT
    return _POLICIES.get(task_path, DEFAULT)
