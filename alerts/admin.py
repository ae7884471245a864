"""Read-only views of alerts and cases for staff: every change goes through the services (the
pages and the API), which check permissions, write the audit log and emit events. A case's
subjects, its deconfliction hits and the joint operations are the agencies' alone (DESIGN.md):
not here."""

from django.contrib import admin

from .models import (
    Alert,
    AlertAcknowledgement,
    Case,
    CaseMessage,
    CaseVerdict,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["title", "brand", "severity", "status", "valid_until", "published_at"]
    list_filter = ["status", "severity"]
    search_fields = ["title", "brand__name"]
    list_select_related = ["brand"]


@admin.register(AlertAcknowledgement)
class AlertAcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["alert", "country", "organization", "created"]
    list_select_related = ["alert", "organization"]


class VerdictInline(admin.TabularInline):
    model = CaseVerdict
    extra = 0
    can_delete = False
    fields = ["verdict", "comment", "author", "created"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "brand_name", "country", "organization", "status", "overdue", "deadline", "created"]
    search_fields = ["brand_name", "product_name", "location"]
    list_select_related = ["organization"]
    list_filter = ["status", "overdue", "procedure", "country"]
    inlines = [VerdictInline]


@admin.register(CaseMessage)
class CaseMessageAdmin(ReadOnlyAdmin):
    list_display = ["case", "side", "created"]
    list_select_related = ["case"]
