"""Who a user is: organizations, people, their one membership and role, tokens, the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from knox.models import AbstractAuthToken

from core.roles import (  # noqa: F401  (the role constants, re-exported for the apps that read them here)
    AGENCY_CHOICES,
    AGENCY_KINDS,
    APPOINTMENT_ROLE_CHOICES,
    APPOINTMENT_ROLES,
    APPROVER_ROLES,
    ENFORCEMENT_KINDS,
    FOUNDER_ROLE,
    INTERNATIONAL_KINDS,
    JOINER_ROLE,
    REGISTRABLE_KIND_CHOICES,
    REGISTRABLE_KINDS,
    ROLES_BY_KIND,
    WRITER_ROLES,
    OrganizationKind,
    Role,
    Status,
)
from core.scope import Scope, ScopedQuerySet

from .lookalike import SKELETON_LENGTH, name_skeleton


class Organization(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # A national agency's jurisdiction; a right holder's seat; an international body's base.
    country = CountryField(_("country"))
    # An international body's jurisdiction: the countries a platform admin sets (ISO 3166-1
    # alpha-2, sorted). Empty for every other kind, whose jurisdiction is `country`.
    jurisdiction = models.JSONField(_("jurisdiction"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(_("reason"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # The name's look-alike key (accounts.lookalike): registering under a name that reads like
    # another organization's is refused with one indexed query. Follows `name` on every save.
    name_skeleton = models.CharField(
        _("look-alike key"), max_length=SKELETON_LENGTH, blank=True, editable=False, db_index=True
    )
    # The trade mark registrations a new right holder gave when registering ([{office, number}],
    # accounts.services.registration.clean_trademarks), for the platform admin vetting it to check.
    trademarks = models.JSONField(_("trade mark registrations given"), default=list, blank=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["-created", "-id"]
        constraints = [
            # A rejected organization keeps its row (the audit log and its people point to it)
            # without holding its name: somebody else may register under it again.
            models.UniqueConstraint(
                Lower("name"),
                "kind",
                "country",
                condition=~models.Q(status=Status.REJECTED),
                name="organization_unique_name",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.country.code})"

    def save(self, *args, **kwargs) -> None:
        # A derived column, not a decision: kept in step with the name wherever an organization
        # is saved (registration, the Django admin's rename, fixtures).
        self.name_skeleton = name_skeleton(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_skeleton"}
        super().save(*args, **kwargs)

    @property
    def is_enforcement(self) -> bool:
        return self.kind in ENFORCEMENT_KINDS

    @property
    def is_international(self) -> bool:
        return self.kind in INTERNATIONAL_KINDS

    @property
    def jurisdiction_countries(self) -> list[str]:
        """Where the organization acts: an international body's list, anyone else's country."""
        if self.is_international:
            return sorted(self.jurisdiction or [])
        code = getattr(self.country, "code", self.country)
        return [str(code)] if code else []

    @property
    def is_right_holder(self) -> bool:
        return self.kind == OrganizationKind.RIGHT_HOLDER

    @property
    def is_representative(self) -> bool:
        return self.kind == OrganizationKind.REPRESENTATIVE

    @property
    def is_platform(self) -> bool:
        return self.kind == OrganizationKind.PLATFORM


class UserQuerySet(ScopedQuerySet):
    def with_organization(self) -> UserQuerySet:
        return self.select_related("membership__organization")

    def scope_moderate(self, scope: Scope) -> UserQuerySet:
        """People one may approve, reject, suspend, reinstate or change the role of: everyone
        for a platform admin, the members of their own organization for an admin or coordinator,
        nobody otherwise."""
        if scope.is_platform:
            return self.all()
        if scope.approves:
            return self.filter(membership__organization_id=scope.organization_id)
        return self.none()


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> User:
        # E-mails are stored lower-cased (a constraint says so) and looked up exactly: a
        # case-insensitive database match would let look-alike letters ("ı", "ſ") reach an
        # account under another spelling, and around the sign-in lock-out.
        return self.get(email=username.strip().lower())

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    @transaction.atomic
    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        """A superuser is an approved platform admin, member of the platform organization."""
        extra.update(is_staff=True, is_superuser=True, status=Status.APPROVED)
        user = self.create_user(email, password, **extra)
        platform, _created = Organization.objects.get_or_create(
            kind=OrganizationKind.PLATFORM,
            defaults={
                "name": settings.PLATFORM_ORGANIZATION_NAME,
                "country": settings.PLATFORM_ORGANIZATION_COUNTRY,
                "status": Status.APPROVED,
            },
        )
        Membership.objects.create(user=user, organization=platform, role=Role.ADMIN, is_founder=_created)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(_("reason"), blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # When the person followed the link sent to `email` (accounts.email_proof); None until then.
    email_verified_at = models.DateTimeField(_("e-mail address proven"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["-date_joined", "-id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_unique_email_ci"),
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="user_email_lowercase"),
        ]
        indexes = [models.Index(fields=["status", "-date_joined"])]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def get_full_name(self) -> str:
        return self.full_name

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_short_name(self) -> str:
        return self.full_name

    @property
    def membership_or_none(self) -> Membership | None:
        try:
            return self.membership
        except Membership.DoesNotExist:
            return None

    @property
    def organization(self) -> Organization | None:
        membership = self.membership_or_none
        return membership.organization if membership else None

    @property
    def role(self) -> str | None:
        membership = self.membership_or_none
        return membership.role if membership else None

    @property
    def has_access(self) -> bool:
        """Approved, active, and member of an approved organization: the one test every page,
        endpoint and token goes through. A suspension takes effect on the next request."""
        if not (self.is_active and self.status == Status.APPROVED):
            return False
        organization = self.organization
        if organization is None:
            return self.is_superuser
        return organization.status == Status.APPROVED

    @property
    def is_platform_admin(self) -> bool:
        if self.is_superuser and self.is_active and self.status == Status.APPROVED:
            return True
        organization = self.organization
        return bool(organization and organization.is_platform and self.has_access)

    @property
    def is_enforcement(self) -> bool:
        organization = self.organization
        return bool(organization and organization.is_enforcement)

    @property
    def is_right_holder(self) -> bool:
        organization = self.organization
        return bool(organization and organization.is_right_holder)


class Membership(models.Model):
    """A person's place in their organization. One per user in v1."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # The person who registered the organization: approved together with it.
    is_founder = models.BooleanField(_("founding member"), default=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.organization} ({self.get_role_display()})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.organization_id is None:
            return
        if self.role not in ROLES_BY_KIND[self.organization.kind]:
            allowed = ", ".join(str(role.label) for role in ROLES_BY_KIND[self.organization.kind])
            raise ValidationError({"role": _("Choose one of: %(roles)s.") % {"roles": allowed}})
        if self.organization.is_platform and not (self.user_id and self.user.is_superuser):
            raise ValidationError({"organization": _("Only superusers belong to the platform organization.")})


