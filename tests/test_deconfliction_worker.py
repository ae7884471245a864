"""Deconfliction with real parts (issue 14): a Celery worker process on the real Redis and a real
SMTP server (aiosmtpd). A hit between the French customs and the French police tells exactly the
two organizations' coordinators, once each, in the inbox, and by e-mail the one who wants it
immediately; saving the subjects again, on either side, tells nobody again; the officers, the
brand owner and a third organization (German customs, with a case of its own) get nothing."""

from __future__ import annotations

import pytest

from alerts import services
from alerts.models import DeconflictionHit
from core.models import Event
from notifications.models import EmailMode, Notification, Preference
from tests.waiting import wait_for

from .alerts_fixtures import case_data

pytest_plugins = ["tests.brand_fixtures", "tests.network_fixtures"]
pytestmark = [pytest.mark.celery_worker]

WAIT = 180.0  # generous: other test runs may share the machine
HIT = "deconfliction.hit"


def hit_emails(smtp_server) -> list[tuple[list[str], object]]:
    return [(to, message) for to, message in smtp_server.messages if message["X-IPM-Event"] == HIT]


def completed(kind: str, count: int):
    return lambda: Event.objects.filter(kind=kind, completed_at__isnull=False).count() >= count


def test_a_hit_tells_both_coordinators_once_and_nobody_else(
    celery_worker,
    smtp_server,
    brand_all,
    acme_admin,
    acme_editor,
    officer_fr,
    coordinator_fr,
    police_officer_fr,
    police_coordinator_fr,
    officer_de,
    coordinator_de,
):
    celery_worker(EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}")
    # The customs coordinator wants e-mail immediately (the default); the police one a digest.
    Preference.objects.create(user=police_coordinator_fr, email=EmailMode.DIGEST)
    german_case = services.case_open(
        actor=officer_de,
        data=case_data(brand_all, subjects=[{"kind": "company", "value": "Rhein Handel GmbH"}]),
    )
    customs_case = services.case_open(
        actor=officer_fr,
        data=case_data(brand_all, subjects=[{"kind": "company", "value": "ACME Trading Co., Ltd."}]),
    )
    assert not DeconflictionHit.objects.exists()

    police_case = services.case_open(
        actor=police_officer_fr,
        data=case_data(
            brand_all,
            procedure="verification",
            location="Saint-Ouen market stall 14",
            subjects=[
                {"kind": "phone", "value": "+33 6 12 34 56 78"},
                {"kind": "company", "value": "acme trading co ltd"},
            ],
        ),
    )

    [hit] = DeconflictionHit.objects.all()
    assert {hit.first_id, hit.second_id} == {customs_case.pk, police_case.pk}
    assert wait_for(completed(HIT, 2), WAIT), "the worker did not dispatch both sides of the hit"
    assert wait_for(lambda: hit_emails(smtp_server), WAIT), "no deconfliction e-mail reached the SMTP server"
    told = list(Notification.objects.filter(event__kind=HIT).values_list("recipient__email", flat=True))
    assert sorted(told) == sorted([coordinator_fr.email, police_coordinator_fr.email])
    # Each side reads the other organization and whom to call there.
    customs_note = Notification.objects.get(event__kind=HIT, recipient=coordinator_fr)
    assert customs_note.event.data["case"] == customs_case.pk
    assert customs_note.event.data["organization"]["name"] == police_case.organization.name
    assert police_coordinator_fr.email in [c["email"] for c in customs_note.event.data["contact"]]
    police_note = Notification.objects.get(event__kind=HIT, recipient=police_coordinator_fr)
    assert police_note.event.data["organization"]["name"] == customs_case.organization.name
    # E-mail: only the coordinator who wants it immediately, naming the other organization and
    # nothing of the other case.
    [(to, message)] = hit_emails(smtp_server)
    assert to == [coordinator_fr.email]
    assert police_case.organization.name in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert police_coordinator_fr.email in text
    assert "Saint-Ouen" not in text and "+33612345678" not in text and "06 12" not in text

    # Saving the subjects again, on both sides, with more subjects: no new pair, no new event.
    services.case_coordinate(
        actor=police_officer_fr,
        case=police_case,
        data={
            "subjects": [
                {"kind": "company", "value": "ACME TRADING CO LTD"},
                {"kind": "email", "value": "sales@acme-trading.example"},
            ]
        },
    )
    services.case_coordinate(
        actor=officer_fr,
        case=customs_case,
        data={
            "subjects": [
                {"kind": "company", "value": "Acme Trading Co Ltd"},
                {"kind": "website", "value": "https://www.acme-trading.example/shop"},
            ]
        },
    )
    # A later event through the same (solo, first in first out) worker: once it is done, anything
    # the repeated saves had handed over would be done too.
    services.case_open(actor=officer_de, data=case_data(brand_all, quantity=3))
    assert wait_for(completed("case.opened", 4), WAIT), "the worker did not dispatch the later case"
    assert DeconflictionHit.objects.count() == 1
    assert Event.objects.filter(kind=HIT).count() == 2
    assert Notification.objects.filter(event__kind=HIT).count() == 2
    assert len(hit_emails(smtp_server)) == 1

    # Nobody else: officers, the brand owner's people, the third organization (which has a case).
    for person in (officer_fr, police_officer_fr, acme_admin, acme_editor, officer_de, coordinator_de):
        assert not Notification.objects.filter(event__kind=HIT, recipient=person).exists(), person.email
    mailed = {address for to, _message in hit_emails(smtp_server) for address in to}
    assert mailed == {coordinator_fr.email}
    assert german_case.pk not in {hit.first_id, hit.second_id}
