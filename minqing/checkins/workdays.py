"""The working days of a month by the Chinese official calendar (法定节假日与调休), from ``core.workdays``.

The ``chinesecalendar`` package carries the State Council's holiday notices year by year. For a year it does not
know yet, Monday to Friday are counted and the page says so (``exact`` is False): update the package when the
next year's notice is out.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from minqing.core.workdays import workday_info


@dataclass(frozen=True)
class Month:
    """A calendar month: its first day and its working days (``exact``: by the official holiday calendar)."""

    first: datetime.date
    workdays: tuple[datetime.date, ...]
    exact: bool

    @property
    def last(self) -> datetime.date:
        return self.first.replace(day=calendar.monthrange(self.first.year, self.first.month)[1])

    @property
    def days(self) -> list[datetime.date]:
        return [self.first + datetime.timedelta(days=n) for n in range(self.last.day)]

    def workdays_until(self, day: datetime.date) -> int:
        """Working days of the month up to and including ``day`` (all of them for a past month)."""
        return sum(1 for d in self.workdays if d <= day)

    @property
    def label(self) -> str:
        return f"{self.first.year}-{self.first.month:02d}"


def is_workday(day: datetime.date) -> tuple[bool, bool]:
    """(whether ``day`` is a working day, whether the official calendar knew the year): ``core.workdays``."""
    return workday_info(day)


def month_of(first: datetime.date) -> Month:
    first = first.replace(day=1)
    days = [
        first + datetime.timedelta(days=n) for n in range(calendar.monthrange(first.year, first.month)[1])
    ]
    answers = [(day, *is_workday(day)) for day in days]
    return Month(
        first=first,
        workdays=tuple(day for day, work, _exact in answers if work),
        exact=all(exact for _day, _work, exact in answers),
    )


def parse_month(value: str | None, *, default: datetime.date) -> datetime.date | None:
    """``YYYY-MM`` (years 2000–2100) → the month's first day; "" or None → ``default``'s month; garbage → None."""
    text = (value or "").strip()
    if not text:
        return default.replace(day=1)
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    year, month = int(parts[0]), int(parts[1])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def shift(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)
