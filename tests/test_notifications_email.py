"""E-mail on the pipeline: at least once with a delivery row per recipient, retried after the
SMTP server fails, in each person's language and mode (immediate, daily digest, off); account
e-mails whatever the mode."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.models import OrganizationKind, Role, Status
from core.events import emit
from notifications import pipeline, tasks
from notifications.digests import digests_send
from notifications.models import Channel, DeliveryStatus, EmailDelivery, EventChunk, Notification, Preference
from tests import notifying_helpers
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def customs():
    return OrganizationFactory(name="Douane", kind=OrganizationKind.CUSTOMS, country="FR")


def dispatch(event):
    return [EventChunk.objects.get(pk=pk) for pk in pipeline.event_dispatch(str(event.pk))]


def deliver_all(event):
    for chunk in dispatch(event):
        pipeline.chunk_deliver(chunk.pk)


def test_smtp_failure_is_recorded_then_retried_and_sent_once(customs, smtp, settings):
    officer = member(customs, Role.OFFICER, language="es", full_name="Elena")
    event = emit(notifying_helpers.BROADCAST, subject=customs, data={"text": "Lumina"})
    chunk = next(c for c in dispatch(event) if c.channel == Channel.EMAIL)

    settings.EMAIL_PORT = 1  # nothing listens there
    result = pipeline.chunk_deliver(chunk.pk)

    delivery = EmailDelivery.objects.get(event=event, recipient=officer)
    assert result.failed == 1 and delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
    assert EventChunk.objects.get(pk=chunk.pk).done_at is None
    assert smtp.messages == []

    settings.EMAIL_PORT = smtp.port  # the server is back
    pipeline.chunk_deliver(chunk.pk)
    pipeline.chunk_deliver(chunk.pk)  # a duplicate run sends nothing more

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2 and delivery.last_error == ""
    assert len(smtp.messages) == 1
    _to, message = smtp.messages[0]
    assert message["X-IPM-Event-Id"] == str(event.pk)
    assert message["Subject"] == "[IPM Portal] Organización: Lumina"
    assert "Hola, Elena:" in message.get_body(("plain",)).get_content()
    assert message.get_body(("html",)) is not None


def test_retries_back_off_and_end_recorded_as_failed(customs, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    officer = member(customs, Role.OFFICER)
    event = emit(notifying_helpers.BROADCAST, subject=customs)
    chunk = next(c for c in dispatch(event) if c.channel == Channel.EMAIL)

    postponed = []
    for retries in range(tasks.deliver_chunk.max_retries):
        before = timezone.now()
        tasks.deliver_chunk.apply(args=(chunk.pk,), retries=retries)
        postponed.append(round((EventChunk.objects.get(pk=chunk.pk).enqueued_at - before).total_seconds()))
    assert postponed == [30, 60, 120, 240, 480, 960, 1920, 3600]  # exponential, capped at an hour
    assert EventChunk.objects.get(pk=chunk.pk).done_at is None

    tasks.deliver_chunk.apply(args=(chunk.pk,), retries=tasks.deliver_chunk.max_retries)  # the last one

    delivery = EmailDelivery.objects.get(event=event, recipient=officer)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 9
    assert EventChunk.objects.get(pk=chunk.pk).done_at is not None  # given up, recorded


def test_a_postponed_chunk_is_left_alone_by_the_sweeper_until_its_time(customs, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    member(customs, Role.OFFICER)
    event = emit(notifying_helpers.BROADCAST, subject=customs)
    chunk = next(c for c in dispatch(event) if c.channel == Channel.EMAIL)
    tasks.deliver_chunk.apply(args=(chunk.pk,))

    assert chunk.pk not in pipeline.sweep_claim(stale_after=timedelta(seconds=0)).chunks
    EventChunk.objects.filter(pk=chunk.pk).update(enqueued_at=timezone.now() - timedelta(seconds=1))
    assert chunk.pk in pipeline.sweep_claim(stale_after=timedelta(seconds=0)).chunks


def test_off_means_inbox_only(customs, mailoutbox):
    officer = member(customs, Role.OFFICER)
    Preference.objects.create(user=officer, email="off")
    event = emit(notifying_helpers.BROADCAST, subject=customs)

    deliver_all(event)

    assert Notification.objects.filter(recipient=officer).count() == 1
    assert mailoutbox == [] and not EmailDelivery.objects.exists()


def test_account_emails_ignore_the_mode(platform_admin, mailoutbox, django_capture_on_commit_callbacks):
    organization = OrganizationFactory(name="Shady", status=Status.PENDING)
    founder = member(organization, Role.ADMIN, status=Status.PENDING, is_founder=True)
    Preference.objects.create(user=founder, email="off")

    with django_capture_on_commit_callbacks(execute=True):
        account_services.organization_reject(actor=platform_admin, organization=organization, reason="Not the owner")

    assert [m.to for m in mailoutbox] == [[founder.email]]
    assert mailoutbox[0].extra_headers["X-IPM-Event"] == "account.rejected"
    assert "Not the owner" in mailoutbox[0].body
    assert not Notification.objects.filter(recipient=founder).exists()  # no access: no inbox


def test_daily_digest_lists_what_arrived_once_a_day(customs, mailoutbox):
    officer = member(customs, Role.OFFICER, language="fr", full_name="Amélie")
    immediate = member(customs, Role.OFFICER)
    Preference.objects.create(user=officer, email="digest", digest_since=timezone.now() - timedelta(hours=1))
    for text in ("Lumina", "Orbis"):
        deliver_all(emit(notifying_helpers.BROADCAST, subject=customs, data={"text": text}))

    assert [m.to for m in mailoutbox] == [[immediate.email]] * 2  # the digest reader got no immediate mail
    mailoutbox.clear()

    assert digests_send(force=True) == 1
    assert digests_send(force=True) == 0  # once a day

    (digest,) = mailoutbox
    assert digest.to == [officer.email]
    assert "2" in digest.subject
    assert "Bonjour Amélie," in digest.body
    assert "Organisation: Lumina" in digest.body and "Organisation: Orbis" in digest.body
    html = digest.alternatives[0][0] if hasattr(digest.alternatives[0], "__getitem__") else digest.alternatives[0]
    assert "Organisation: Orbis" in html

    # The next day: only what came since.
    deliver_all(emit(notifying_helpers.BROADCAST, subject=customs, data={"text": "Nova"}))
    mailoutbox.clear()
    assert digests_send(now=timezone.now() + timedelta(days=1), force=True) == 1
    assert "Nova" in mailoutbox[0].body and "Lumina" not in mailoutbox[0].body


def test_digest_waits_for_its_hour_and_skips_empty_days(customs, mailoutbox, settings):
    officer = member(customs, Role.OFFICER)
    Preference.objects.create(user=officer, email="digest")
    early = timezone.now().replace(hour=2)

    assert digests_send(now=early) == 0
    assert digests_send(now=early.replace(hour=7)) == 0  # nothing arrived: no e-mail
    assert mailoutbox == []
