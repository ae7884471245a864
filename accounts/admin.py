"""The Django admin for accounts. Statuses are read-only here: approvals, rejections, suspensions
and reinstatements go through the admin actions, which call the same services as the pages and
the API (audited, e-mailed)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from . import services
from .audit import client_ip
from .models import ApiToken, Appointment, AuditEntry, Membership, Organization, User
from .tokens import api_token_revoke

ADMIN_REASON = "via Django admin"


def moderation_action(service, *, target: str, reason: str | None, done, description):
    """An admin action that applies a moderation service to each selected object, reporting
    the successes and each refusal. `done` is an ngettext_lazy message counted by "count"."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        kwargs = {"reason": reason} if reason is not None else {}

        def call(obj):
            service(actor=request.user, ip=client_ip(request), **{target: obj}, **kwargs)

        _run_action(modeladmin, request, queryset, call, done=done)

    return action


def _run_action(modeladmin, request, queryset, call, *, done) -> None:
    succeeded = 0
    for obj in queryset:
        try:
            call(obj)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{obj}: {text}", level=messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, done % {"count": succeeded}, level=messages.SUCCESS)


# --------------------------------------------------------------------------- organizations


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "status", "created"]
    list_filter = ["status", "kind"]
    search_fields = ["name"]
    # An international body's jurisdiction is set on its moderation page or by the API (checked
    # and audited), as statuses are.
    # The trade mark registrations are what the registrant gave: kept as given, for the record.
    readonly_fields = ["jurisdiction", "status", "status_reason", "created", "trademarks"]
    actions = ["approve", "reject", "suspend", "reinstate"]

    def get_readonly_fields(self, request, obj=None):
        # The kind and country decide who sees what (a kind of "platform" makes every member a
        # platform admin): fixed once the organization exists.
        if obj is not None:
            return [*self.readonly_fields, "kind", "country"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # organizations are rejected or suspended (audited), never deleted

    approve = moderation_action(
        services.organization_approve,
        target="organization",
        reason="",
        done=ngettext_lazy("%(count)d organization approved.", "%(count)d organizations approved.", "count"),
        description=_("Approve the selected organizations (and their founding members)"),
    )
    reject = moderation_action(
        services.organization_reject,
        target="organization",
        reason=ADMIN_REASON,
        done=ngettext_lazy("%(count)d organization rejected.", "%(count)d organizations rejected.", "count"),
        description=_("Reject the selected organizations"),
    )
    suspend = moderation_action(
        services.organization_suspend,
        target="organization",
        reason=ADMIN_REASON,
        done=ngettext_lazy("%(count)d organization suspended.", "%(count)d organizations suspended.", "count"),
        description=_("Suspend the selected organizations"),
    )
    reinstate = moderation_action(
        services.organization_reinstate,
        target="organization",
        reason="",
        done=ngettext_lazy("%(count)d organization reinstated.", "%(count)d organizations reinstated.", "count"),
        description=_("Reinstate the selected organizations"),
    )


# --------------------------------------------------------------------------- people


class MembershipInline(admin.StackedInline):
    """A person's organization and role. Set once here for a person made in the admin; after
    that, role changes and removals go through the moderation pages (audited)."""

    model = Membership
    extra = 0
    max_num = 1
    can_delete = False
    fields = ["organization", "role", "is_founder", "created"]
    readonly_fields = ["created"]
    autocomplete_fields = ["organization"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.membership_or_none is not None:
            return ["organization", "role", "is_founder", "created"]
        return self.readonly_fields


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = [
            "email",
            "password",
            "full_name",
            "language",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        ]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserChangeForm
    inlines = [MembershipInline]
    list_display = ["email", "full_name", "status", "organization_name", "role_name", "is_staff"]
    list_filter = ["status", "is_staff", "is_superuser", "membership__organization__kind"]
    list_select_related = ["membership__organization"]
    search_fields = ["email", "full_name", "membership__organization__name"]
    ordering = ["-date_joined"]
    # Superuser and active flags are not edited here: platform admins come from
    # createsuperuser, and access ends by suspension (audited, e-mailed), not by a checkbox.
    readonly_fields = [
        "status",
        "status_reason",
        "email_verified_at",
        "is_superuser",
        "is_active",
        "last_login",
        "date_joined",
    ]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "language"]}),
        (_("Moderation"), {"fields": ["status", "status_reason", "email_verified_at"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "usable_password", "password1", "password2"]}),
    ]
    actions = ["approve", "reject", "suspend", "reinstate"]

    def save_model(self, request, obj, form, change) -> None:
        # A new address is not proven by the old one's link.
        if change and "email" in form.changed_data:
            obj.email_verified_at = None
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # people are rejected, suspended or removed (audited), never deleted

    @admin.display(description=_("organization"), ordering="membership__organization__name")
    def organization_name(self, user: User) -> str:
        organization = user.organization
        return organization.name if organization else "—"

    @admin.display(description=_("role"), ordering="membership__role")
    def role_name(self, user: User) -> str:
        membership = user.membership_or_none
        return membership.get_role_display() if membership else "—"

    approve = moderation_action(
        services.user_approve,
        target="user",
        reason=None,
        done=ngettext_lazy("%(count)d person approved.", "%(count)d people approved.", "count"),
        description=_("Approve the selected people"),
    )
    reject = moderation_action(
        services.user_reject,
        target="user",
        reason=ADMIN_REASON,
        done=ngettext_lazy("%(count)d person rejected.", "%(count)d people rejected.", "count"),
        description=_("Reject the selected people"),
    )
    suspend = moderation_action(
        services.user_suspend,
        target="user",
        reason=ADMIN_REASON,
        done=ngettext_lazy("%(count)d person suspended.", "%(count)d people suspended.", "count"),
        description=_("Suspend the selected people"),
    )
    reinstate = moderation_action(
        services.user_reinstate,
        target="user",
        reason=None,
        done=ngettext_lazy("%(count)d person reinstated.", "%(count)d people reinstated.", "count"),
        description=_("Reinstate the selected people"),
    )


