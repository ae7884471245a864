"""Working days of an application's country (weekends and its public holidays, from the
`holidays` package), for "30 working days before `valid_until`" (EU Regulation 608/2013, art. 13)
and the reminders before that day. The calendar itself is core/workdays.py, shared with the case deadlines."""

from __future__ import annotations

from datetime import date

from core.workdays import is_working_day, subtract_working_days

__all__ = ["early_reminder_day", "extension_due_by", "is_working_day", "subtract_working_days"]

# The extension request must arrive at least this many working days before valid_until.
EXTENSION_NOTICE_DAYS = 30
# The first application.extension_due reminder: this many working days before the last day.
EARLY_REMINDER_DAYS = 10


def extension_due_by(valid_until: date, country: str) -> date:
    """The last day an extension request may arrive: 30 working days before `valid_until`."""
    return subtract_working_days(valid_until, EXTENSION_NOTICE_DAYS, country)


def early_reminder_day(due_by: date, country: str) -> date:
    """The first reminder: 10 working days before the last day."""
    return subtract_working_days(due_by, EARLY_REMINDER_DAYS, country)
