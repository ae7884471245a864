from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    enabled = serializers.BooleanField(source="active", read_only=True)
    events = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("Event kinds sent; empty: every kind.")
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "enabled", "consecutive_failures", "disabled_at", "created"]
        read_only_fields = fields


class CreatedWebhookEndpointSerializer(WebhookEndpointSerializer):
    """The answer to a create: the only time the signing secret is shown."""

    secret = serializers.CharField(read_only=True, help_text=_("The HMAC-SHA256 key; shown once."))

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text=_("https:// address of a public host."))
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    events = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=50,
        help_text=_("Event kinds to send; empty or absent: every kind."),
    )
    enabled = serializers.BooleanField(required=False, help_text=_("false turns the endpoint off, true back on."))


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event.kind", read_only=True, help_text=_("The event's kind."))
    event_id = serializers.UUIDField(read_only=True, help_text=_("The event's id (header IPM-Delivery)."))
    status = serializers.ChoiceField(choices=WebhookDeliveryStatus.choices, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_id",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
        ]
        read_only_fields = fields
