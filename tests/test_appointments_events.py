"""Each step of an appointment is audited and told through the notification pipeline
(in-process): `appointment.requested` to the firm's admins, `appointment.accepted` and
`appointment.ended` to both sides' admins, in-app and by e-mail as each prefers, never to a
webhook; and each step makes a new cache version."""

from __future__ import annotations

import dataclasses

import pytest
from django.core import mail

from accounts.models import AuditEntry, Role
from accounts.services import appointments as services
from core import event_types
from core.models import Event, Version
from notifications.models import EmailMode, Notification, Preference
from tests.factories import member

pytest_plugins = ["tests.appointments_fixtures"]
pytestmark = pytest.mark.django_db


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(event__kind=kind).values_list("recipient__email", flat=True))


def mailed(kind: str) -> set[str]:
    return {message.to[0] for message in mail.outbox if message.extra_headers.get("X-IPM-Event") == kind}


@pytest.fixture
def everyone(acme_admin, acme_editor, acme_viewer, firm_admin, firm_editor, firm_viewer, other_firm_admin):
    """Both sides' members and an outsider, with a second admin at the firm."""
    return member(firm_admin.organization, Role.ADMIN, email="second@lex.example")


def test_appointing_tells_the_firms_admins(everyone, acme_admin, firm, firm_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_create(
            actor=acme_admin, representative=firm.pk, countries=["FR", "ES"], role="editor"
        )
    event = Event.objects.get(kind="appointment.requested")
    assert event.subject == appointment and event.actor == acme_admin and event.organization is None
    assert told("appointment.requested") == {firm_admin.email, everyone.email}
    assert mailed("appointment.requested") == {firm_admin.email, everyone.email}
    notification = Notification.objects.get(recipient=firm_admin)
    assert notification.title == "Acme Watches appoints Lex & Partners as its representative (ES, FR, as editor)"
    assert notification.link == "/accounts/appointments/"
    entry = AuditEntry.objects.get(action="appointment.requested")
    assert entry.actor == acme_admin and entry.organization == acme_admin.organization
    assert entry.target_id == str(appointment.pk)
    assert entry.details == {
        "right_holder": acme_admin.organization.pk,
        "representative": firm.pk,
        "all_countries": False,
        "countries": ["ES", "FR"],
        "role": "editor",
    }


def test_accepting_tells_both_sides_admins(
    everyone, appoint, acme_admin, firm_admin, django_capture_on_commit_callbacks
):
    appointment = appoint(all_countries=True, role="viewer")
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_accept(actor=firm_admin, appointment=appointment)
    assert told("appointment.accepted") == {acme_admin.email, firm_admin.email, everyone.email}
    assert mailed("appointment.accepted") == {acme_admin.email, firm_admin.email, everyone.email}
    title = Notification.objects.get(recipient=acme_admin, event__kind="appointment.accepted").title
    assert title == "Lex & Partners now represents Acme Watches (every country, as viewer)"
    entry = AuditEntry.objects.get(action="appointment.accepted")
    assert entry.actor == firm_admin and entry.organization == firm_admin.organization


@pytest.mark.parametrize(
    ("ender", "accepted", "title", "action"),
    [
        ("acme_admin", True, "Lex & Partners no longer represents Acme Watches", "appointment.ended"),
        ("firm_admin", True, "Lex & Partners no longer represents Acme Watches", "appointment.ended"),
        ("firm_admin", False, "Lex & Partners declined to represent Acme Watches", "appointment.declined"),
        ("acme_admin", False, "Acme Watches withdrew the appointment of Lex & Partners", "appointment.declined"),
    ],
)
def test_ending_tells_both_sides_admins(
    request,
    everyone,
    appoint,
    acme_admin,
    firm_admin,
    django_capture_on_commit_callbacks,
    ender,
    accepted,
    title,
    action,
):
    appointment = appoint(accept=firm_admin if accepted else None)
    actor = request.getfixturevalue(ender)
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_end(actor=actor, appointment=appointment)
    assert told("appointment.ended") == {acme_admin.email, firm_admin.email, everyone.email}
    assert Notification.objects.get(recipient=firm_admin, event__kind="appointment.ended").title == title
    entry = AuditEntry.objects.get(action=action)
    assert entry.actor == actor and entry.organization == actor.organization
    assert entry.details["before"] == ("active" if accepted else "requested")


def test_no_editor_viewer_or_outsider_is_told(everyone, appoint, firm_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appoint()
        services.appointment_accept(actor=firm_admin, appointment=appointment)
        services.appointment_end(actor=firm_admin, appointment=appointment)
    outsiders = {"eddie@acme.example", "vera@acme.example", "eric@lex.example", "victor@lex.example"}
    outsiders.add("nadia@northwind.example")
    reached = set(Notification.objects.values_list("recipient__email", flat=True))
    assert reached and not reached & outsiders
    assert not {message.to[0] for message in mail.outbox} & outsiders


def test_email_follows_each_persons_preference(appoint, firm_admin, everyone, django_capture_on_commit_callbacks):
    Preference.objects.create(user=everyone, email=EmailMode.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        appoint()
    assert told("appointment.requested") == {firm_admin.email, everyone.email}
    assert mailed("appointment.requested") == {firm_admin.email}


def test_the_title_is_written_in_each_readers_language(
    appoint, firm_admin, everyone, django_capture_on_commit_callbacks, monkeypatch
):
    """The title is made under each recipient's language (the pipeline's translation.override),
    not the actor's: seen here through the role's name, translated by Django's catalogue."""
    from django.utils import translation

    seen = []
    entry = event_types.get("appointment.requested")

    def spy(event):
        seen.append(translation.get_language())
        return entry.title(event)

    monkeypatch.setitem(event_types._registry, entry.kind, dataclasses.replace(entry, title=spy))
    everyone.language = "fr"
    everyone.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        appoint()
    assert {"en", "fr"} <= set(seen)


def test_appointment_events_are_no_webhooks_business():
    for kind in ("appointment.requested", "appointment.accepted", "appointment.ended"):
        entry = event_types.get(kind)
        assert entry is not None and entry.webhooks is False


@pytest.mark.django_db(transaction=True)
def test_each_step_makes_a_new_cache_version(appoint, firm_admin):
    """Committed for real (the version is added once the change's transaction commits)."""

    def newest():
        return Version.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    before = newest()
    appointment = appoint()
    after_request = newest()
    services.appointment_accept(actor=firm_admin, appointment=appointment)
    after_accept = newest()
    services.appointment_end(actor=firm_admin, appointment=appointment)
    assert before < after_request < after_accept < newest()
