from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import EmailMode, Notification


class NotificationSerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event_kind", read_only=True, help_text=_("The event's kind."))
    read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "link", "created", "read"]
        read_only_fields = fields


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many notifications were marked read."))


class UnreadSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class PreferencesSerializer(serializers.Serializer):
    email = serializers.ChoiceField(choices=EmailMode.choices, required=False)
    followed_brands = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=1000, help_text=_("Brand ids.")
    )