class ApiToken(AbstractAuthToken):
    """A revocable API token (django-rest-knox: only a hash of the token is stored)."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]


class AuditAction(models.TextChoices):
    ORGANIZATION_REGISTERED = "organization.registered", _("Organization registered")
    ORGANIZATION_APPROVED = "organization.approved", _("Organization approved")
    ORGANIZATION_REJECTED = "organization.rejected", _("Organization rejected")
    ORGANIZATION_SUSPENDED = "organization.suspended", _("Organization suspended")
    ORGANIZATION_REINSTATED = "organization.reinstated", _("Organization reinstated")
    ORGANIZATION_LOOKALIKE_REFUSED = "organization.lookalike_refused", _("Look-alike organization name refused")
    ORGANIZATION_JURISDICTION_CHANGED = "organization.jurisdiction_changed", _("Jurisdiction changed")
    USER_JOIN_REQUESTED = "user.join_requested", _("Asked to join an organization")
    USER_EMAIL_VERIFIED = "user.email_verified", _("E-mail address proven")
    USER_APPROVED = "user.approved", _("User approved")
    USER_REJECTED = "user.rejected", _("User rejected")
    USER_SUSPENDED = "user.suspended", _("User suspended")
    USER_REINSTATED = "user.reinstated", _("User reinstated")
    MEMBER_ROLE_CHANGED = "member.role_changed", _("Role changed")
    MEMBER_REMOVED = "member.removed", _("Member removed")
    TWO_FACTOR_ENABLED = "user.2fa_enabled", _("Two-factor turned on")
    TWO_FACTOR_DISABLED = "user.2fa_disabled", _("Two-factor turned off")
    API_TOKEN_ISSUED = "api_token.issued", _("API token issued")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    API_TOKENS_REVOKED_ALL = "api_token.revoked_all", _("Every API token revoked")
    GTIN_CLAIM_REFUSED = "gtin.claim_refused", _("GTIN already registered: claim refused")
    GUIDE_PUBLISHED = "guide.published", _("Guide published")
    GUIDE_ARCHIVED = "guide.archived", _("Guide archived")
    GUIDE_UNPUBLISHED = "guide.unpublished", _("Guide unpublished by moderation")
    ALERT_PUBLISHED = "alert.published", _("Alert published")
    ALERT_WITHDRAWN = "alert.withdrawn", _("Alert withdrawn")
    CASE_OPENED = "case.opened", _("Case opened")
    CASE_VERDICT = "case.verdict", _("Case answered")
    CASE_EXTENDED = "case.extended", _("Case deadline extended")
    CASE_CLOSED = "case.closed", _("Case closed")
    CASE_SUBJECTS_CHANGED = "case.subjects_changed", _("Case subjects changed")
    CASE_OPERATION_TAGGED = "case.operation_tagged", _("Case tagged with an operation")
    DECONFLICTION_HIT = "deconfliction.hit", _("Deconfliction hit found")
    DECONFLICTION_IN_CONTACT = "deconfliction.in_contact", _("Deconfliction hit marked in contact")
    OPERATION_CREATED = "operation.created", _("Operation created")
    OPERATION_UPDATED = "operation.updated", _("Operation changed")
    OPERATION_INVITED = "operation.invited", _("Organization invited to an operation")
    OPERATION_ACCEPTED = "operation.accepted", _("Operation invitation accepted")
    OPERATION_DECLINED = "operation.declined", _("Operation invitation declined")
    OPERATION_CLOSED = "operation.closed", _("Operation closed")
    WEBHOOK_CREATED = "webhook.created", _("Webhook added")
    WEBHOOK_UPDATED = "webhook.updated", _("Webhook changed")
    WEBHOOK_DELETED = "webhook.deleted", _("Webhook deleted")
    WEBHOOK_ENABLED = "webhook.enabled", _("Webhook enabled again")
    APPOINTMENT_REQUESTED = "appointment.requested", _("Representative appointed (awaiting acceptance)")
    APPOINTMENT_ACCEPTED = "appointment.accepted", _("Appointment accepted")
    APPOINTMENT_DECLINED = "appointment.declined", _("Appointment declined or withdrawn before acceptance")
    APPOINTMENT_ENDED = "appointment.ended", _("Appointment ended")
    APPLICATION_CREATED = "application.created", _("Application for action drafted")
    APPLICATION_EDITED = "application.edited", _("Application for action draft changed")
    APPLICATION_SUBMITTED = "application.submitted", _("Application for action submitted")
    APPLICATION_GRANTED = "application.granted", _("Application for action granted")
    APPLICATION_EXTENDED = "application.extended", _("Application for action extended")
    APPLICATION_REJECTED = "application.rejected", _("Application for action rejected")
    APPLICATION_EXTENSION_REFUSED = "application.extension_refused", _("Extension of an application refused")
    APPLICATION_EXTENSION_REQUESTED = "application.extension_requested", _("Extension of an application requested")
    APPLICATION_EXPIRED = "application.expired", _("Application for action expired")


class AuditEntryQuerySet(ScopedQuerySet):
    def scope_view(self, scope: Scope) -> AuditEntryQuerySet:
        """The audit log is the platform admins' alone."""
        return self.all() if scope.is_platform else self.none()


