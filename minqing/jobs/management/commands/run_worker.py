"""``manage.py run_worker``: django-tasks-db's ``db_worker`` (same options) with a heartbeat, the lost-task
reaper and retries. Run one or more under systemd (deploy/minqing-worker.service)."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from minqing.jobs.worker import HeartbeatWorker


class Command(db_worker.Command):
    help = "运行后台任务（数据库队列），并记录心跳、回收中断的任务。Same options as db_worker, plus --heartbeat/--stale-after."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat",
            type=db_worker.valid_interval,
            default=settings.JOBS_HEARTBEAT_SECONDS,
            help="seconds between heartbeats (default: %(default)r)",
        )
        parser.add_argument(
            "--stale-after",
            type=int,
            default=settings.JOBS_STALE_SECONDS,
            dest="stale_seconds",
            help="a RUNNING task whose worker has not beaten for this many seconds is lost (default: %(default)r)",
        )

    def handle(  # type: ignore[override]
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        heartbeat: float,
        stale_seconds: int,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        if stale_seconds <= heartbeat * 3:
            raise CommandError("--stale-after must be more than three heartbeats")
        worker = HeartbeatWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
            heartbeat_seconds=heartbeat,
            stale_seconds=stale_seconds,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
