"""Alerts (a right holder warns officers of a counterfeit flow) and detention cases (an officer
asks a brand owner "genuine or fake?").

Confidential by construction, like the catalogue: every query for a person goes through
the scoping gate, `restrict(user, action)` on these querysets (core/scope.py).

- An alert is seen by its brand owner's members (any status), by platform admins, and by the
  enforcement organizations of its target kinds and countries once published and while still
  valid (and only while the brand stays visible to them).
- A case is seen by the administration that opened it, by the brand owner's members and by
  platform admins. A case keeps its owner organization even if the brand is deleted later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.models import AuditAction, Organization
from brands.models import Brand, Product, agency_names
from core.roles import AGENCY_CHOICES, OrganizationKind, in_agency_order
from core.scope import CHANGE, VIEW, Scope, ScopedQuerySet
from uploads.paths import private_upload_to

from . import workdays

# Audit log actions (accounts.models.AuditAction).
AUDIT_ALERT_PUBLISHED = AuditAction.ALERT_PUBLISHED
AUDIT_ALERT_WITHDRAWN = AuditAction.ALERT_WITHDRAWN
AUDIT_CASE_OPENED = AuditAction.CASE_OPENED
AUDIT_CASE_VERDICT = AuditAction.CASE_VERDICT
AUDIT_CASE_EXTENDED = AuditAction.CASE_EXTENDED
AUDIT_CASE_CLOSED = AuditAction.CASE_CLOSED


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class AlertStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AlertQuerySet(ScopedQuerySet):
    def scope_view(self, scope: Scope) -> AlertQuerySet:
        """Platform admins: all. The brand owner's members: their alerts in any status. An
        enforcement organization: published alerts, still valid, targeted at its kind and at a
        country of its jurisdiction, of a brand visible to it. Anyone else: nothing."""
        if scope.is_platform:
            return self.all()
        if scope.is_owner:
            return self.filter(brand__owner_id=scope.organization_id)
        if scope.is_enforcement:
            kind_targeted = AlertAgency.objects.filter(alert=OuterRef("pk"), kind=scope.kind)
            country_targeted = AlertCountry.objects.filter(alert=OuterRef("pk"), country__in=scope.jurisdiction)
            return self.filter(
                Exists(kind_targeted),
                Exists(country_targeted),
                status=AlertStatus.PUBLISHED,
                valid_until__gte=timezone.localdate(),
                brand__in=Brand.objects.restrict(scope, VIEW),
            )
        return self.none()

    def scope_change(self, scope: Scope) -> AlertQuerySet:
        """The brand owner's admins and editors."""
        return self.filter(brand__in=Brand.objects.restrict(scope, CHANGE))


class Alert(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="alerts")
    products = models.ManyToManyField(Product, blank=True, related_name="alerts")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    origin_countries = models.JSONField(_("suspected origin countries"), default=list, blank=True)
    route = models.TextField(_("route"), blank=True)
    ports = models.JSONField(_("ports and airports"), default=list, blank=True)
    transport_modes = models.JSONField(_("transport modes"), default=list, blank=True)
    hs_codes = models.JSONField(_("HS codes"), default=list, blank=True)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, default=Severity.MEDIUM)
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.DRAFT)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "valid_until"]), models.Index(fields=["brand", "-created"])]

    def __str__(self) -> str:
        return self.title

    @property
    def target_countries(self) -> list[str]:
        return sorted(c.country.code for c in self.target_country_rows.all())

    @property
    def target_agencies(self) -> list[str]:
        """The enforcement kinds it is sent to, in the order forms list them (from the
        prefetched rows when there are some)."""
        return in_agency_order(row.kind for row in self.target_agency_rows.all())

    @property
    def target_agency_names(self) -> list[str]:
        return agency_names(self.target_agencies)


class AlertCountry(models.Model):
    """A country whose enforcement administrations an alert is sent to."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="target_country_rows")
    country = CountryField(_("country"))

    class Meta:
        verbose_name = _("alert target country")
        verbose_name_plural = _("alert target countries")
        constraints = [models.UniqueConstraint("alert", "country", name="alert_country_unique")]
        indexes = [models.Index(fields=["country", "alert"])]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.country.code}"


class AlertAgency(models.Model):
    """An enforcement kind (customs, police, ...) whose organizations in the target countries an
    alert is sent to: one of its brand's agencies."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="target_agency_rows")
    kind = models.CharField(_("agency"), max_length=32, choices=AGENCY_CHOICES)

    class Meta:
        verbose_name = _("alert target agency")
        verbose_name_plural = _("alert target agencies")
        constraints = [models.UniqueConstraint("alert", "kind", name="alert_agency_unique")]
        indexes = [models.Index(fields=["kind", "alert"])]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.kind}"


