"""The notification pipeline's work, called by the thin tasks in `tasks.py`.

dispatch: recipients recorded once, in chunks, in one transaction; deliver: one chunk of one
channel, idempotent (in-app rows behind a unique constraint, e-mails behind a delivery row per
recipient); sweep: what was never dispatched or never finished, found in the database.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string, select_template
from django.utils import timezone, translation

from . import registry
from .models import (
    Channel,
    DeliveryStatus,
    EmailDelivery,
    EmailMode,
    Event,
    EventChunk,
    Notification,
)

logger = logging.getLogger(__name__)

IN_APP_CHUNK_SIZE = getattr(settings, "NOTIFICATIONS_CHUNK_SIZE", 2000)
EMAIL_CHUNK_SIZE = getattr(settings, "NOTIFICATIONS_EMAIL_CHUNK_SIZE", 200)
# An event or chunk not finished this long after it was handed to the broker is taken up again.
STALE_AFTER = timedelta(seconds=getattr(settings, "NOTIFICATIONS_STALE_AFTER_SECONDS", 60))
# Events whose dispatch failed this many times are left for a person to look at.
MAX_DISPATCH_ATTEMPTS = 20


def with_access(users: QuerySet) -> QuerySet:
    """Active, approved people of an approved organization (or superusers without one): the
    same test as `User.has_access`, in SQL."""
    from accounts.models import Status

    return users.filter(is_active=True, status=Status.APPROVED).filter(
        Q(membership__organization__status=Status.APPROVED) | Q(membership__isnull=True, is_superuser=True)
    )


def _ids(users: QuerySet) -> list[int]:
    return list(users.order_by("pk").values_list("pk", flat=True).distinct())


def _chunks(event: Event, channel: str, ids: list[int], size: int) -> list[EventChunk]:
    return [
        EventChunk(event=event, channel=channel, number=number, recipient_ids=ids[start : start + size])
        for number, start in enumerate(range(0, len(ids), size))
    ]


# --------------------------------------------------------------------------- dispatch


def event_dispatch(event_id: str) -> list[int]:
    """Record the event's recipients in chunks, once. Returns the ids of the chunks to enqueue
    (none if the event was already dispatched: the sweeper finishes what is left)."""
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.dispatched_at is not None:
            return []
        event.attempts += 1
        kind = registry.get(event.kind)
        if kind is None:
            event.last_error = f"No event type registered for {event.kind!r} in this process."
            event.save(update_fields=["attempts", "last_error"])
            logger.error(event.last_error)
            return []
        recipients = kind.recipients(event)
        in_app_ids = _ids(with_access(recipients))
        if kind.transactional:
            email_ids = _ids(recipients.filter(is_active=True))
        else:
            email_ids = _ids(
                with_access(recipients).exclude(notification_preference__email__in=[EmailMode.DIGEST, EmailMode.OFF])
            )
        chunks = _chunks(event, Channel.IN_APP, in_app_ids, IN_APP_CHUNK_SIZE) + _chunks(
            event, Channel.EMAIL, email_ids, EMAIL_CHUNK_SIZE
        )
        created = EventChunk.objects.bulk_create(chunks)
        for hook in registry.dispatch_hooks():  # other channels (webhooks), once per event
            hook(event)
        now = timezone.now()
        event.dispatched_at = now
        event.last_error = ""
        if not created:
            event.completed_at = now
        event.save(update_fields=["attempts", "last_error", "dispatched_at", "completed_at"])
        return [chunk.pk for chunk in created]


# --------------------------------------------------------------------------- delivery


@dataclass
class ChunkResult:
    delivered: int = 0
    failed: int = 0  # e-mails still to send (retry)


def _mark_done(chunk: EventChunk) -> None:
    now = timezone.now()
    EventChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(done_at=now)
    if not EventChunk.objects.filter(event_id=chunk.event_id, done_at__isnull=True).exists():
        Event.objects.filter(pk=chunk.event_id, completed_at__isnull=True).update(completed_at=now)


class _Texts:
    """Title and link of an event, computed once per language."""

    def __init__(self, event: Event, kind: registry.EventType):
        self.event, self.kind = event, kind
        self._titles: dict[str, str] = {}
        self._link: str | None = None

    def title(self, language: str) -> str:
        language = language or settings.LANGUAGE_CODE
        if language not in self._titles:
            with translation.override(language):
                self._titles[language] = str(self.kind.title(self.event))[:300]
        return self._titles[language]

    @property
    def link(self) -> str:
        if self._link is None:
            self._link = str(self.kind.link(self.event) or "")[:500]
        return self._link


def chunk_deliver(chunk_id: int) -> ChunkResult:
    chunk = EventChunk.objects.select_related("event").filter(pk=chunk_id).first()
    if chunk is None or chunk.done_at is not None:
        return ChunkResult()
    EventChunk.objects.filter(pk=chunk.pk).update(attempts=chunk.attempts + 1)
    kind = registry.get(chunk.event.kind)
    if kind is None:
        raise LookupError(f"No event type registered for {chunk.event.kind!r} in this process.")
    texts = _Texts(chunk.event, kind)
    deliver = _deliver_in_app if chunk.channel == Channel.IN_APP else _deliver_email
    result = deliver(chunk, kind, texts)
    if not result.failed:
        _mark_done(chunk)
    return result


def _deliver_in_app(chunk: EventChunk, kind: registry.EventType, texts: _Texts) -> ChunkResult:
    User = get_user_model()
    people = list(User.objects.filter(pk__in=chunk.recipient_ids).values_list("pk", "language"))
    now = timezone.now()
    # The unique constraint on (event, recipient) makes a second run write nothing.
    if connection.vendor == "postgresql":
        # One INSERT ... SELECT FROM unnest(arrays): about three times the rate of bulk_create's
        # long VALUES list, the bulk of a fan-out's time.
        table = Notification._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (event_id, recipient_id, title, link, created) "  # noqa: S608 - our table name
                "SELECT %s, recipient.id, recipient.title, %s, %s "
                "FROM unnest(%s::bigint[], %s::text[]) AS recipient(id, title) "
                "ON CONFLICT (event_id, recipient_id) DO NOTHING",
                [
                    chunk.event_id,
                    texts.link,
                    now,
                    [pk for pk, _language in people],
                    [texts.title(language) for _pk, language in people],
                ],
            )
    else:
        rows = [
            Notification(
                event_id=chunk.event_id, recipient_id=pk, title=texts.title(language), link=texts.link, created=now
            )
            for pk, language in people
        ]
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return ChunkResult(delivered=len(people))


def _template_names(kind: registry.EventType, extension: str) -> list[str]:
    return [f"notifications/email/{kind.email_template}.{extension}", f"notifications/email/default.{extension}"]


def render_email(event: Event, kind: registry.EventType, texts: _Texts, recipient) -> EmailMultiAlternatives:
    """The e-mail of `event` for `recipient`, in their language, plain text and HTML."""
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        title = texts.title(language)
        context = {
            "event": event,
            "subject": event.subject,
            "recipient": recipient,
            "title": title,
            "link": texts.link,
            "site_url": settings.SITE_URL,
            "LANGUAGE_CODE": language,
        }
        try:
            subject = render_to_string(f"notifications/email/{kind.email_template}_subject.txt", context)
        except TemplateDoesNotExist:
            subject = f"[IPM Portal] {title}"
        body = select_template(_template_names(kind, "txt")).render(context)
        html = select_template(_template_names(kind, "html")).render(context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        to=[recipient.email],
        headers={"X-IPM-Event": event.kind, "X-IPM-Event-Id": str(event.pk)},
    )
    message.attach_alternative(html, "text/html")
    return message


# Errors about one address; any other error means the server is unreachable: stop the chunk.
_ADDRESS_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def _deliver_email(chunk: EventChunk, kind: registry.EventType, texts: _Texts) -> ChunkResult:
    EmailDelivery.objects.bulk_create(
        [EmailDelivery(event_id=chunk.event_id, recipient_id=pk) for pk in chunk.recipient_ids],
        ignore_conflicts=True,
    )
    deliveries = list(
        EmailDelivery.objects.filter(event_id=chunk.event_id, recipient_id__in=chunk.recipient_ids)
        .exclude(status=DeliveryStatus.SENT)
        .select_related("recipient")
        .order_by("recipient_id")
    )
    result = ChunkResult()
    connection = get_connection()
    pending: list[EmailDelivery] = []
    server_error: str | None = None

    def flush() -> None:
        EmailDelivery.objects.bulk_update(pending, ["status", "attempts", "last_error", "sent_at"])
        pending.clear()

    if deliveries:
        try:
            connection.open()  # one connection for the whole chunk
        except OSError as error:
            server_error = f"{type(error).__name__}: {error}"[:1000]
    try:
        for delivery in deliveries:
            delivery.attempts += 1
            if server_error is None:
                try:
                    connection.send_messages([render_email(chunk.event, kind, texts, delivery.recipient)])
                except OSError as error:  # smtplib's errors included
                    message = f"{type(error).__name__}: {error}"[:1000]
                    if not isinstance(error, _ADDRESS_ERRORS):
                        server_error = message  # the server is down: the rest wait for the retry
                        connection.close()
                    delivery.status, delivery.last_error = DeliveryStatus.FAILED, message
                else:
                    delivery.status, delivery.last_error, delivery.sent_at = DeliveryStatus.SENT, "", timezone.now()
            else:
                delivery.status, delivery.last_error = DeliveryStatus.FAILED, server_error
            if delivery.status == DeliveryStatus.SENT:
                result.delivered += 1
            else:
                result.failed += 1
            pending.append(delivery)
            if len(pending) >= 50:
                flush()
    finally:
        flush()
        connection.close()
    return result


def chunk_postpone(chunk_id: int, seconds: float) -> None:
    """A retry is scheduled: the sweeper leaves the chunk alone until then."""
    EventChunk.objects.filter(pk=chunk_id).update(enqueued_at=timezone.now() + timedelta(seconds=seconds))


def chunk_give_up(chunk_id: int) -> None:
    """Retries exhausted: the failed deliveries stay recorded as failed; the chunk is closed."""
    chunk = EventChunk.objects.filter(pk=chunk_id).first()
    if chunk is not None:
        _mark_done(chunk)


# --------------------------------------------------------------------------- sweeping


@dataclass
class SweepResult:
    events: list[str]
    chunks: list[int]


def sweep_claim(*, stale_after: timedelta = STALE_AFTER) -> SweepResult:
    """Events never dispatched and chunks never done, older than `stale_after`: claimed (their
    clock reset, so a second sweeper run does not take them too) and returned for enqueueing."""
    now = timezone.now()
    cutoff = now - stale_after
    events = list(
        Event.objects.filter(
            dispatched_at__isnull=True,
            completed_at__isnull=True,
            created__lte=cutoff,
            attempts__lt=MAX_DISPATCH_ATTEMPTS,
        )
        .order_by("created")
        .values_list("pk", flat=True)[:500]
    )
    chunks: list[int] = []
    with transaction.atomic():
        stale = list(
            EventChunk.objects.select_for_update(skip_locked=True)
            .filter(done_at__isnull=True, enqueued_at__lte=cutoff)
            .order_by("enqueued_at")
            .values_list("pk", flat=True)[:2000]
        )
        if stale:
            EventChunk.objects.filter(pk__in=stale).update(enqueued_at=now)
            chunks = stale
    # Every chunk done but the event left open (a worker died in between): close it.
    pending = EventChunk.objects.filter(event=OuterRef("pk"), done_at__isnull=True)
    Event.objects.filter(dispatched_at__isnull=False, completed_at__isnull=True, dispatched_at__lte=cutoff).exclude(
        Exists(pending)
    ).update(completed_at=now)
    return SweepResult(events=[str(pk) for pk in events], chunks=chunks)
