"""Applications for action (DESIGN.md, "Representatives and applications for action"): a right
holder asks one country's customs administration to watch for goods infringing its brands (EU
Regulation 608/2013); that administration's coordinators grant it until `valid_until` or reject
it; the holder asks for an extension at least 30 working days before `valid_until`.

Confidential by construction: every query for a person goes through the scoping gate,
`Application.objects.restrict(user, action)` (core/scope.py):

- the right holder's members see its applications in every status; its admins and editors change
  them (edit the draft, submit, ask for an extension);
- the customs administration of the application's country: its coordinators see every application
  addressed to it but drafts, and decide them; its officers see the granted ones;
- platform admins see all; anyone else (other right holders, other countries' customs, other
  enforcement kinds) nothing.

The holder's side is one method (`_holder`), so that representatives acting for a right holder
join the same rules later (docs/ARCHITECTURE.md: no second path).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.models import Organization
from brands.models import Brand, Product, TrademarkRegistration
from core.roles import OrganizationKind, Role
from core.scope import Scope, ScopedQuerySet

from . import workdays

# The gate's actions beside view and change: a customs coordinator's grant or rejection.
DECIDE = "decide"

# Applications for action are a customs procedure (EU Regulation 608/2013): the one place this
# app asks "is this customs". Other enforcement kinds see nothing of applications.
DECIDING_KINDS = frozenset({OrganizationKind.CUSTOMS})


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class ApplicationQuerySet(ScopedQuerySet):
    def _holder(self, scope: Scope, *, writing: bool) -> Q | None:
        """The applications `scope` holds (reads) or writes for: its own organization's. None
        when it is no holder's member (representatives will add their clients here)."""
        if not scope.is_owner or (writing and not scope.writes):
            return None
        return Q(right_holder_id=scope.organization_id)

    def _customs(self, scope: Scope) -> bool:
        return scope.is_enforcement and scope.kind in DECIDING_KINDS

    def scope_view(self, scope: Scope) -> ApplicationQuerySet:
        """Platform admins: all. The holder's members: all of its own. The customs administration
        of the country: its coordinators every one but drafts, its officers the granted ones
        (still valid). Anyone else: nothing."""
        if scope.is_platform:
            return self.all()
        holder = self._holder(scope, writing=False)
        if holder is not None:
            return self.filter(holder)
        if self._customs(scope):
            addressed = self.filter(country__in=scope.jurisdiction)
            if scope.role == Role.COORDINATOR:
                return addressed.exclude(status=ApplicationStatus.DRAFT)
            return addressed.filter(status=ApplicationStatus.GRANTED, valid_until__gte=timezone.localdate())
        return self.none()

    def scope_change(self, scope: Scope) -> ApplicationQuerySet:
        """The holder's admins and editors: edit the draft, submit, ask for an extension."""
        holder = self._holder(scope, writing=True)
        return self.filter(holder) if holder is not None else self.none()

    def scope_decide(self, scope: Scope) -> ApplicationQuerySet:
        """Any coordinator of the addressed customs administration, on every application it sees
        (whether the status still allows a decision is the service's: a late decision is a 400
        naming `status`, not a 404)."""
        if self._customs(scope) and scope.role == Role.COORDINATOR:
            return self.filter(country__in=scope.jurisdiction).exclude(status=ApplicationStatus.DRAFT)
        return self.none()

    def covering(self, brand_id: Any, country: str, on: datetime.date | None = None) -> ApplicationQuerySet:
        """Granted applications, valid on `on` (today), for `brand_id` (an id or an outer reference)
        in `country`."""
        on = on or timezone.localdate()
        return self.filter(brands=brand_id, country=country, status=ApplicationStatus.GRANTED, valid_until__gte=on)


class Application(models.Model):
    right_holder = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="applications", verbose_name=_("right holder")
    )
    country = CountryField(_("country"))
    brands = models.ManyToManyField(Brand, related_name="applications", verbose_name=_("brands"))
    products = models.ManyToManyField(Product, blank=True, related_name="applications", verbose_name=_("products"))
    trademarks = models.ManyToManyField(
        TrademarkRegistration, blank=True, related_name="applications", verbose_name=_("trade marks relied on")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted = models.DateTimeField(_("submitted"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    extension_requested = models.BooleanField(_("extension requested"), default=False)
    extension_requested_at = models.DateTimeField(_("extension requested"), null=True, blank=True)
    # Why the administration rejected the application (or refused the extension).
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application for action")
        verbose_name_plural = _("applications for action")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["right_holder", "-created"]),
            models.Index(fields=["country", "status"]),
            models.Index(fields=["status", "valid_until"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.country.code}"

    @property
    def country_code(self) -> str:
        return str(getattr(self.country, "code", self.country) or "")

    @property
    def extension_due_by(self) -> datetime.date | None:
        """The last day an extension request may arrive: 30 working days before valid_until in
        the application's country."""
        if self.valid_until is None:
            return None
        return workdays.extension_due_by(self.valid_until, self.country_code)


class StepKind(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    SUBMITTED = "submitted", _("Submitted")
    GRANTED = "granted", _("Granted")
    EXTENDED = "extended", _("Extension granted")
    REJECTED = "rejected", _("Rejected")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXPIRED = "expired", _("Expired")


class ApplicationStep(models.Model):
    """The application's history as both sides read it on its page (the audit log, which only
    platform admins read, has the same steps with the IP address)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=24, choices=StepKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor's organization's name at the time (a person may leave it later).
    organization_name = models.CharField(_("organization"), max_length=200, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application history")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.kind}"


class ReminderKind(models.TextChoices):
    EARLY = "early", _("10 working days before the last day")
    LAST = "last", _("On the last day")


class ExtensionReminder(models.Model):
    """One application.extension_due reminder sent: the unique row makes the periodic task send
    each reminder once, however often it runs (a new valid_until makes new reminders)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=ReminderKind.choices)
    due_by = models.DateField()
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint("application", "kind", "due_by", name="application_extension_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.kind} {self.due_by}"


class TrademarkReminder(models.Model):
    """The one trademark.expiring reminder for a registration's expiry date (a renewed
    registration with a new date is reminded again)."""

    trademark = models.ForeignKey(TrademarkRegistration, on_delete=models.CASCADE, related_name="+")
    expiry_date = models.DateField()
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint("trademark", "expiry_date", name="trademark_expiry_reminder_once")]

    def __str__(self) -> str:
        return f"{self.trademark_id}: {self.expiry_date}"
