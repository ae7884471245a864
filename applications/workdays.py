"""Working days of an application's country (weekends and its public holidays, from the
`holidays` package), for "30 working days before `valid_until`" (EU Regulation 608/2013, art. 13)
and the reminders before that day.

The same calendar as the case deadlines (alerts/workdays.py), written again here because this
app sits below the exchange layer and may not import it; both could move to core."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

# The extension request must arrive at least this many working days before valid_until.
EXTENSION_NOTICE_DAYS = 30
# The first application.extension_due reminder: this many working days before the last day.
EARLY_REMINDER_DAYS = 10


@lru_cache(maxsize=512)
def _holidays(country: str, year: int) -> frozenset[date]:
    try:
        calendar = holidays.country_holidays(country, years=year)
    except NotImplementedError:  # a country the package does not know: weekends only
        return frozenset()
    return frozenset(calendar.keys())


def is_working_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(country.upper(), day.year)


def subtract_working_days(end: date, days: int, country: str) -> date:
    """The working day `days` working days before `end` (`end` itself never counts)."""
    day, counted = end, 0
    while counted < days:
        day -= timedelta(days=1)
        if is_working_day(day, country):
            counted += 1
    return day


def extension_due_by(valid_until: date, country: str) -> date:
    """The last day an extension request may arrive: 30 working days before `valid_until`."""
    return subtract_working_days(valid_until, EXTENSION_NOTICE_DAYS, country)


def early_reminder_day(due_by: date, country: str) -> date:
    """The first reminder: 10 working days before the last day."""
    return subtract_working_days(due_by, EARLY_REMINDER_DAYS, country)
