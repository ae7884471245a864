"""Read-only views of applications for action for staff: every change goes through the services
(the pages and the API), which check who acts, write the history and the audit log and emit
events."""

from django.contrib import admin

from .models import Application, ApplicationStep


class StepInline(admin.TabularInline):
    model = ApplicationStep
    extra = 0
    can_delete = False
    fields = ["kind", "organization_name", "valid_until", "reason", "created"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["pk", "right_holder", "country", "status", "valid_until", "extension_requested", "created"]
    list_filter = ["status", "country", "extension_requested"]
    search_fields = ["right_holder__name"]
    list_select_related = ["right_holder"]
    inlines = [StepInline]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
