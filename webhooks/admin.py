from django.contrib import admin

from .models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "active", "consecutive_failures", "disabled_at", "created"]
    list_filter = ["active"]
    search_fields = ["url", "organization__name"]
    exclude = ["secret"]
    readonly_fields = ["organization", "created_by", "consecutive_failures", "disabled_at", "created"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "last_status_code", "created", "delivered_at"]
    list_filter = ["status"]
    list_select_related = ["event", "endpoint"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
