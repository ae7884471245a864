"""The event log: what domain actions record, in their own transaction, for the exchange to
deliver (notifications, webhooks). See core/events.py."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """Something happened that people are told about. Written in the domain transaction; its id
    is the idempotency key of every delivery (e-mail header, webhook header)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("event"), max_length=64)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    data = models.JSONField(default=dict, blank=True)
    # The right-holder organization concerned, if any (webhooks are sent to its endpoints).
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Delivery state: dispatched once the recipients are recorded in chunks; completed once
    # every chunk is done. The sweeper looks for rows where either is missing.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        # Created by the notifications app before the event log moved here: the table keeps its name.
        db_table = "notifications_event"
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created"]
        indexes = [
            models.Index(
                fields=["created"], name="notif_event_unfinished", condition=models.Q(completed_at__isnull=True)
            ),
            models.Index(fields=["subject_type", "subject_id"], name="notif_event_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class Version(models.Model):
    """One row per change of who sees what, or of who a person is (core/versions.py): the newest
    id is the version under which scope-dependent answers are cached. Kept in the database, not
    the cache, so that a change made while Redis does not answer is never forgotten by the other
    processes."""

    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cache version")

    def __str__(self) -> str:
        return f"{self.pk} ({self.created:%Y-%m-%d %H:%M:%S})"
