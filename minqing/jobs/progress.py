"""Progress reports from inside a task: cheap (one UPDATE, at most about once a second) and safe to call often.

    reporter = progress.current()           # the task being run by this thread (a no-op outside a task)
    reporter.update(done=n, total=total)    # throttled
    reporter.update(done=total, force=True)

Progress bars (the jobs page, any app's own status partial) read ``TaskProgress``.
"""

from __future__ import annotations

import contextvars
import time

from django.utils import timezone

from .models import TaskProgress

_current: contextvars.ContextVar[str] = contextvars.ContextVar("minqing_task_id", default="")
EVERY_SECONDS = 1.0


class Progress:
    def __init__(self, task_id: str, *, every_seconds: float = EVERY_SECONDS) -> None:
        self.task_id = task_id
        self.every_seconds = every_seconds
        self._written_at = 0.0
        self._message: str | None = None

    def update(
        self, *, done: int, total: int | None = None, message: str | None = None, force: bool = False
    ) -> bool:
        """Record progress unless the last write was under ``every_seconds`` ago. True when written."""
        if not self.task_id:
            return False
        now = time.monotonic()
        finished = total is not None and done >= total
        changed = message is not None and message != self._message
        if not (force or finished or changed or now - self._written_at >= self.every_seconds):
            return False
        fields: dict[str, object] = {"done": done, "updated_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = message[:200]
            self._message = message
        TaskProgress.objects.filter(task_id=self.task_id).update(**fields)
        self._written_at = now
        return True


def current() -> Progress:
    """A reporter for the task this thread is running (set by the task-started signal)."""
    return Progress(_current.get())


def set_current(task_id: str) -> contextvars.Token[str]:
    return _current.set(task_id)


def clear_current() -> None:
    _current.set("")
