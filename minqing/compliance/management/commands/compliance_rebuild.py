"""``manage.py compliance_rebuild``: recount the compliance figures from the registry and the visit log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minqing.compliance.periodic import compliance_reconcile


class Command(BaseCommand):
    help = "Recount visit coverage figures (HouseholdVisitStat, VisitTally) from households and visits."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(compliance_reconcile())