class AlertAcknowledgement(models.Model):
    """An officer's "seen and taken into account": one per alert and person. The owner sees the
    counts per country, never the names."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    country = CountryField(_("country"))
    created = models.DateTimeField(_("acknowledged"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("alert acknowledgement")
        verbose_name_plural = _("alert acknowledgements")
        constraints = [models.UniqueConstraint("alert", "user", name="alert_acknowledgement_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} ✓ {self.user_id}"


# --------------------------------------------------------------------------- cases


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    DESTROYED = "destroyed", _("Destroyed")
    RELEASED = "released", _("Released")
    REFERRED_TO_COURT = "referred_to_court", _("Referred to court")
    OTHER = "other", _("Other")


class CaseVerdictKind(models.TextChoices):
    COUNTERFEIT = "counterfeit", _("Counterfeit")
    GENUINE = "genuine", _("Genuine")
    NEED_SAMPLE = "need_sample", _("Need a sample")


class Procedure(models.TextChoices):
    """What the officer asks of the brand owner (DESIGN.md, "Cases"): a detention notice (EU
    Regulation 608/2013, customs only, deadlines set by law) or a verification request (any
    enforcement kind: genuine or fake, by the date the officer asks for)."""

    DETENTION = "detention", _("Detention")
    VERIFICATION = "verification", _("Verification request")


# The one place the procedure asks "is this customs": detentions are customs' by law.
DETENTION_KINDS = frozenset({OrganizationKind.CUSTOMS})


def procedures_for(kind: str) -> tuple[Procedure, ...]:
    """The procedures an enforcement organization of `kind` opens, its default first."""
    if kind in DETENTION_KINDS:
        return (Procedure.DETENTION, Procedure.VERIFICATION)
    return (Procedure.VERIFICATION,)


class CaseQuerySet(ScopedQuerySet):
    def scope_view(self, scope: Scope) -> CaseQuerySet:
        """Platform admins: all. The administration that opened it. The brand owner's members.
        Anyone else: nothing."""
        if scope.is_platform:
            return self.all()
        if scope.is_owner:
            return self.filter(owner_id=scope.organization_id)
        if scope.is_enforcement:
            return self.filter(organization_id=scope.organization_id)
        return self.none()

    def scope_answer(self, scope: Scope) -> CaseQuerySet:
        """The brand owner's admins and editors (verdicts, extension, messages)."""
        if scope.writes:
            return self.filter(owner_id=scope.organization_id)
        return self.none()

    def scope_handle(self, scope: Scope) -> CaseQuerySet:
        """The officers of the administration that opened it (photos, messages, closing)."""
        if scope.is_enforcement:
            return self.filter(organization_id=scope.organization_id)
        return self.none()


class Case(models.Model):
    """A detention notice or a verification request (`procedure`). `deadline` is the last working
    day for the brand owner's answer: set by law for a detention, the officer's
    `requested_deadline` for a verification (until extended); `overdue` is a flag set by the beat
    task once it passes unanswered, not a status."""

    # The brand and product may be deleted later: the case stays, with their names, and keeps
    # the owner organization so that the brand owner still sees it.
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    brand_name = models.CharField(_("brand"), max_length=200)
    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases_as_owner")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    product_name = models.CharField(_("product"), max_length=200, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases_opened")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    country = CountryField(_("country"))
    # Cases opened before verification requests existed are all detentions.
    procedure = models.CharField(_("procedure"), max_length=16, choices=Procedure.choices, default=Procedure.DETENTION)
    # The answer date the officer asked for (verifications only): the deadline until extended.
    requested_deadline = models.DateField(_("requested answer date"), null=True, blank=True)
    description = models.TextField(_("description"))
    quantity = models.PositiveIntegerField(_("quantity"))
    location = models.CharField(_("location"), max_length=200, help_text=_("Port, airport, post office…"))
    declared_origin = CountryField(_("declared origin"), blank=True)
    perishable = models.BooleanField(_("perishable goods"), default=False)
    checklist = models.ForeignKey(
        "authentication_guides.Checklist", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("note on the outcome"), blank=True)
    deadline = models.DateField(_("deadline"))
    # The working day on which the deadline_near reminder goes out.
    remind_on = models.DateField(_("reminder on"))
    reminded = models.BooleanField(_("reminder sent"), default=False)
    overdue = models.BooleanField(_("overdue"), default=False)
    extended = models.BooleanField(_("extended"), default=False)
    extended_at = models.DateTimeField(_("extended"), null=True, blank=True)
    created = models.DateTimeField(_("opened"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created"]),
            models.Index(fields=["organization", "-created"]),
            models.Index(fields=["status", "deadline"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.brand_name} ({self.country.code})"

    @property
    def is_verification(self) -> bool:
        return self.procedure == Procedure.VERIFICATION

    @property
    def extension_days(self) -> int:
        """The working days the brand owner's one extension adds."""
        return workdays.VERIFICATION_EXTENSION_DAYS if self.is_verification else workdays.EXTENSION_DAYS

    @property
    def latest_verdict(self) -> CaseVerdict | None:
        verdicts = list(self.verdicts.all())  # prefetched, newest first
        return verdicts[0] if verdicts else None


class CaseVerdict(models.Model):
    """Every answer of the brand owner is kept: after `need_sample`, the next one follows."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="verdicts")
    verdict = models.CharField(_("verdict"), max_length=16, choices=CaseVerdictKind.choices)
    comment = models.TextField(_("comment"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("answered"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("case verdict")
        verbose_name_plural = _("case verdicts")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.verdict}"


class Side(models.TextChoices):
    ENFORCEMENT = "enforcement", _("Enforcement")
    RIGHT_HOLDER = "right_holder", _("Right holder")


class CaseMessage(models.Model):
    """A question or answer on a case's thread, with an optional checked picture."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    body = models.TextField(_("message"))
    attachment = models.FileField(
        _("attachment"), upload_to=private_upload_to("cases/messages"), blank=True, max_length=255
    )
    created = models.DateTimeField(_("sent"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.body[:40]}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=private_upload_to("cases/photos"), max_length=255)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("added"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: photo {self.pk}"
