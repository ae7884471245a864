"""Alerts and cases with real parts: a Celery worker process on the real Redis and a real SMTP
server. A published alert reaches every approved officer of the target country exactly once and
nobody in another country; a verdict reaches the opening officer by e-mail."""

from __future__ import annotations

import time

import pytest

from accounts.models import Membership, OrganizationKind, Role, Status, User
from alerts import services
from core.models import Event
from notifications.models import EmailMode, Notification, Preference
from tests.factories import OrganizationFactory, member

from .alerts_fixtures import alert_data, case_data

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = [pytest.mark.celery_worker]


def wait_for(predicate, seconds=180.0, step=0.1) -> bool:
    """True once `predicate()` is; generous: other test runs may share the machine."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def officers(organization, count: int) -> list[User]:
    people = User.objects.bulk_create(
        User(email=f"o{index}@{organization.pk}.example", full_name=f"Officer {index}", status=Status.APPROVED)
        for index in range(count)
    )
    Membership.objects.bulk_create(Membership(user=p, organization=organization, role=Role.OFFICER) for p in people)
    Preference.objects.bulk_create(Preference(user=p, email=EmailMode.OFF) for p in people)
    return people


def test_a_published_alert_reaches_each_french_officer_once_and_no_german_one(
    celery_worker, api, acme_editor, brand_all
):
    celery_worker()
    france = OrganizationFactory(name="Douane", kind=OrganizationKind.CUSTOMS, country="FR")
    germany = OrganizationFactory(name="Zoll", kind=OrganizationKind.CUSTOMS, country="DE")
    french, german = officers(france, 300), officers(germany, 50)
    alert = services.alert_create(actor=acme_editor, data=alert_data(brand_all, target_countries=["FR"]))

    response = api(acme_editor).post(f"/api/v1/alerts/{alert.pk}/publish/")

    assert response.status_code == 200
    event = Event.objects.get(kind="alert.published")
    assert wait_for(lambda: Event.objects.get(pk=event.pk).completed_at is not None), "the fan-out did not finish"
    rows = list(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))
    assert len(rows) == len(set(rows)) == len(french)
    assert set(rows) == {p.pk for p in french}
    assert not Notification.objects.filter(recipient__in=german).exists()


def test_a_verdict_reaches_the_opening_officer_by_email(celery_worker, smtp_server, acme_editor, brand_all):
    celery_worker(EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}")
    france = OrganizationFactory(name="Douane", kind=OrganizationKind.CUSTOMS, country="FR")
    officer = member(france, Role.OFFICER, email="olga@douane.example", full_name="Olga")
    case = services.case_open(actor=officer, data=case_data(brand_all, quantity=12))
    assert wait_for(lambda: Event.objects.filter(kind="case.opened", completed_at__isnull=False).exists())
    smtp_server.messages.clear()

    services.case_respond(actor=acme_editor, case=case, verdict="counterfeit", comment="Printed serial.")

    assert wait_for(lambda: smtp_server.messages), "no e-mail reached the SMTP server"
    recipients, message = smtp_server.messages[0]
    assert recipients == [officer.email]
    assert message["X-IPM-Event"] == "case.answered"
    assert f"Case #{case.pk} answered: Counterfeit" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert f"/cases/{case.pk}/" in text and "Quantity: 12" in text
