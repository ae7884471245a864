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
from core.roles import AGENCY_CHOICES, OrganizationKind, Role, in_agency_order
from core.scope import CHANGE, VIEW, Scope, ScopedQuerySet
from uploads.paths import private_upload_to

from . import workdays
from .subjects import MAX_NORMAL_LENGTH, MAX_VALUE_LENGTH, SubjectKind

# Audit log actions (accounts.models.AuditAction).
AUDIT_ALERT_PUBLISHED = AuditAction.ALERT_PUBLISHED
AUDIT_ALERT_WITHDRAWN = AuditAction.ALERT_WITHDRAWN
AUDIT_CASE_OPENED = AuditAction.CASE_OPENED
AUDIT_CASE_VERDICT = AuditAction.CASE_VERDICT
AUDIT_CASE_EXTENDED = AuditAction.CASE_EXTENDED
AUDIT_CASE_CLOSED = AuditAction.CASE_CLOSED
AUDIT_CASE_SUBJECTS = AuditAction.CASE_SUBJECTS_CHANGED
AUDIT_CASE_OPERATION = AuditAction.CASE_OPERATION_TAGGED
AUDIT_DECONFLICTION_HIT = AuditAction.DECONFLICTION_HIT
AUDIT_DECONFLICTION_IN_CONTACT = AuditAction.DECONFLICTION_IN_CONTACT
AUDIT_OPERATION_CREATED = AuditAction.OPERATION_CREATED
AUDIT_OPERATION_UPDATED = AuditAction.OPERATION_UPDATED
AUDIT_OPERATION_INVITED = AuditAction.OPERATION_INVITED
AUDIT_OPERATION_ACCEPTED = AuditAction.OPERATION_ACCEPTED
AUDIT_OPERATION_DECLINED = AuditAction.OPERATION_DECLINED
AUDIT_OPERATION_CLOSED = AuditAction.OPERATION_CLOSED


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
        """The officers of the administration that opened it (photos, messages, subjects,
        operation, closing)."""
        if scope.is_enforcement:
            return self.filter(organization_id=scope.organization_id)
        return self.none()

    def scope_subjects(self, scope: Scope) -> CaseQuerySet:
        """Who reads a case's subjects: the organization that opened it, and the brand owner's
        members only when the officer shared them (`share_subjects`). Not the platform: the
        names, phones and addresses an investigation is about are the agencies' (DESIGN.md)."""
        if scope.is_owner:
            return self.filter(owner_id=scope.organization_id, share_subjects=True)
        if scope.is_enforcement:
            return self.filter(organization_id=scope.organization_id)
        return self.none()

    def scope_deconflict(self, scope: Scope) -> CaseQuerySet:
        """Who reads a case's deconfliction hits: the members of the organization that opened
        it, and no one else (never the brand owner, nor the platform: DESIGN.md)."""
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
    # A detention opened where the brand's owner held no granted application for action covering
    # the brand (applications.selectors.system_is_covered): set at opening, never changed.
    ex_officio = models.BooleanField(_("ex officio"), default=False, editable=False)
    # Whether the brand owner reads the subjects (true by default for a detention).
    share_subjects = models.BooleanField(_("share the subjects with the brand owner"), default=False)
    operation = models.ForeignKey(
        "Operation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("operation"),
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


# --------------------------------------------------------------------------- coordination


class CaseSubject(models.Model):
    """Someone or something a case is about (a company, a website, a phone, a container...),
    as written and in its normal form (alerts/subjects.py). `organization` is the case's
    (never changes): deconfliction leaves its own organization out without a join."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subjects")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=SubjectKind.choices)
    value = models.CharField(_("value"), max_length=MAX_VALUE_LENGTH)
    normal = models.CharField(_("normal form"), max_length=MAX_NORMAL_LENGTH)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("case subject")
        verbose_name_plural = _("case subjects")
        ordering = ["position", "id"]
        # A match is one look-up on (kind, normal) whatever the number of cases.
        indexes = [models.Index(fields=["kind", "normal"], name="case_subject_match")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} {self.value}"


class DeconflictionHitQuerySet(models.QuerySet):
    def of_case(self, case_id: int) -> DeconflictionHitQuerySet:
        return self.filter(models.Q(first_id=case_id) | models.Q(second_id=case_id))


class DeconflictionHit(models.Model):
    """Two cases of different enforcement organizations share a subject: recorded once per pair
    (`first` is the lower id), whatever the number of subjects in common or of saves. Each side
    sees only that the other organization has a matter on the same subject, and whom to call."""

    first = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    subject_kind = models.CharField(_("subject kind"), max_length=24, choices=SubjectKind.choices)
    found = models.DateTimeField(_("found"), default=timezone.now, editable=False)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When both sides' coordinators were told (deconfliction.hit): the hit row is its own outbox,
    # announced by a task after the save commits, or by the beat's sweep if that task never ran.
    announced = models.DateTimeField(_("announced"), null=True, blank=True)
    in_contact_at = models.DateTimeField(_("in contact since"), null=True, blank=True)
    in_contact_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DeconflictionHitQuerySet.as_manager()

    class Meta:
        verbose_name = _("deconfliction hit")
        verbose_name_plural = _("deconfliction hits")
        ordering = ["-found", "-id"]
        constraints = [
            models.UniqueConstraint("first", "second", name="deconfliction_pair_once"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="deconfliction_pair_ordered"
            ),
        ]
        indexes = [
            models.Index(
                fields=["found"], condition=models.Q(announced__isnull=True), name="deconfliction_unannounced"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ↔ {self.second_id} ({self.subject_kind})"

    def other_case_id(self, case_id: int) -> int:
        return self.second_id if self.first_id == case_id else self.first_id


class OperationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Taking part")
    DECLINED = "declined", _("Declined")


class OperationQuerySet(ScopedQuerySet):
    def _participating(self, scope: Scope) -> OperationQuerySet:
        taking_part = OperationParticipant.objects.filter(
            operation=OuterRef("pk"), organization_id=scope.organization_id, status=ParticipantStatus.ACCEPTED
        )
        return self.filter(Exists(taking_part))

    def scope_view(self, scope: Scope) -> OperationQuerySet:
        """Enforcement: the operations their organization takes part in, and those it is invited
        to (its coordinators, who answer; they see the name, dates and lead until then). A right
        holder: the operations that tagged a case of its brands. Only participants see an
        operation (DESIGN.md): not the platform."""
        if scope.is_enforcement:
            states = [ParticipantStatus.ACCEPTED]
            if scope.role == Role.COORDINATOR:
                states.append(ParticipantStatus.INVITED)
            invited_or_in = OperationParticipant.objects.filter(
                operation=OuterRef("pk"), organization_id=scope.organization_id, status__in=states
            )
            return self.filter(Exists(invited_or_in))
        if scope.is_owner:
            tagged = Case.objects.filter(operation=OuterRef("pk"), owner_id=scope.organization_id)
            return self.filter(Exists(tagged))
        return self.none()

    def scope_results(self, scope: Scope) -> OperationQuerySet:
        """Who reads an operation's results (counts): its participants, and the right holders
        whose brands it tagged (their brands only: the results' selector)."""
        if scope.is_enforcement:
            return self._participating(scope)
        return self.scope_view(scope)

    def scope_tag(self, scope: Scope) -> OperationQuerySet:
        """The open operations an enforcement organization takes part in: its officers tag
        their own cases with them."""
        if scope.is_enforcement:
            return self._participating(scope).filter(status=OperationStatus.OPEN)
        return self.none()

    def scope_answer(self, scope: Scope) -> OperationQuerySet:
        """The operations an enforcement organization is invited to and has not answered."""
        if scope.is_enforcement:
            invited = OperationParticipant.objects.filter(
                operation=OuterRef("pk"), organization_id=scope.organization_id, status=ParticipantStatus.INVITED
            )
            return self.filter(Exists(invited), status=OperationStatus.OPEN)
        return self.none()

    def scope_change(self, scope: Scope) -> OperationQuerySet:
        """The lead organization's operations (its coordinators edit, invite and close: the
        role is the permission table's)."""
        if scope.is_enforcement:
            return self.filter(lead_id=scope.organization_id)
        return self.none()


class Operation(models.Model):
    """A joint operation: enforcement organizations of any kind and country agree to work a
    period together; each tags its own cases with it and all read the totals, never another
    organization's case records."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    # Focus: informs participants, does not restrict tagging.
    categories = models.JSONField(_("focus categories"), default=list, blank=True)
    brands = models.ManyToManyField(Brand, blank=True, related_name="operations", verbose_name=_("focus brands"))
    lead = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="operations_led")
    status = models.CharField(
        _("status"), max_length=16, choices=OperationStatus.choices, default=OperationStatus.OPEN
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OperationQuerySet.as_manager()

    class Meta:
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        ordering = ["-starts", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts__lte=models.F("ends")), name="operation_dates")
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, day) -> bool:
        return self.starts <= day <= self.ends


class OperationParticipant(models.Model):
    """An organization invited to an operation, and its answer. The lead takes part from the
    start."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="participants")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="operation_seats")
    status = models.CharField(
        _("status"), max_length=16, choices=ParticipantStatus.choices, default=ParticipantStatus.INVITED
    )
    invited = models.DateTimeField(_("invited"), default=timezone.now, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("operation participant")
        verbose_name_plural = _("operation participants")
        ordering = ["invited", "id"]
        constraints = [models.UniqueConstraint("operation", "organization", name="operation_participant_once")]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.organization_id} ({self.status})"
