"""Events, their delivery state, in-app notifications, e-mail deliveries and preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scope import Scope, ScopedQuerySet


class Channel(models.TextChoices):
    IN_APP = "inapp", _("In the portal")
    EMAIL = "email", _("E-mail")


class EventChunk(models.Model):
    """A slice of an event's recipients for one channel, recorded when the event is dispatched.
    A chunk not done after a while is enqueued again by the sweeper: that is how a fan-out
    interrupted by a killed worker is finished from the database."""

    event = models.ForeignKey("core.Event", on_delete=models.CASCADE, related_name="chunks")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    number = models.PositiveIntegerField()
    recipient_ids = models.JSONField(default=list)
    enqueued_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Held by the one task delivering the chunk: claimed with a conditional UPDATE, renewed as the
    # work goes on, released at the end. A second copy of the task finds it held and does
    # nothing; the sweeper takes up only chunks whose lease has run out (a worker killed).
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "channel", "number"], name="notif_chunk_unique"),
        ]
        indexes = [
            models.Index(fields=["enqueued_at"], name="notif_chunk_pending", condition=models.Q(done_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.channel} #{self.number}"


class NotificationQuerySet(ScopedQuerySet):
    def scope_view(self, scope: Scope) -> NotificationQuerySet:
        """A person's own inbox; nothing for anyone else."""
        if scope.person_id is None:
            return self.none()
        return self.filter(recipient_id=scope.person_id)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One line in a person's inbox: exactly one per (event, recipient)."""

    event = models.ForeignKey("core.Event", on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # Rendered in the recipient's language when delivered.
    title = models.CharField(_("title"), max_length=300)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="notif_one_per_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created", "-id"], name="notif_inbox"),
            models.Index(fields=["recipient"], name="notif_unread", condition=models.Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def read(self) -> bool:
        return self.read_at is not None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # The mail server refused the address for good (a 5xx answer): never tried again.
    REFUSED = "refused", _("Refused")


class EmailDelivery(models.Model):
    """The e-mail of one event to one person: at least once, every attempt counted."""

    event = models.ForeignKey("core.Event", on_delete=models.CASCADE, related_name="email_deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="notif_email_one_per_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.recipient_id} ({self.status})"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("In a daily digest")
    OFF = "off", _("Never")


class Preference(models.Model):
    """How a person wants to be told. No row: the defaults (e-mail immediately)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(_("e-mail"), max_length=12, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)
    # The day of the last digest sent (claimed before sending: one digest per person per day).
    digest_sent_on = models.DateField(null=True, blank=True)
    # Notifications created after this instant go into the next digest.
    digest_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        indexes = [models.Index(fields=["email"], name="notif_pref_mode")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"
