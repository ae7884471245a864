"""Jobs in the Django admin: read only. Jobs are started by the features that use them and
finished by the workers; the admin is for looking."""

from __future__ import annotations

from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "organization", "created_by", "created", "finished", "error_count"]
    list_filter = ["status", "kind"]
    search_fields = ["=id", "kind", "filename", "organization__name", "created_by__email"]
    list_select_related = ["organization", "created_by"]
    date_hierarchy = "created"
    # The input file is private: the admin never links to it.
    readonly_fields = [field.name for field in Job._meta.fields if field.name != "file"]
    exclude = ["file"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
