"""Applications for action over time, with a fixed clock: the last day to ask for an extension
(30 working days before valid_until in the country's calendar: weekends and its public holidays),
the reminders before it and on it (application.extension_due), the trade mark reminder 90 days
before expiry (trademark.expiring), expiry, and the periodic task sending each reminder once
however often it runs."""

from __future__ import annotations

import datetime

import pytest

from applications import services, tasks, workdays
from applications.models import ApplicationStatus, ApplicationStep, StepKind
from brands.models import TrademarkRegistration
from notifications.models import Notification

from .applications_fixtures import VALID_UNTIL, D, told

pytest_plugins = ["tests.brand_fixtures", "tests.network_fixtures", "tests.applications_fixtures"]
pytestmark = pytest.mark.django_db

URL = "/api/v1/applications/"


# --------------------------------------------------------------------------- working days


@pytest.mark.parametrize(
    ("valid_until", "country", "due_by"),
    [
        # 30 working days back from Monday 31 August 2026: no holiday on a working day in between.
        (D(2026, 8, 31), "FR", D(2026, 7, 20)),
        (D(2026, 8, 31), "DE", D(2026, 7, 20)),
        # Back from Friday 14 August: Tuesday 14 July is a French holiday, not a German one.
        (D(2026, 8, 14), "FR", D(2026, 7, 2)),
        (D(2026, 8, 14), "DE", D(2026, 7, 3)),
        # Across the year's end: 1 January and 25 December 2026 (both Fridays) are skipped.
        (D(2027, 2, 5), "FR", D(2026, 12, 23)),
        # Back from a Sunday: the Friday before is the first working day counted.
        (D(2026, 9, 6), "FR", D(2026, 7, 27)),
    ],
)
def test_the_last_day_to_ask_for_an_extension(valid_until, country, due_by):
    assert workdays.extension_due_by(valid_until, country) == due_by
    assert workdays.is_working_day(due_by, country)


@pytest.mark.parametrize(
    ("due_by", "country", "early"),
    [
        # Ten working days before Monday 20 July 2026: 14 July skipped in France only.
        (D(2026, 7, 20), "FR", D(2026, 7, 3)),
        (D(2026, 7, 20), "DE", D(2026, 7, 6)),
    ],
)
def test_the_first_reminder_is_ten_working_days_before_the_last_day(due_by, country, early):
    assert workdays.early_reminder_day(due_by, country) == early


def test_a_country_the_calendar_does_not_know_counts_weekends_only():
    # Antarctica has no public holidays in the package: 30 weekdays back from Monday 31 August.
    assert workdays.extension_due_by(D(2026, 8, 31), "AQ") == D(2026, 7, 20)


def test_the_api_shows_the_last_day(api, acme_viewer, granted):
    body = api(acme_viewer).get(f"{URL}{granted.pk}/").json()
    assert (body["valid_until"], body["extension_due_by"]) == ("2026-08-31", "2026-07-20")


# --------------------------------------------------------------------------- extension requests


def test_an_extension_may_be_asked_on_the_last_day(
    api, acme_editor, granted, today, coordinator_fr, django_capture_on_commit_callbacks
):
    today(D(2026, 7, 20))
    with django_capture_on_commit_callbacks(execute=True):
        response = api(acme_editor).post(f"{URL}{granted.pk}/request-extension/")
    assert response.status_code == 200 and response.json()["extension_requested"] is True
    assert told("application.extension_requested") == {coordinator_fr.email}


def test_an_extension_may_be_asked_on_the_weekend_before_the_last_day(api, acme_editor, granted, today):
    today(D(2026, 7, 18))  # a Saturday
    assert api(acme_editor).post(f"{URL}{granted.pk}/request-extension/").status_code == 200


def test_an_extension_asked_after_the_last_day_is_a_400(api, acme_editor, granted, today):
    today(D(2026, 7, 21))
    response = api(acme_editor).post(f"{URL}{granted.pk}/request-extension/")
    assert response.status_code == 400 and set(response.json()) == {"extension_due_by"}
    granted.refresh_from_db()
    assert granted.extension_requested is False


def test_an_extension_is_asked_once(api, acme_editor, granted):
    assert api(acme_editor).post(f"{URL}{granted.pk}/request-extension/").status_code == 200
    again = api(acme_editor).post(f"{URL}{granted.pk}/request-extension/")
    assert again.status_code == 400 and set(again.json()) == {"extension_requested"}


def test_only_a_granted_application_is_extended(api, acme_editor, submitted):
    response = api(acme_editor).post(f"{URL}{submitted.pk}/request-extension/")
    assert response.status_code == 400 and set(response.json()) == {"status"}


