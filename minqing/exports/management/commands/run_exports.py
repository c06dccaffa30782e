"""``manage.py run_exports``: the background worker for large Excel exports."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from minqing.exports import tasks


class Command(BaseCommand):
    help = (
        "处理排队中的Excel导出任务（后台导出）。Set EXPORTS_WORKER=1 for the web process to leave jobs to it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="run the queued jobs, then exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls of the queue")

    def handle(self, *args, once: bool, interval: float, **options) -> None:
        count = tasks.work(once=once, interval=interval, log=self.stdout.write)
        if once:
            self.stdout.write(f"{count} export job(s) run")
