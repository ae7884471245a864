"""Reads of the webhooks app for a person: their organization's endpoints and delivery logs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def endpoints_for(user: User | AnonymousUser) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.restrict(user, "view").order_by("-created", "-id")


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """An endpoint's delivery log, newest first (the endpoint already scoped by the caller)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .only(
            "id",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created",
            "next_attempt_at",
            "last_attempt_at",
            "delivered_at",
            "endpoint_id",
            "event__id",
            "event__kind",
        )
        .order_by("-created", "-id")
    )