# --------------------------------------------------------------------------- tokens and audit log


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens, listed read-only (only a hash is stored). Deleting one revokes it."""

    list_display = ["token_key", "name", "user", "created", "expiry", "last_used"]
    list_select_related = ["user"]
    search_fields = ["user__email", "name", "token_key"]
    fields = ["token_key", "name", "user", "created", "expiry", "last_used"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # Deleting here, one or several, revokes through the service: audited like any revocation.
    def delete_model(self, request, obj) -> None:
        api_token_revoke(actor=request.user, token=obj, ip=client_ip(request))

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset.select_related("user"):
            api_token_revoke(actor=request.user, token=token, ip=client_ip(request))


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, read-only: nobody adds, edits or deletes entries, not even here."""

    list_display = ["created", "actor_email", "action", "target_repr", "reason", "ip_address"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_email", "target_repr", "target_id", "reason"]
    date_hierarchy = "created"
    fields = [
        "created",
        "actor",
        "actor_email",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "organization",
        "reason",
        "details",
        "ip_address",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Appointments of representatives, read-only: the right holder's and the representative's
    admins appoint, accept and end them (audited, told to both sides) on their pages or the API."""

    list_display = ["right_holder", "representative", "status", "role", "all_countries", "requested_at", "ended_at"]
    list_filter = ["status", "role", "all_countries"]
    search_fields = ["right_holder__name", "representative__name"]
    list_select_related = ["right_holder", "representative"]
    fields = [
        "right_holder",
        "representative",
        "all_countries",
        "countries",
        "role",
        "status",
        "requested_by",
        "requested_at",
        "accepted_by",
        "accepted_at",
        "ended_by",
        "ended_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
