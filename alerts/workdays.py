"""Working-day arithmetic for case deadlines, in the case country's calendar: weekends and its
national public holidays (the `holidays` package) are not working days.

A detention (EU Regulation 608/2013): 10 working days, 3 for perishable goods, one extension of
10. A verification request: the working day the officer asks for, 1 to 30 working days ahead
(5 by default), one extension of 5."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

ANSWER_DAYS = 10
PERISHABLE_ANSWER_DAYS = 3
EXTENSION_DAYS = 10
VERIFICATION_DAYS = 5
VERIFICATION_MAX_DAYS = 30
VERIFICATION_EXTENSION_DAYS = 5
# The deadline_near reminder goes out this many working days before the deadline.
REMINDER_DAYS_BEFORE = 2


@lru_cache(maxsize=512)
def _holidays(country: str, year: int) -> frozenset[date]:
    try:
        calendar = holidays.country_holidays(country, years=year)
    except NotImplementedError:  # a country the package does not know: weekends only
        return frozenset()
    return frozenset(calendar.keys())


def is_working_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(country.upper(), day.year)


def add_working_days(start: date, days: int, country: str) -> date:
    """The `days`-th working day after `start` (`start` itself never counts): counted from the
    next working day, so add_working_days(friday, 1) is the next Monday (if it is not a
    holiday)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, country):
            counted += 1
    return day


def subtract_working_days(end: date, days: int, country: str) -> date:
    """The working day `days` working days before `end`."""
    day, counted = end, 0
    while counted < days:
        day -= timedelta(days=1)
        if is_working_day(day, country):
            counted += 1
    return day


def answer_deadline(opened: date, country: str, *, perishable: bool) -> date:
    return add_working_days(opened, PERISHABLE_ANSWER_DAYS if perishable else ANSWER_DAYS, country)


def extended_deadline(deadline: date, country: str, days: int = EXTENSION_DAYS) -> date:
    return add_working_days(deadline, days, country)


def verification_deadline(opened: date, country: str) -> date:
    """A verification's answer date when the officer asks for none."""
    return add_working_days(opened, VERIFICATION_DAYS, country)


def verification_window(opened: date, country: str) -> tuple[date, date]:
    """The first and last answer dates an officer may ask for (both working days)."""
    return add_working_days(opened, 1, country), add_working_days(opened, VERIFICATION_MAX_DAYS, country)


def reminder_day(deadline: date, country: str, *, opened: date) -> date:
    """When to remind: REMINDER_DAYS_BEFORE working days before the deadline, never before the
    day after opening (a 3-day perishable case is reminded on its first working day)."""
    day = subtract_working_days(deadline, REMINDER_DAYS_BEFORE, country)
    return max(day, opened + timedelta(days=1))