class AuditEntry(models.Model):
    """Who did what to whom, why, when and from where. Written by services, never edited."""

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_email = models.EmailField(_("actor"), blank=True)
    action = models.CharField(_("action"), max_length=64, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64)
    target_id = models.CharField(_("target id"), max_length=64)
    target_repr = models.CharField(_("target"), max_length=300)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor_email or '-'} {self.action} {self.target_repr}"


class AppointmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting acceptance")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


# An appointment that counts for "one per pair": asked and not yet answered, or in force.
LIVE_APPOINTMENT_STATUSES = (AppointmentStatus.REQUESTED, AppointmentStatus.ACTIVE)


class AppointmentQuerySet(ScopedQuerySet):
    """Who sees and answers appointments (DESIGN.md, "Representatives and applications for
    action"): the members of both organizations see them; the right holder's admins appoint and
    end, the representative's admins accept and end. Nobody else sees one (404)."""

    def scope_view(self, scope: Scope) -> AppointmentQuerySet:
        if scope.is_owner:
            return self.filter(right_holder_id=scope.organization_id)
        if scope.is_representative:
            return self.filter(representative_id=scope.organization_id)
        return self.none()

    def scope_accept(self, scope: Scope) -> AppointmentQuerySet:
        """The representative's admins (whether it still waits is the service's: a 400)."""
        if scope.is_representative and scope.role == Role.ADMIN:
            return self.filter(representative_id=scope.organization_id)
        return self.none()

    def scope_end(self, scope: Scope) -> AppointmentQuerySet:
        """Either side's admins."""
        if scope.role != Role.ADMIN:
            return self.none()
        if scope.is_owner:
            return self.filter(right_holder_id=scope.organization_id)
        if scope.is_representative:
            return self.filter(representative_id=scope.organization_id)
        return self.none()

    def live(self) -> AppointmentQuerySet:
        return self.filter(status__in=LIVE_APPOINTMENT_STATUSES)

    def active(self) -> AppointmentQuerySet:
        return self.filter(status=AppointmentStatus.ACTIVE)


