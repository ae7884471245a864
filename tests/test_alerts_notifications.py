"""Alert and case events through the notification pipeline (in-process): who is told, once,
with what title, link and e-mail; nobody who must not know."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from accounts.models import Role
from alerts import services
from core.models import Event
from notifications.models import Notification
from tests.factories import member

from .alerts_fixtures import alert_data, case_data

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures"]
pytestmark = pytest.mark.django_db


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(event__kind=kind).values_list("recipient__email", flat=True))


def test_publishing_an_alert_tells_every_officer_of_the_target_countries_once(
    api,
    acme_editor,
    acme_admin,
    brand_all,
    officer_fr,
    coordinator_fr,
    officer_de,
    coordinator_de,
    customs_fr,
    other_rightholder,
    django_capture_on_commit_callbacks,
):
    pending = member(customs_fr, Role.OFFICER, status="pending", email="pending@douane.example")
    alert = services.alert_create(actor=acme_editor, data=alert_data(brand_all, target_countries=["FR"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = api(acme_editor).post(f"/api/v1/alerts/{alert.pk}/publish/")
    assert response.status_code == 200
    event = Event.objects.get(kind="alert.published")
    assert event.organization == brand_all.owner and event.subject == alert and event.data["alert"] == alert.pk
    assert told("alert.published") == {officer_fr.email, coordinator_fr.email}
    assert pending.email not in told("alert.published")
    notification = Notification.objects.get(recipient=officer_fr)
    assert notification.link == f"/alerts/{alert.pk}/" and "Fake Lumina watches" in notification.title
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {officer_fr.email, coordinator_fr.email}
    assert "Fake Lumina watches" in sent[officer_fr.email].subject
    assert "910211" in sent[officer_fr.email].body and f"/alerts/{alert.pk}/" in sent[officer_fr.email].body


def test_an_alert_to_two_countries_reaches_both(
    acme_editor, brand_all, officer_fr, officer_de, django_capture_on_commit_callbacks
):
    alert = services.alert_create(actor=acme_editor, data=alert_data(brand_all, target_countries=["FR", "DE"]))
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_publish(actor=acme_editor, alert=alert)
    assert told("alert.published") == {officer_fr.email, officer_de.email}


def test_a_french_officer_gets_the_alert_title_in_french(
    acme_editor, brand_all, officer_fr, django_capture_on_commit_callbacks
):
    officer_fr.language = "fr"
    officer_fr.save(update_fields=["language"])
    alert = services.alert_create(actor=acme_editor, data=alert_data(brand_all))
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_publish(actor=acme_editor, alert=alert)
    # Translated centrally later; the title is rendered under the recipient's language either way.
    assert Notification.objects.get(recipient=officer_fr).title.endswith("Fake Lumina watches via Le Havre")


@pytest.fixture
def another_officer_fr(customs_fr):
    return member(customs_fr, Role.OFFICER, email="odile@douane.example")


def test_case_events_reach_the_right_side(
    acme_admin,
    acme_editor,
    acme_viewer,
    officer_fr,
    coordinator_fr,
    another_officer_fr,
    officer_de,
    other_rightholder,
    brand_fr,
    product_fr,
    django_capture_on_commit_callbacks,
):
    owner_side = {acme_admin.email, acme_editor.email}
    officer_side = {officer_fr.email, coordinator_fr.email}
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_open(actor=officer_fr, data=case_data(brand_fr, product_fr))
    assert told("case.opened") == owner_side
    assert Notification.objects.get(recipient=acme_admin, event__kind="case.opened").link == f"/cases/{case.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        services.case_message_post(actor=acme_editor, case=case, body="Is the serial engraved?")
    assert told("case.message") == officer_side
    with django_capture_on_commit_callbacks(execute=True):
        services.case_message_post(actor=another_officer_fr, case=case, body="No, printed.")
    assert told("case.message") == officer_side | owner_side
    with django_capture_on_commit_callbacks(execute=True):
        services.case_respond(actor=acme_admin, case=case, verdict="counterfeit")
    assert told("case.answered") == officer_side
    assert "Counterfeit" in Notification.objects.get(recipient=officer_fr, event__kind="case.answered").title
    assert Event.objects.filter(kind__startswith="case.").exclude(organization=brand_fr.owner).count() == 0


def test_reminder_and_overdue_events(
    acme_admin, acme_editor, officer_fr, coordinator_fr, brand_fr, django_capture_on_commit_callbacks
):
    case = services.case_open(actor=officer_fr, data=case_data(brand_fr))
    with django_capture_on_commit_callbacks(execute=True):
        services.cases_remind_deadline(today=case.remind_on)
    assert told("case.deadline_near") == {acme_admin.email, acme_editor.email}
    with django_capture_on_commit_callbacks(execute=True):
        services.cases_flag_overdue(today=case.deadline + datetime.timedelta(days=1))
    assert told("case.overdue") == {acme_admin.email, acme_editor.email, officer_fr.email, coordinator_fr.email}
    assert Event.objects.filter(kind="case.overdue").count() == 1


def test_case_titles_name_the_country_and_date_in_the_reader_language():
    from types import SimpleNamespace

    from django.utils import translation

    from alerts.notifying import case_title

    opened = SimpleNamespace(kind="case.opened", data={"case": 7, "brand_name": "Lumina", "country": "DE"})
    near = SimpleNamespace(kind="case.deadline_near", data={"case": 7, "deadline": "2027-07-14"})
    with translation.override("en"):
        assert case_title(opened).endswith("(Germany)") and "July 14, 2027" in case_title(near)
    with translation.override("fr"):
        assert case_title(opened).endswith("(Allemagne)") and "14 juillet 2027" in case_title(near)
