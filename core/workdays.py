"""Working days in a country's calendar: weekends and its national public holidays (the
`holidays` package) are not working days. The calendar of case deadlines (alerts/workdays.py)
and of applications for action (applications/workdays.py)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


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
    """The working day `days` working days before `end` (`end` itself never counts)."""
    day, counted = end, 0
    while counted < days:
        day -= timedelta(days=1)
        if is_working_day(day, country):
            counted += 1
    return day
