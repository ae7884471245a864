"""Deadline arithmetic: working days counted from the next working day, skipping weekends and
the case country's public holidays; one extension of 10 more working days; reminders and the
overdue flag from the beat tasks."""

from __future__ import annotations

import datetime

import pytest

from alerts import services, workdays
from alerts.models import Case, CaseStatus

from .alerts_fixtures import case_data

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures"]

D = datetime.date


def test_ten_working_days_skip_the_weekends():
    # Opened on Monday 2026-06-08: counted from Tuesday, two weekends skipped.
    assert workdays.answer_deadline(D(2026, 6, 8), "DE", perishable=False) == D(2026, 6, 22)


def test_opened_on_a_friday_counts_from_monday():
    assert workdays.add_working_days(D(2026, 6, 12), 1, "DE") == D(2026, 6, 15)


def test_opened_on_a_saturday_counts_from_monday():
    assert workdays.add_working_days(D(2026, 6, 13), 1, "DE") == D(2026, 6, 15)


def test_french_national_day_is_skipped_in_france_only():
    # Friday 2026-07-10; Tuesday 14 July is a holiday in France, a working day in Germany.
    assert workdays.answer_deadline(D(2026, 7, 10), "FR", perishable=False) == D(2026, 7, 27)
    assert workdays.answer_deadline(D(2026, 7, 10), "DE", perishable=False) == D(2026, 7, 24)


def test_german_unity_day_is_skipped_in_germany_only_for_perishable_goods():
    # Thursday 2025-10-02; Friday 3 October 2025 is German Unity Day.
    assert workdays.answer_deadline(D(2025, 10, 2), "DE", perishable=True) == D(2025, 10, 8)
    assert workdays.answer_deadline(D(2025, 10, 2), "FR", perishable=True) == D(2025, 10, 7)


def test_christmas_and_new_year_across_the_year_end():
    # Thursday 2026-12-24 in France: 25 Dec and 1 Jan are holidays; the count crosses years.
    assert workdays.answer_deadline(D(2026, 12, 24), "FR", perishable=False) == D(2027, 1, 11)


def test_the_extension_adds_ten_working_days_after_the_deadline():
    # Deadline Monday 2026-07-13 in France: 14 July skipped again.
    assert workdays.extended_deadline(D(2026, 7, 13), "FR") == D(2026, 7, 28)


def test_an_unknown_calendar_means_weekends_only():
    assert workdays.answer_deadline(D(2026, 7, 10), "XK", perishable=False) == D(2026, 7, 24)


def test_reminder_two_working_days_before_but_never_before_opening():
    assert workdays.reminder_day(D(2026, 7, 27), "FR", opened=D(2026, 7, 10)) == D(2026, 7, 23)
    # A perishable case due on the 3rd working day is reminded on its first.
    assert workdays.reminder_day(D(2026, 6, 11), "DE", opened=D(2026, 6, 8)) == D(2026, 6, 9)


@pytest.fixture
def opened_on(monkeypatch):
    """opened_on(date): the services' "today" is that date."""

    def set_today(day: datetime.date):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)

    return set_today


@pytest.mark.django_db
def test_a_case_gets_its_deadline_in_its_country(officer_fr, brand_fr, product_fr, opened_on):
    opened_on(D(2026, 7, 10))
    case = services.case_open(actor=officer_fr, data=case_data(brand_fr, product_fr))
    assert case.country.code == "FR" and case.deadline == D(2026, 7, 27)
    perishable = services.case_open(actor=officer_fr, data=case_data(brand_fr, perishable=True))
    # Monday 13, (14 July), Wednesday 15, Thursday 16.
    assert perishable.deadline == D(2026, 7, 16)


@pytest.mark.django_db
def test_extension_once_only(acme_editor, officer_fr, brand_fr, opened_on):
    opened_on(D(2026, 7, 1))
    case = services.case_open(actor=officer_fr, data=case_data(brand_fr))
    assert case.deadline == D(2026, 7, 16)  # 14 July skipped
    case = services.case_extend(actor=acme_editor, case=case)
    assert case.deadline == D(2026, 7, 30) and case.extended
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.case_extend(actor=acme_editor, case=case)
    assert "deadline" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).deadline == D(2026, 7, 30)


@pytest.mark.django_db
def test_reminder_then_overdue_each_once(acme_editor, officer_fr, brand_fr, opened_on):
    opened_on(D(2026, 7, 10))
    case = services.case_open(actor=officer_fr, data=case_data(brand_fr))
    assert services.cases_remind_deadline(today=D(2026, 7, 22)) == 0
    assert services.cases_remind_deadline(today=D(2026, 7, 23)) == 1
    assert services.cases_remind_deadline(today=D(2026, 7, 24)) == 0  # once
    assert services.cases_flag_overdue(today=D(2026, 7, 27)) == 0  # the deadline day itself is fine
    assert services.cases_flag_overdue(today=D(2026, 7, 28)) == 1
    assert services.cases_flag_overdue(today=D(2026, 7, 29)) == 0
    assert Case.objects.get(pk=case.pk).overdue


@pytest.mark.django_db
def test_an_answered_case_is_never_flagged(acme_editor, officer_fr, brand_fr, opened_on):
    opened_on(D(2026, 7, 10))
    case = services.case_open(actor=officer_fr, data=case_data(brand_fr))
    services.case_respond(actor=acme_editor, case=case, verdict="counterfeit")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ANSWERED
    assert services.cases_flag_overdue(today=D(2026, 8, 30)) == 0
    assert services.cases_remind_deadline(today=D(2026, 7, 24)) == 0


@pytest.mark.django_db
def test_the_beat_task_flags_a_past_deadline(officer_fr, brand_fr, opened_on):
    from alerts.tasks import case_deadlines

    opened_on(D(2026, 7, 10))
    case = services.case_open(actor=officer_fr, data=case_data(brand_fr))
    opened_on(D(2026, 7, 28))
    assert case_deadlines.delay().get() == {"reminded": 0, "overdue": 1}
    assert Case.objects.get(pk=case.pk).overdue and Case.objects.get(pk=case.pk).reminded is False
