"""Deadlines: working days on the official calendar (Spring Festival, make-up working days), clock hours,
the nearest time limit, and the Monday-to-Friday fallback for a year the calendar does not know."""

import datetime

import pytest
from django.utils import timezone

from minqing.core import workdays
from minqing.tickets.models import TimeLimit
from minqing.tickets.services import due_at, time_limit


def local(*args):
    return timezone.make_aware(datetime.datetime(*args), timezone.get_current_timezone())


def test_calendar_knows_2026_but_not_2027():
    # chinesecalendar 1.11 carries the notices up to 2026: the 2027 Spring Festival cannot be tested exactly.
    assert workdays.calendar_knows(2026)
    assert not workdays.calendar_knows(2027)


def test_spring_festival_2026_is_skipped():
    # 2026: Spring Festival holiday 15–23 February; Saturday 14 and Saturday 28 February are make-up workdays.
    filed = local(2026, 2, 13, 10, 30)  # Friday
    assert workdays.add_working_days(filed, 1) == local(2026, 2, 14, 10, 30)  # make-up Saturday
    assert workdays.add_working_days(filed, 2) == local(2026, 2, 24, 10, 30)  # first day after the holiday
    assert workdays.add_working_days(filed, 5) == local(2026, 2, 27, 10, 30)
    assert workdays.add_working_days(filed, 6) == local(2026, 2, 28, 10, 30)  # make-up Saturday again


def test_filed_during_the_holiday_counts_from_the_next_working_day():
    filed = local(2026, 2, 17, 22, 0)  # 初一 holiday
    assert workdays.add_working_days(filed, 1) == local(2026, 2, 24, 23, 59, 59)
    assert workdays.add_working_days(filed, 5) == local(2026, 2, 28, 23, 59, 59)


def test_an_unknown_year_counts_monday_to_friday():
    filed = local(2027, 2, 5, 9, 0)  # a Friday of 2027 (its holiday notice is not in the package)
    assert workdays.add_working_days(filed, 1) == local(2027, 2, 8, 9, 0)
    assert workdays.workday_info(datetime.date(2027, 2, 8)) == (True, False)


def test_default_limits_by_urgency(cats):
    filed = local(2026, 2, 13, 10, 30)
    assert due_at(cats.clinic, "critical", filed) == filed + datetime.timedelta(hours=6)
    assert due_at(cats.clinic, "urgent", filed) == filed + datetime.timedelta(
        hours=24
    )  # hours ignore holidays
    assert due_at(cats.clinic, "normal", filed) == local(2026, 2, 27, 10, 30)


def test_the_nearest_time_limit_wins(cats):
    TimeLimit.objects.create(category=cats.medical, urgency="normal", amount=2, unit="working_days")
    assert time_limit(cats.clinic, "normal") == (2, "working_days")  # the parent's rule holds for the child
    TimeLimit.objects.create(category=cats.clinic, urgency="normal", amount=12, unit="hours")
    assert time_limit(cats.clinic, "normal") == (12, "hours")
    assert time_limit(cats.housing, "normal") == (5, "working_days")  # the general rule


def test_a_time_limit_must_be_positive(cats):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        TimeLimit(category=cats.housing, urgency="normal", amount=0, unit="hours").full_clean()
