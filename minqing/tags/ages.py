"""Ages and durations as ``Q`` conditions on a date: the building blocks of the tag rules.

Rules run on a given date (the nightly refresh re-derives them), so every bound is a birth date or a
start date computed from ``today``, which keeps the conditions plain indexed comparisons.
"""

from __future__ import annotations

import datetime

from django.db.models import Q


def born_before(today: datetime.date, years: int) -> datetime.date:
    """The latest birth date of someone who is at least ``years`` old on ``today``."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def months_before(today: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for day in range(today.day, 27, -1):  # 31 → 30 → 29 → 28 until the month has the day
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    return datetime.date(year, month, min(today.day, 28))


def age_at_least(today: datetime.date, years: int) -> Q:
    return Q(birth_date__lte=born_before(today, years))


def age_under(today: datetime.date, years: int) -> Q:
    return Q(birth_date__gt=born_before(today, years))


def age_between(today: datetime.date, low: int, high: int) -> Q:
    """low ≤ age ≤ high."""
    return age_at_least(today, low) & age_under(today, high + 1)
