"""``manage.py run_periodic [name ...]``: run the periodic jobs that are due (or the named ones, now).

Exit status: 0 when every job ran or was skipped (still running elsewhere) or not due, 1 when one failed,
2 for an unknown name. Meant for a systemd timer or cron every 5 minutes (docs/operations.md).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minqing.jobs import periodic


class Command(BaseCommand):
    help = "运行到期的定时任务（或指定名称的任务）。Names: the keys of the PERIODIC_JOBS setting."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("names", nargs="*", help="run these jobs now, due or not")
        parser.add_argument("--list", action="store_true", help="list the configured jobs and exit")

    def handle(self, *args: Any, names: list[str], list: bool, **options: Any) -> None:
        if list:
            for job in periodic.configured().values():
                self.stdout.write(f"{job.name}\t{job.schedule}\t{job.callable_path}")
            return
        try:
            outcomes = periodic.run(names or None)
        except periodic.UnknownPeriodicJob as error:
            known = ", ".join(periodic.configured())
            raise CommandError(
                f"unknown periodic job: {error.args[0]} (known: {known})", returncode=2
            ) from None
        for outcome in outcomes:
            if outcome.status == "not_due" and options["verbosity"] < 2:
                continue
            line = f"{outcome.name}: {outcome.status}" + (f" — {outcome.message}" if outcome.message else "")
            self.stdout.write(line)
        failed = [o.name for o in outcomes if o.status == "failed"]
        if failed:
            raise CommandError(f"periodic job(s) failed: {', '.join(failed)}")
