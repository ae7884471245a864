"""Working-day arithmetic for case deadlines, in the case country's calendar (core/workdays.py:
weekends and its national public holidays are not working days).

A detention (EU Regulation 608/2013): 10 working days, 3 for perishable goods, one extension of
10. A verification request: the working day the officer asks for, 1 to 30 working days ahead
(5 by default), one extension of 5."""

from __future__ import annotations

from datetime import date, timedelta

from core.workdays import add_working_days, is_working_day, subtract_working_days

__all__ = ["add_working_days", "is_working_day", "subtract_working_days"]  # and the deadlines below

ANSWER_DAYS = 10
PERISHABLE_ANSWER_DAYS = 3
EXTENSION_DAYS = 10
VERIFICATION_DAYS = 5
VERIFICATION_MAX_DAYS = 30
VERIFICATION_EXTENSION_DAYS = 5
# The deadline_near reminder goes out this many working days before the deadline.
REMINDER_DAYS_BEFORE = 2


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
