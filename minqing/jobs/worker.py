"""The worker: django-tasks-db's ``Worker`` plus a heartbeat, the stale-task reaper and retries.

A thread refreshes this process's ``WorkerHeartbeat`` every few seconds, including while a task runs, and
every minute looks for RUNNING tasks whose worker stopped beating (``services.reap_stale``); the worker
reaps once at start too. A task that raises is re-enqueued when its policy allows (``policy.declare``).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from . import services
from .framework import TaskContext, task_finished, task_started

logger = logging.getLogger(__name__)
REAP_EVERY_SECONDS = 60.0


class HeartbeatWorker(Worker):
    def __init__(
        self,
        *,
        heartbeat_seconds: float,
        stale_seconds: int,
        threaded: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_seconds = stale_seconds
        self.threaded = threaded
        self.current_task_id = ""
        self._stop = threading.Event()
        self._reaped_at = 0.0

    def run(self) -> None:
        services.heartbeat_start(worker_id=self.worker_id, queues=",".join(self.queue_names))
        self.reap()
        beater = None
        if self.threaded:
            beater = threading.Thread(target=self._beat_loop, name=f"heartbeat-{self.worker_id}", daemon=True)
            beater.start()
        try:
            super().run()
        finally:
            self._stop.set()
            if beater is not None:
                beater.join(timeout=self.heartbeat_seconds + 5)
            services.heartbeat_stop(self.worker_id)

    def reap(self) -> None:
        outcome = services.reap_stale(stale_seconds=self.stale_seconds)
        self._reaped_at = time.monotonic()
        if outcome["requeued"] or outcome["failed"]:
            logger.warning("lost tasks: re-enqueued %s, failed %s", outcome["requeued"], outcome["failed"])

    def _beat_loop(self) -> None:
        """Heartbeat thread: its own database connection, closed when the worker stops."""
        try:
            while not self._stop.wait(self.heartbeat_seconds):
                try:
                    close_old_connections()
                    services.heartbeat_beat(self.worker_id, current_task_id=self.current_task_id)
                    if time.monotonic() - self._reaped_at >= REAP_EVERY_SECONDS:
                        self.reap()
                except Exception:
                    logger.exception("heartbeat of worker %s failed", self.worker_id)
        finally:
            connection.close()

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        """As django-tasks-db's ``run_task``, except that a failed retry-safe task is re-enqueued."""
        self.current_task_id = str(db_task_result.id)
        services.heartbeat_beat(self.worker_id, current_task_id=self.current_task_id)
        try:
            self.running_task = True
            task = db_task_result.task
            task_result: Any = db_task_result.task_result  # the backend's TaskResult subclass
            backend_type = type(task.get_backend())
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                return_value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                return_value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(return_value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except BaseException as error:  # as the library: a forced stop (SystemExit) mid-task is recorded too
            try:
                services.retry_or_fail(db_task_result, error)
            except (ImportError, SuspiciousOperation):
                logger.exception("Task id=%s failed unexpectedly", db_task_result.id)
        finally:
            self.running_task = False
            self._run_tasks += 1
            self.current_task_id = ""
            services.heartbeat_beat(self.worker_id)