class Appointment(models.Model):
    """A right holder's appointment of a representative (a law firm or agent) to act for it, in
    every country or in those listed, as editor or viewer. `requested` until the representative's
    admin accepts (`active`); either side's admin ends it (`ended`; ended before acceptance, it
    was declined or withdrawn). Ended appointments stay, for the record; a new one may follow."""

    right_holder = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="representative_appointments",
        verbose_name=_("right holder"),
    )
    representative = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="client_appointments", verbose_name=_("representative")
    )
    all_countries = models.BooleanField(_("all countries"), default=False)
    # ISO 3166-1 alpha-2 codes, sorted, at least one unless all_countries.
    countries = models.JSONField(_("countries"), default=list, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=APPOINTMENT_ROLE_CHOICES)
    status = models.CharField(
        _("status"), max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.REQUESTED
    )
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One live appointment per pair: a second one waits until the first has ended.
            models.UniqueConstraint(
                fields=["right_holder", "representative"],
                condition=models.Q(status__in=["requested", "active"]),
                name="appointment_one_live_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["representative", "status"]),
            models.Index(fields=["right_holder", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.right_holder.name} → {self.representative.name} ({self.get_status_display()})"

    @property
    def country_list(self) -> list[str]:
        return sorted(str(code) for code in self.countries or [])
