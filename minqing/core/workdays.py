"""Working days by the Chinese official calendar (法定节假日与调休), from ``chinesecalendar``.

The package carries the State Council's holiday notices year by year (2004 to the year after its release).
For a year it does not know yet, Monday to Friday are counted (``calendar_knows`` says so, and callers show
it): update the package when the next year's notice is out.
"""

from __future__ import annotations

import datetime

import chinese_calendar  # type: ignore[import-untyped]
from django.utils import timezone


def workday_info(day: datetime.date) -> tuple[bool, bool]:
    """(whether ``day`` is a working day, whether the official calendar knew its year)."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:  # a year the package has no holiday notice for
        return day.weekday() < 5, False


def is_workday(day: datetime.date) -> bool:
    """Whether ``day`` is a working day (Monday to Friday for a year the calendar does not know)."""
    return workday_info(day)[0]


def calendar_knows(year: int) -> bool:
    """Whether the official holiday notice of ``year`` is in the installed ``chinesecalendar``."""
    return workday_info(datetime.date(year, 6, 1))[1]


def next_workday(day: datetime.date) -> datetime.date:
    """The first working day after ``day``."""
    day += datetime.timedelta(days=1)
    while not is_workday(day):
        day += datetime.timedelta(days=1)
    return day


def add_working_days(start: datetime.datetime, n: int) -> datetime.datetime:
    """The deadline ``n`` working days after ``start`` (an aware datetime), as 12345 desks count it.

    - filed on a working day: the same clock time on the n-th following working day (filed Friday 15:00 with
      1 working day: due Monday 15:00, or the next working day after a holiday);
    - filed on a rest day or holiday: the clock starts at the beginning of the next working day, which counts
      as day 1; the deadline is the end (23:59:59) of the n-th working day counted so.

    Local time (``TIME_ZONE``); the answer is aware. ``n`` ≥ 1.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    local = timezone.localtime(start)
    if is_workday(local.date()):
        day = local.date()
        for _step in range(n):
            day = next_workday(day)
        return local.replace(year=day.year, month=day.month, day=day.day)
    day = next_workday(local.date())
    for _step in range(n - 1):
        day = next_workday(day)
    end = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())
