"""Calendar periods of the quota rules: months, quarters, half years, years (local time), and ISO weeks.

A household rule "every household visited at least once every N months" takes N in 1, 2, 3, 4, 6 or 12, so
its periods tile the calendar year (Quzhou's half year is January–June and July–December): every cadre and
every page then agree on which period a visit counts for. A period is written ``2026``, ``2026-H2``,
``2026-Q4``, ``2026-T6`` (two months), ``2026-S3`` (four months) or ``2026-12`` in URLs.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

#: Allowed N of "once every N months", and the letter of their period in a URL.
MONTH_SPANS = {1: "", 2: "T", 3: "Q", 4: "S", 6: "H", 12: "Y"}
_LETTERS = {letter: months for months, letter in MONTH_SPANS.items() if letter and letter != "Y"}
_PATTERN = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|([TQSH])(\d)))?$", re.ASCII)


@dataclass(frozen=True)
class Period:
    """``months`` calendar months starting at the first day of ``start`` (local dates)."""

    start: datetime.date
    months: int

    @property
    def end(self) -> datetime.date:
        """The first day after the period."""
        return add_months(self.start, self.months)

    @property
    def key(self) -> str:
        if self.months == 12:
            return f"{self.start.year}"
        if self.months == 1:
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}-{MONTH_SPANS[self.months]}{(self.start.month - 1) // self.months + 1}"

    @property
    def label(self) -> str:
        year, month = self.start.year, self.start.month
        if self.months == 12:
            return _("%(year)s年") % {"year": year}
        if self.months == 1:
            return _("%(year)s年%(month)s月") % {"year": year, "month": month}
        last = month + self.months - 1
        return _("%(year)s年%(first)s—%(last)s月") % {"year": year, "first": month, "last": last}

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day < self.end

    def start_at(self) -> datetime.datetime:
        return local_midnight(self.start)

    def end_at(self) -> datetime.datetime:
        return local_midnight(self.end)

    def previous(self) -> Period:
        return Period(add_months(self.start, -self.months), self.months)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def today() -> datetime.date:
    return timezone.localdate()


def containing(day: datetime.date, months: int) -> Period:
    """The period of ``months`` months (a divisor of 12) that holds ``day``."""
    if months not in MONTH_SPANS:
        raise ValueError(months)
    first = (day.month - 1) // months * months + 1
    return Period(datetime.date(day.year, first, 1), months)


def parse(value: str | None) -> Period | None:
    """A period from its URL form; None for anything else (the page then shows its default period)."""
    match = _PATTERN.match((value or "").strip())
    if not match:
        return None
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        return None
    if match.group(2):
        month = int(match.group(2))
        return Period(datetime.date(year, month, 1), 1) if 1 <= month <= 12 else None
    if match.group(3):
        months = _LETTERS[match.group(3)]
        number = int(match.group(4))
        if not 1 <= number <= 12 // months:
            return None
        return Period(datetime.date(year, (number - 1) * months + 1, 1), months)
    return Period(datetime.date(year, 1, 1), 12)


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The ISO week (Monday to Sunday) holding ``day``: (its Monday, the Monday after)."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=7)


def month_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    return first, add_months(first, 1)


def reference_day(period: Period, day: datetime.date | None = None) -> datetime.date:
    """The day the monthly and weekly quotas of a page about ``period`` are judged on: today while the
    period runs, else its last day."""
    day = day or today()
    return day if period.contains(day) else period.end - datetime.timedelta(days=1)
