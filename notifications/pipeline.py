"""The notification pipeline's work, called by the thin tasks in `tasks.py`.

dispatch: recipients recorded once, in chunks, in one transaction; deliver: one chunk of one
channel, idempotent (in-app rows behind a unique constraint, e-mails behind a delivery row per
recipient); sweep: what was never dispatched or never finished, found in the database.
"""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta

from django import db
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string, select_template
from django.utils import timezone, translation

from core import event_types as registry
from core.models import Event
from core.scope import with_access

from .models import (
    Channel,
    DeliveryStatus,
    EmailDelivery,
    EmailMode,
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
    failed: int = 0  # e-mails that failed, to send again after a backoff (retry)
    unfinished: int = 0  # e-mails not tried yet (time budget spent): for a fresh task, at once
    refused: int = 0  # addresses the server refused for good (5xx): recorded refused, not retried


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


def _lease_length() -> timedelta:
    return timedelta(seconds=getattr(settings, "NOTIFICATIONS_LEASE_SECONDS", 120))


def _exchange_margin() -> float:
    """The longest one e-mail may keep a chunk: an SMTP exchange of a few steps of EMAIL_TIMEOUT
    each (MAIL, RCPT, DATA, the message, its answer), then up to 10 s waiting for a database that
    restarts to record it (`_record_sent`), and a margin."""
    return 5 * float(getattr(settings, "EMAIL_TIMEOUT", None) or 10) + 15


def _budget() -> float:
    """Seconds one task may spend on a chunk before it hands the rest to a fresh task: below the
    task's soft time limit, so a slow SMTP server never gets a chunk killed half-way."""
    return float(getattr(settings, "NOTIFICATIONS_CHUNK_BUDGET_SECONDS", 120))


class Lease:
    """A chunk held by one task: claimed with a conditional UPDATE (the healthchecks way: go on
    only if one row changed), renewed as the work goes on, released at the end. A renewal that
    changes no row means the lease ran out and another task took the chunk: stop at once."""

    # Renewed before each e-mail once less than one e-mail's worst case is left of it (see
    # `_exchange_margin`): a send that starts always ends, and is recorded, within the lease, so
    # the sweeper's copy of the task never takes over a chunk in the middle of an e-mail.
    def __init__(self, chunk_id: int, until):
        self.chunk_id, self.until = chunk_id, until

    @classmethod
    def claim(cls, chunk_id: int) -> Lease | None:
        now = timezone.now()
        until = now + _lease_length()
        claimed = (
            EventChunk.objects.filter(pk=chunk_id, done_at__isnull=True)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .update(lease_until=until, attempts=F("attempts") + 1)
        )
        return cls(chunk_id, until) if claimed else None

    def renew(self) -> bool:
        now = timezone.now()
        if (self.until - now).total_seconds() > _exchange_margin():
            return True
        until = now + _lease_length()
        if not EventChunk.objects.filter(pk=self.chunk_id, lease_until=self.until).update(lease_until=until):
            return False
        self.until = until
        return True

    def release(self) -> None:
        EventChunk.objects.filter(pk=self.chunk_id, lease_until=self.until).update(lease_until=None)


def chunk_deliver(chunk_id: int) -> ChunkResult:
    """Deliver one chunk under its lease. Nothing happens if the chunk is done or another task
    holds it (a duplicated task, the sweeper's copy of a slow one)."""
    lease = Lease.claim(chunk_id)
    if lease is None:
        return ChunkResult()
    try:
        chunk = EventChunk.objects.select_related("event").get(pk=chunk_id)
        kind = registry.get(chunk.event.kind)
        if kind is None:
            raise LookupError(f"No event type registered for {chunk.event.kind!r} in this process.")
        texts = _Texts(chunk.event, kind)
        if chunk.channel == Channel.IN_APP:
            result = _deliver_in_app(chunk, kind, texts)
        else:
            result = _deliver_email(chunk, kind, texts, lease)
        if not result.failed and not result.unfinished:
            _mark_done(chunk)
    finally:
        lease.release()
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


def _refused_for_good(error: OSError) -> bool:
    """The server refused the address with a permanent (5xx) answer: trying again would be
    refused again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _text in error.recipients.values())
    return False


def _record(delivery_ids: list[int], *, status: str, error: str = "") -> None:
    EmailDelivery.objects.filter(pk__in=delivery_ids).update(
        status=status,
        attempts=F("attempts") + 1,
        last_error=error,
        sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
    )


def _record_sent(delivery_id: int, *, tries: int = 10, pause: float = 1.0) -> None:
    """Record an e-mail the SMTP server has accepted. A database that restarts in between (a
    fail-over, a restart) is waited for a few seconds: giving up here would send that e-mail
    again once the chunk is taken up."""
    for attempt in range(tries):
        try:
            _record([delivery_id], status=DeliveryStatus.SENT)
            return
        except (db.OperationalError, db.InterfaceError):
            if attempt == tries - 1 or connection.in_atomic_block:  # a transaction is lost anyway
                raise
            logger.warning("Could not record e-mail delivery %s as sent; trying again.", delivery_id)
            connection.close()
            time.sleep(pause)


def _deliver_email(chunk: EventChunk, kind: registry.EventType, texts: _Texts, lease: Lease) -> ChunkResult:
    """Each e-mail is recorded as sent right after the SMTP server accepts it (one UPDATE), so
    that a task taken over after a crash resends at most the one e-mail whose exchange the crash
    interrupted. The chunk's lease is renewed as it goes; a task past its time budget, or one
    whose lease was taken over, stops and leaves the rest (`unfinished`) to a fresh task."""
    EmailDelivery.objects.bulk_create(
        [EmailDelivery(event_id=chunk.event_id, recipient_id=pk) for pk in chunk.recipient_ids],
        ignore_conflicts=True,
    )
    deliveries = list(
        EmailDelivery.objects.filter(event_id=chunk.event_id, recipient_id__in=chunk.recipient_ids)
        .exclude(status__in=[DeliveryStatus.SENT, DeliveryStatus.REFUSED])
        .select_related("recipient")
        .order_by("recipient_id")
    )
    result = ChunkResult()
    if not deliveries:
        return result
    stop_at = time.monotonic() + _budget()
    connection = get_connection()
    try:
        try:
            connection.open()  # one connection for the whole chunk
        except OSError as error:
            _record([d.pk for d in deliveries], status=DeliveryStatus.FAILED, error=_describe(error))
            result.failed = len(deliveries)
            return result
        for index, delivery in enumerate(deliveries):
            if time.monotonic() > stop_at or not lease.renew():
                result.unfinished = len(deliveries) - index
                break
            try:
                connection.send_messages([render_email(chunk.event, kind, texts, delivery.recipient)])
            except OSError as error:  # smtplib's errors included
                if isinstance(error, _ADDRESS_ERRORS):
                    if _refused_for_good(error):  # a 5xx answer to the address: never again
                        _record([delivery.pk], status=DeliveryStatus.REFUSED, error=_describe(error))
                        result.refused += 1
                    else:
                        _record([delivery.pk], status=DeliveryStatus.FAILED, error=_describe(error))
                        result.failed += 1
                    continue
                # The server is gone: this one and the rest wait for the retry.
                rest = deliveries[index:]
                _record([d.pk for d in rest], status=DeliveryStatus.FAILED, error=_describe(error))
                result.failed += len(rest)
                break
            _record_sent(delivery.pk)
            result.delivered += 1
    finally:
        connection.close()
    return result


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


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
            # A chunk whose lease runs is being delivered: only an expired lease is taken up.
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
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
