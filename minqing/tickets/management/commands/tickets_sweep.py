"""``manage.py tickets_sweep``: raise the day's 督办 on every overdue ticket (cron-safe: once a day per ticket)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minqing.tickets.periodic import tickets_sweep


class Command(BaseCommand):
    help = "Record a supervision (督办) event on every overdue open ticket, once per ticket per day."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(tickets_sweep())
