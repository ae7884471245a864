"""Webhook endpoints of right-holder organizations and the delivery of each event to each."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditAction
from core.scope import Scope, ScopedQuerySet

# Audit log actions (plain strings: the audit log stores any action name).
AUDIT_WEBHOOK_CREATED = AuditAction.WEBHOOK_CREATED
AUDIT_WEBHOOK_UPDATED = AuditAction.WEBHOOK_UPDATED
AUDIT_WEBHOOK_DELETED = AuditAction.WEBHOOK_DELETED
AUDIT_WEBHOOK_ENABLED = AuditAction.WEBHOOK_ENABLED


def new_secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpointQuerySet(ScopedQuerySet):
    def scope_view(self, scope: Scope) -> WebhookEndpointQuerySet:
        """The endpoints of the person's own organization, for its admins; nothing for anyone
        else (another organization's endpoint answers 404)."""
        if not scope.administers:
            return self.none()
        return self.filter(organization_id=scope.organization_id)

    scope_change = scope_view


class WebhookEndpoint(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Shown to the organization's admins once, when the endpoint is created.
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    # Event kinds sent to this endpoint; empty: every kind.
    events = models.JSONField(_("events"), default=list, blank=True)
    active = models.BooleanField(_("enabled"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Set while an attempt to this endpoint is in flight (at most one at a time): claimed with a
    # conditional UPDATE, released when the attempt ends, expired after the attempt's deadline
    # if its worker died.
    busy_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["organization"], name="webhook_endpoint_org")]

    def __str__(self) -> str:
        return self.url

    def wants(self, kind: str) -> bool:
        return not self.events or kind in self.events


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event to one endpoint: at least once, every attempt counted."""

    event = models.ForeignKey("core.Event", on_delete=models.CASCADE, related_name="webhook_deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=10, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    # When a pending delivery is next tried (claimed: pushed forward while an attempt runs).
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_one_delivery_per_endpoint"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["endpoint", "-created", "-id"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"
