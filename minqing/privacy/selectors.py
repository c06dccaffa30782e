"""Reads for the supervisors' page 查看与导出监督: per-user reveals and exports of the area, flags, alerts.

Every read starts from ``AuditEvent.objects.visible_to(user, "audit")``: a supervisor sees the looks at
their area's records (a reveal is filed under the record's area, an export under its owner's export
scope) and the limit alerts of their area's users. A page costs a fixed number of queries: the grouped
page of users, one query for the page's 30-day daily history (medians), one for the alerts.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core.limits import REVEAL_VERB
from minqing.core.models import AuditEvent
from minqing.core.pagination import Page, paginate

EXPORT_VERBS = ("export.persons", "export.households")
LIMIT_VERBS = ("reveal.limit_exceeded", "export.limit_exceeded")
WATCHED = (REVEAL_VERB, *EXPORT_VERBS, *LIMIT_VERBS)
#: "Far above the user's own median": more than this many times their median active day, and at least
#: the floor (a user who usually looks twice a day and now looks seven times is not an alarm).
MEDIAN_FACTOR = 3
REVEAL_FLOOR = 20
EXPORT_FLOOR = 3
HISTORY_DAYS = 30
ALERTS_SHOWN = 20
FLAGS = {
    "limit": _("7天内超过限额被拒"),
    "export_limit": _("24小时导出次数达上限"),
    "reveal_volume": _("24小时查看次数很多"),
    "reveal_median": _("查看次数远高于本人常态"),
    "export_median": _("导出次数远高于本人常态"),
}


@dataclass
class UserLooks:
    """One user's looks at the area's data over the last 24 hours and 7 days, with what stands out."""

    actor_id: int
    name: str
    reveals_day: int
    reveals_week: int
    exports_day: int
    exports_week: int
    rows_day: int
    rows_week: int
    alerts_week: int
    reveal_median: float | None = None
    export_median: float | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def flag_labels(self) -> list[str]:
        return [str(FLAGS[f]) for f in self.flags]


def per_user(user: Any) -> QuerySet[Any, Any]:
    """One row per user who revealed or exported the area's data (or hit a limit) in the last 7 days."""
    now = timezone.now()
    day, week = now - datetime.timedelta(hours=24), now - datetime.timedelta(days=7)
    recent = Q(at__gte=day)
    exported = Q(verb__in=EXPORT_VERBS)
    return (
        AuditEvent.objects.visible_to(user, "audit")
        .filter(at__gte=week, verb__in=WATCHED, actor__isnull=False)
        .values("actor_id")
        .annotate(
            name=Max("actor_name"),
            reveals_day=Count("pk", filter=Q(verb=REVEAL_VERB) & recent),
            reveals_week=Count("pk", filter=Q(verb=REVEAL_VERB)),
            exports_day=Count("pk", filter=exported & recent),
            exports_week=Count("pk", filter=exported),
            rows_day=Sum("export_content__rows", filter=exported & recent, default=0),
            rows_week=Sum("export_content__rows", filter=exported, default=0),
            alerts_week=Count("pk", filter=Q(verb__in=LIMIT_VERBS)),
        )
        .order_by("-alerts_week", "-reveals_day", "-exports_day", "-reveals_week", "actor_id")
    )


def _medians(user: Any, actor_ids: list[int]) -> dict[tuple[int, str], float]:
    """Median looks per active day over the 30 days before the last 24 hours, per user and kind."""
    now = timezone.now()
    rows = (
        AuditEvent.objects.visible_to(user, "audit")
        .filter(
            actor_id__in=actor_ids,
            verb__in=(REVEAL_VERB, *EXPORT_VERBS),
            at__gte=now - datetime.timedelta(days=HISTORY_DAYS + 1),
            at__lt=now - datetime.timedelta(hours=24),
        )
        .annotate(day=TruncDate("at"))
        .values("actor_id", "day", "verb")
        .annotate(n=Count("pk"))
        .order_by()
    )
    days: dict[tuple[int, str], dict[datetime.date, int]] = {}
    for row in rows:
        kind = "reveal" if row["verb"] == REVEAL_VERB else "export"
        per_day = days.setdefault((row["actor_id"], kind), {})
        per_day[row["day"]] = per_day.get(row["day"], 0) + row["n"]
    return {key: statistics.median(counts.values()) for key, counts in days.items()}


def _flag(looks: UserLooks) -> None:
    hourly, daily = settings.REVEAL_LIMIT_PER_HOUR, settings.EXPORT_LIMIT_PER_DAY
    if looks.alerts_week:
        looks.flags.append("limit")
    if daily > 0 and looks.exports_day >= daily:
        looks.flags.append("export_limit")
    if hourly > 0 and looks.reveals_day >= hourly * 8:  # a working day at the hourly limit
        looks.flags.append("reveal_volume")
    if looks.reveal_median is not None and looks.reveals_day > max(
        MEDIAN_FACTOR * looks.reveal_median, REVEAL_FLOOR
    ):
        looks.flags.append("reveal_median")
    if looks.export_median is not None and looks.exports_day > max(
        MEDIAN_FACTOR * looks.export_median, EXPORT_FLOOR
    ):
        looks.flags.append("export_median")


def oversight(*, request: HttpRequest, user: Any) -> dict[str, Any]:
    """The page's context: a page of ``UserLooks`` and the latest limit alerts of the area."""
    page: Page = paginate(request, per_user(user))
    looks = [UserLooks(**row) for row in page]
    medians = _medians(user, [u.actor_id for u in looks]) if looks else {}
    for u in looks:
        u.reveal_median = medians.get((u.actor_id, "reveal"))
        u.export_median = medians.get((u.actor_id, "export"))
        _flag(u)
    alerts = list(
        AuditEvent.objects.visible_to(user, "audit")
        .filter(verb__in=LIMIT_VERBS, at__gte=timezone.now() - datetime.timedelta(days=7))
        .order_by("-at", "-id")[:ALERTS_SHOWN]
    )
    return {
        "page": page,
        "looks": looks,
        "alerts": alerts,
        "reveal_limit": settings.REVEAL_LIMIT_PER_HOUR,
        "export_limit": settings.EXPORT_LIMIT_PER_DAY,
        "rows_limit": settings.EXPORT_ROWS_PER_DAY,
    }
