"""Read-only views of the pipeline's state for platform staff: events and their delivery."""

from __future__ import annotations

from django.contrib import admin

from core.models import Event

from .models import EmailDelivery, EventChunk


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["kind", "created", "dispatched_at", "completed_at", "attempts", "organization"]
    list_filter = ["kind"]
    search_fields = ["id", "kind"]
    list_select_related = ["organization"]
    exclude = ["data"]
    readonly_fields = ["id", "kind", "created", "actor", "subject_type", "subject_id", "organization",
                       "dispatched_at", "completed_at", "attempts", "last_error"]  # fmt: skip


@admin.register(EventChunk)
class EventChunkAdmin(ReadOnlyAdmin):
    list_display = ["event", "channel", "number", "enqueued_at", "done_at", "attempts"]
    list_filter = ["channel"]
    exclude = ["recipient_ids"]


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event", "recipient", "status", "attempts", "created", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["event", "recipient"]
    search_fields = ["recipient__email", "event__id"]