def test_an_extension_sets_a_later_valid_until(api, acme_editor, coordinator_fr, granted):
    # Without a request, a granted application is decided: no second grant.
    early = api(coordinator_fr).post(f"{URL}{granted.pk}/grant/", {"valid_until": "2027-08-31"}, format="json")
    assert early.status_code == 400 and set(early.json()) == {"status"}
    api(acme_editor).post(f"{URL}{granted.pk}/request-extension/")
    for not_later in ("2026-08-31", "2026-08-01"):
        response = api(coordinator_fr).post(f"{URL}{granted.pk}/grant/", {"valid_until": not_later}, format="json")
        assert response.status_code == 400 and set(response.json()) == {"valid_until"}
    response = api(coordinator_fr).post(f"{URL}{granted.pk}/grant/", {"valid_until": "2027-08-31"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["valid_until"], body["extension_requested"]) == ("granted", "2027-08-31", False)
    # The first decision on the request wins.
    late = api(coordinator_fr).post(f"{URL}{granted.pk}/reject/", {"reason": "No."}, format="json")
    assert late.status_code == 400 and set(late.json()) == {"status"}


def test_a_refused_extension_leaves_the_application_granted(api, acme_editor, coordinator_fr, granted):
    api(acme_editor).post(f"{URL}{granted.pk}/request-extension/")
    response = api(coordinator_fr).post(f"{URL}{granted.pk}/reject/", {"reason": "Too late."}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["valid_until"], body["extension_requested"], body["reason"]) == (
        "granted",
        "2026-08-31",
        False,
        "Too late.",
    )
    assert ApplicationStep.objects.filter(application=granted, kind=StepKind.EXTENSION_REFUSED).exists()


# --------------------------------------------------------------------------- reminders


def test_the_extension_reminders_go_out_once_each(
    granted, acme_admin, acme_editor, acme_viewer, coordinator_fr, django_capture_on_commit_callbacks
):
    sent = {}
    for day in (
        D(2026, 7, 2),
        D(2026, 7, 3),
        D(2026, 7, 3),
        D(2026, 7, 6),
        D(2026, 7, 17),
        D(2026, 7, 20),
        D(2026, 7, 20),
        D(2026, 7, 21),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            sent.setdefault(day, []).append(services.applications_remind(day))
    assert sent == {
        D(2026, 7, 2): [0],
        D(2026, 7, 3): [1, 0],  # ten working days before Monday 20 July (14 July skipped)
        D(2026, 7, 6): [0],
        D(2026, 7, 17): [0],
        D(2026, 7, 20): [1, 0],  # on the last day
        D(2026, 7, 21): [0],
    }
    rows = Notification.objects.filter(event__kind="application.extension_due")
    assert told("application.extension_due") == {acme_admin.email, acme_editor.email}
    assert rows.count() == 4  # two reminders, two writers each


def test_no_reminder_once_the_extension_is_asked(acme_editor, granted, today):
    today(D(2026, 7, 6))
    services.application_request_extension(actor=acme_editor, application=granted)
    assert services.applications_remind(D(2026, 7, 20)) == 0


def test_a_new_valid_until_brings_new_reminders(acme_editor, coordinator_fr, granted, today):
    assert services.applications_remind(D(2026, 7, 3)) == 1
    services.application_request_extension(actor=acme_editor, application=granted)
    services.application_grant(actor=coordinator_fr, application=granted, valid_until=D(2027, 8, 31))
    granted.refresh_from_db()
    due_by = granted.extension_due_by
    early = workdays.early_reminder_day(due_by, "FR")
    assert services.applications_remind(early) == 1
    assert services.applications_remind(due_by) == 1


def test_the_trade_mark_reminder_goes_out_once_90_days_before_expiry(
    brand_fr, acme_admin, acme_editor, acme_viewer, django_capture_on_commit_callbacks
):
    TrademarkRegistration.objects.create(brand=brand_fr, office="EUIPO", number="0185", expiry_date=D(2026, 9, 29))
    TrademarkRegistration.objects.create(brand=brand_fr, office="INPI", number="42", expiry_date=None)
    counts = []
    for day in (D(2026, 6, 30), D(2026, 7, 1), D(2026, 7, 1), D(2026, 7, 2), D(2026, 9, 29)):
        with django_capture_on_commit_callbacks(execute=True):
            counts.append(services.trademarks_remind(day))
    assert counts == [0, 1, 0, 0, 0]
    assert told("trademark.expiring") == {acme_admin.email, acme_editor.email}
    title = Notification.objects.filter(event__kind="trademark.expiring").values_list("title", flat=True).first()
    assert "EUIPO 0185" in title and "Lumina Secret" in title


# --------------------------------------------------------------------------- expiry and the task


def test_an_application_expires_after_valid_until(granted, officer_fr, api, today):
    assert services.applications_expire(VALID_UNTIL) == 0
    assert services.applications_expire(VALID_UNTIL + datetime.timedelta(days=1)) == 1
    assert services.applications_expire(VALID_UNTIL + datetime.timedelta(days=2)) == 0
    granted.refresh_from_db()
    assert granted.status == ApplicationStatus.EXPIRED
    assert list(ApplicationStep.objects.filter(application=granted, kind=StepKind.EXPIRED)) != []
    assert api(officer_fr).get(f"{URL}{granted.pk}/").status_code == 404


def test_the_periodic_task_run_twice_sends_once(
    granted, brand_fr, today, acme_editor, django_capture_on_commit_callbacks
):
    TrademarkRegistration.objects.create(brand=brand_fr, office="EUIPO", number="7", expiry_date=D(2026, 10, 1))
    today(D(2026, 7, 3))
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.application_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.application_reminders()
    assert first == {"expired": 0, "extension_due": 1, "trademark_expiring": 1}
    assert second == {"expired": 0, "extension_due": 0, "trademark_expiring": 0}
    assert Notification.objects.filter(recipient=acme_editor, event__kind="application.extension_due").count() == 1
    assert Notification.objects.filter(recipient=acme_editor, event__kind="trademark.expiring").count() == 1


def test_the_task_is_on_the_beat(settings):
    entries = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "applications.tasks.application_reminders" in entries
