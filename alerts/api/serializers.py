"""Shapes of the alerts and cases API. Serializers check types and sizes; the services check the
rules (whose brand, visibility, transitions) and write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from brands.models import Category, TransportMode
from core.api import CountryCodeField
from core.roles import AGENCY_CHOICES, OrganizationKind
from uploads.serializers import SafeImageField

from ..models import (
    Alert,
    AlertStatus,
    Case,
    CaseMessage,
    CasePhoto,
    CaseStatus,
    CaseVerdict,
    CaseVerdictKind,
    Operation,
    OperationStatus,
    Outcome,
    ParticipantStatus,
    Procedure,
    Severity,
)
from ..selectors import READS_BRIEF, READS_INVITATION, operation_reading
from ..services.coordination import MAX_FOCUS_BRANDS
from ..subjects import MAX_VALUE_LENGTH, SubjectKind

MAX_TEXT = 20_000
# The largest id PostgreSQL's bigint holds: a larger number is a 400 naming the field, not a 500.
MAX_ID = 2**63 - 1


def _countries(**kwargs):
    return serializers.ListField(child=CountryCodeField(), max_length=250, **kwargs)


class StrictSerializer(serializers.Serializer):
    """A request body whose unknown fields are refused (400 naming each) rather than ignored: a
    misspelt field never looks like a change that was made."""

    def validate(self, attrs):
        given = self.initial_data if isinstance(self.initial_data, Mapping) else {}
        unknown = sorted(set(given) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({field: [_("Unknown field.")] for field in unknown})
        return attrs


class OptionalBooleanField(serializers.BooleanField):
    """A boolean that stays absent when a form leaves it out (DRF reads a missing form field as
    false), so that the services' default applies."""

    default_empty_html = empty


class SubjectSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SubjectKind.choices)
    value = serializers.CharField(max_length=MAX_VALUE_LENGTH)


@extend_schema_field(SubjectSerializer(many=True))
class SubjectsField(serializers.Field):
    """A case's subjects as given: the services read them (alerts.subjects.clean_subjects: the
    kinds, at most MAX_SUBJECTS, each value's length and form) and answer 400 naming `subjects`."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


# --------------------------------------------------------------------------- alerts


class AlertWriteSerializer(serializers.Serializer):
    brand = serializers.IntegerField(help_text=_("One of your organization's brands (not changed by an update)."))
    products = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=100)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    target_countries = _countries(help_text=_("Within the brand's visibility."))
    target_agencies = serializers.ListField(
        child=serializers.ChoiceField(choices=AGENCY_CHOICES),
        required=False,
        max_length=len(AGENCY_CHOICES),
        help_text=_("The kinds of enforcement agency told, among the brand's (all of the brand's when left out)."),
    )
    hs_codes = serializers.ListField(child=serializers.CharField(max_length=32), required=False, max_length=100)
    origin_countries = _countries(required=False)
    route = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    ports = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=100)
    transport_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=TransportMode.choices), required=False, max_length=10
    )
    valid_until = serializers.DateField(help_text=_("The last day the alert is valid (ISO 8601)."))


class AlertSerializer(serializers.ModelSerializer):
    brand_name = serializers.CharField(source="brand.name", read_only=True)
    products = serializers.SerializerMethodField()
    target_countries = serializers.ListField(child=serializers.CharField(), read_only=True)
    target_agencies = serializers.ListField(child=serializers.ChoiceField(choices=AGENCY_CHOICES), read_only=True)
    hs_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    origin_countries = serializers.ListField(child=serializers.CharField(), read_only=True)
    ports = serializers.ListField(child=serializers.CharField(), read_only=True)
    transport_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=TransportMode.choices), read_only=True
    )
    acknowledged = serializers.SerializerMethodField()
    acknowledgements = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "brand",
            "brand_name",
            "products",
            "title",
            "description",
            "severity",
            "target_countries",
            "target_agencies",
            "hs_codes",
            "origin_countries",
            "route",
            "ports",
            "transport_modes",
            "valid_until",
            "status",
            "created",
            "published_at",
            "acknowledged",
            "acknowledgements",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_products(self, alert: Alert) -> list[int]:
        return sorted(p.pk for p in alert.products.all())

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_acknowledged(self, alert: Alert) -> bool | None:
        """Officers: whether they acknowledged it. Others: null."""
        return getattr(alert, "acknowledged", None)

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField(), allow_null=True))
    def get_acknowledgements(self, alert: Alert) -> dict | None:
        """The brand owner and platform admins: acknowledgements per target country. Others: null."""
        return getattr(alert, "ack_counts", None)


# --------------------------------------------------------------------------- cases


class CaseWriteSerializer(serializers.Serializer):
    brand = serializers.IntegerField(help_text=_("A brand visible to your administration."))
    product = serializers.IntegerField(required=False, allow_null=True, help_text=_("A product of that brand."))
    description = serializers.CharField(max_length=MAX_TEXT)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000_000)
    location = serializers.CharField(max_length=200, help_text=_("Port, airport, post office…"))
    declared_origin = CountryCodeField(required=False, allow_blank=True, allow_null=True)
    perishable = serializers.BooleanField(required=False, default=False)
    checklist = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("An inspection checklist of your administration.")
    )
    procedure = serializers.ChoiceField(
        choices=Procedure.choices,
        required=False,
        help_text=_(
            "detention (customs only, their default) or verification (the default of every other enforcement kind)."
        ),
    )
    requested_deadline = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_(
            "Verifications: the answer date asked for, a working day 1 to 30 working days ahead in the"
            " case's country (5 working days by default)."
        ),
    )
    country = CountryCodeField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_(
            "International bodies: one of their jurisdiction's countries in which the brand is visible to"
            " them. Others: ignored (their country)."
        ),
    )
    subjects = SubjectsField(
        required=False,
        help_text=_(
            "Whom or what the case is about: at most 50 subjects, each {kind, value}; compared with other"
            " enforcement organizations' cases (deconfliction)."
        ),
    )
    share_subjects = OptionalBooleanField(
        required=False,
        help_text=_(
            "Whether the brand owner reads the subjects (by default: yes on a detention, no on a verification)."
        ),
    )
    operation = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("An open joint operation your organization takes part in, covering the day the case is opened."),
    )


class CaseCoordinationSerializer(StrictSerializer):
    """PATCH of a case: only these fields change after opening (the opening organization's
    officers, while the case is not closed)."""

    subjects = SubjectsField(
        required=False, help_text=_("The whole list, replacing the current one (an empty list clears it).")
    )
    share_subjects = OptionalBooleanField(required=False)
    operation = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text=_("null untags the case.")
    )


class VerdictSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseVerdict
        fields = ["id", "verdict", "comment", "created"]


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ChecklistSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    guide = serializers.IntegerField(source="guide_id")
    conclusion = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())


class HitOrganizationSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    country = serializers.CharField()


class HitContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()


class DeconflictionHitSerializer(serializers.Serializer):
    """One deconfliction hit (alerts.selectors.HitCard): another organization has a case on the
    same subject; whom to call there, never that case's content."""

    id = serializers.IntegerField()
    subject_kind = serializers.ChoiceField(choices=SubjectKind.choices)
    organization = HitOrganizationSerializer()
    contact = HitContactSerializer(many=True)
    since = serializers.DateTimeField(help_text=_("When the hit was found."))
    in_contact = serializers.BooleanField()


def optional_in_schema(field: serializers.Field) -> serializers.Field:
    """Mark an answer's field as a key some readers do not get: drf-spectacular lists every
    read-only field as required, so the field is marked writable and not required. Only for
    serializers of answers, never given a request body."""
    field.read_only = False
    field.required = False
    return field


class ForSomeReaders(serializers.SerializerMethodField):
    """A method field whose key is left out for readers who may not see it (the method answers
    None for them and the serializer drops the key); optional in the schema."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        optional_in_schema(self)


class CoverageSerializer(serializers.Serializer):
    granted = serializers.BooleanField()
    valid_until = serializers.DateField(allow_null=True)


class CaseSerializer(serializers.ModelSerializer):
    """A case as its reader may see it: `subjects` only for those who may read them (the opening
    organization, the platform, the brand owner when the officer shared them), `deconfliction`
    only for the opening organization's members; the keys are absent for anyone else
    (alerts.selectors.decorate_cases sets what each reader gets)."""

    country = CountryCodeField(read_only=True)
    declared_origin = CountryCodeField(read_only=True)
    organization = OrganizationRefSerializer(read_only=True)
    verdict = serializers.SerializerMethodField()
    verdicts = VerdictSerializer(many=True, read_only=True)
    checklist = ChecklistSummarySerializer(read_only=True, allow_null=True)
    operation = serializers.IntegerField(
        source="operation_id", read_only=True, allow_null=True, help_text=_("The joint operation it is tagged with.")
    )
    subjects = ForSomeReaders(
        help_text=_(
            "Present only for the members of the opening organization and, when share_subjects is"
            " true, the brand owner's (never the platform)."
        )
    )
    deconfliction = ForSomeReaders(
        help_text=_(
            "Deconfliction hits: present only for the members of the organization that opened the case"
            " (never the brand owner, its representatives or the platform)."
        )
    )
    application_for_action = ForSomeReaders(
        help_text=_(
            "Whether a granted application for action covers the brand in the case's country today:"
            " present only for customs readers."
        )
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "brand",
            "brand_name",
            "product",
            "product_name",
            "description",
            "quantity",
            "location",
            "declared_origin",
            "perishable",
            "country",
            "procedure",
            "requested_deadline",
            "ex_officio",
            "organization",
            "status",
            "overdue",
            "deadline",
            "extended",
            "verdict",
            "verdicts",
            "outcome",
            "outcome_note",
            "checklist",
            "created",
            "answered_at",
            "closed_at",
            "share_subjects",
            "operation",
            "subjects",
            "deconfliction",
            "application_for_action",
        ]
        read_only_fields = fields

    # Left out for readers who may not see them (None on the decorated case).
    FOR_SOME_READERS = ("subjects", "deconfliction", "application_for_action")

    def to_representation(self, case: Case) -> dict[str, Any]:
        data = super().to_representation(case)
        for key in self.FOR_SOME_READERS:
            if data.get(key) is None:
                data.pop(key, None)
        return data

    @extend_schema_field(serializers.ChoiceField(choices=CaseVerdictKind.choices, allow_null=True))
    def get_verdict(self, case: Case) -> str | None:
        """The latest verdict, null before the first answer."""
        latest = case.latest_verdict
        return latest.verdict if latest else None

    @extend_schema_field(SubjectSerializer(many=True))
    def get_subjects(self, case: Case) -> list[dict[str, str]] | None:
        subjects = getattr(case, "visible_subjects", None)  # undecorated: nobody reads them
        if subjects is None:
            return None
        return [{"kind": s.kind, "value": s.value} for s in subjects]

    @extend_schema_field(CoverageSerializer)
    def get_application_for_action(self, case: Case) -> dict[str, Any] | None:
        coverage = getattr(case, "application_for_action", None)  # undecorated: nobody reads it
        return CoverageSerializer(coverage).data if coverage is not None else None

    @extend_schema_field(DeconflictionHitSerializer(many=True))
    def get_deconfliction(self, case: Case) -> list[dict[str, Any]] | None:
        hits = getattr(case, "hits", None)
        if hits is None:
            return None
        return DeconflictionHitSerializer(hits, many=True).data


class RespondSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=CaseVerdictKind.choices)
    comment = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachment = serializers.SerializerMethodField()

    class Meta:
        model = CaseMessage
        fields = ["id", "side", "author", "body", "attachment", "created"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, message: CaseMessage) -> str | None:
        return message.author.full_name if message.author else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_attachment(self, message: CaseMessage) -> str | None:
        if not message.attachment:
            return None
        path = reverse("alerts-api:case-message-attachment", args=[message.case_id, message.pk])
        return self.context["request"].build_absolute_uri(path)


class MessageWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_TEXT)
    attachment = SafeImageField(required=False, allow_null=True, help_text=_("A JPEG, PNG or WebP picture."))


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CasePhoto
        fields = ["id", "url", "width", "height", "created"]

    @extend_schema_field(serializers.URLField())
    def get_url(self, photo: CasePhoto) -> str:
        path = reverse("alerts-api:case-photo-file", args=[photo.case_id, photo.pk])
        return self.context["request"].build_absolute_uri(path)


class PhotoUploadSerializer(serializers.Serializer):
    image = SafeImageField(help_text=_("A JPEG, PNG or WebP picture."))


# --------------------------------------------------------------------------- operations


class OrganizationCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganizationKind.choices)
    country = CountryCodeField()


class ParticipantSerializer(serializers.Serializer):
    organization = OrganizationCardSerializer()
    status = serializers.ChoiceField(choices=ParticipantStatus.choices)


# What each reader of an operation gets (OperationSerializer.shape).
FULL = (
    "id",
    "name",
    "description",
    "starts",
    "ends",
    "categories",
    "brands",
    "lead",
    "status",
    "participants",
)
INVITED = ("id", "name", "starts", "ends", "lead", "status", "invitation")
BRAND_OWNER = ("id", "name", "starts", "ends")


class OperationSerializer(serializers.ModelSerializer):
    """A joint operation as its reader may see it: participants and the platform read it whole;
    an invited organization's coordinators, until they answer, only {id, name, starts, ends,
    lead, status, invitation}; a right holder whose brands it tagged only {id, name, starts,
    ends}. `brands` lists the focus brands the reader may see."""

    categories = serializers.ListField(child=serializers.ChoiceField(choices=Category.choices), read_only=True)
    brands = serializers.SerializerMethodField()
    lead = OrganizationCardSerializer(read_only=True)
    status = serializers.ChoiceField(choices=OperationStatus.choices, read_only=True)
    participants = ParticipantSerializer(many=True, read_only=True)
    invitation = ForSomeReaders(
        help_text=_("Only for an invited organization's coordinators, until they answer: their invitation's status.")
    )

    class Meta:
        model = Operation
        fields = [*FULL, "invitation"]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name, field in fields.items():
            if name not in BRAND_OWNER:  # what every reader gets
                optional_in_schema(field)
        return fields

    def shape(self, operation: Operation) -> tuple[tuple[str, ...], str | None]:
        """The keys the reader gets, and their organization's invitation status when that is
        all they read (context `seat` overrides the prefetched one: just answered)."""
        reading, seat = operation_reading(self.context["request"].user, operation, self.context.get("seat"))
        if reading == READS_BRIEF:
            return BRAND_OWNER, None
        if reading == READS_INVITATION and seat is not None:
            return INVITED, str(seat.status)
        return FULL, None

    def to_representation(self, operation: Operation) -> dict[str, Any]:
        keys, _invitation = self.shape(operation)
        data = super().to_representation(operation)
        return {key: data[key] for key in keys}

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_brands(self, operation: Operation) -> list[int]:
        return [brand.pk for brand in operation.brands.all()]  # prefetched: the ones the reader sees

    # Never "accepted": an organization taking part reads the operation whole.
    @extend_schema_field(
        serializers.ChoiceField(
            choices=[(s.value, s.label) for s in (ParticipantStatus.INVITED, ParticipantStatus.DECLINED)]
        )
    )
    def get_invitation(self, operation: Operation) -> str | None:
        return self.shape(operation)[1]


class OperationWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    starts = serializers.DateField(help_text=_("The first day (ISO 8601)."))
    ends = serializers.DateField(help_text=_("The last day, on or after the first (at most two years later)."))
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices),
        required=False,
        max_length=len(Category.choices),
        help_text=_("Focus categories: they inform the participants and do not restrict tagging."),
    )
    brands = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=MAX_FOCUS_BRANDS,
        help_text=_("Focus brands you can see: they inform the participants and do not restrict tagging."),
    )


class InviteSerializer(StrictSerializer):
    organization = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=_("An approved enforcement organization, of any kind and country.")
    )


class BreakdownSerializer(serializers.Serializer):
    cases = serializers.IntegerField()
    quantity = serializers.IntegerField()


class CountryBreakdownSerializer(BreakdownSerializer):
    country = serializers.CharField()


class AgencyBreakdownSerializer(BreakdownSerializer):
    kind = serializers.ChoiceField(choices=OrganizationKind.choices)


class CategoryBreakdownSerializer(BreakdownSerializer):
    category = serializers.CharField(help_text=_("A product category, or `unknown`."))


class BrandBreakdownSerializer(BreakdownSerializer):
    brand = serializers.IntegerField(allow_null=True, help_text=_("null: the brands the reader may not see."))
    name = serializers.CharField()


class WeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text=_("The Monday of the week."))
    cases = serializers.IntegerField()


class OperationResultsSerializer(serializers.Serializer):
    """An operation's results (alerts.selectors.OperationResults): counts of the tagged cases,
    never a case record. A right holder's hold its own brands' cases only."""

    cases = serializers.IntegerField()
    quantity = serializers.IntegerField()
    by_country = CountryBreakdownSerializer(many=True)
    by_agency = AgencyBreakdownSerializer(many=True)
    by_category = CategoryBreakdownSerializer(many=True)
    by_brand = BrandBreakdownSerializer(many=True)
    verdicts = serializers.DictField(child=serializers.IntegerField())
    over_time = WeekSerializer(many=True)


__all__ = [
    "AlertSerializer",
    "AlertStatus",
    "AlertWriteSerializer",
    "CaseCoordinationSerializer",
    "CaseSerializer",
    "CaseStatus",
    "CaseWriteSerializer",
    "CloseSerializer",
    "InviteSerializer",
    "MessageSerializer",
    "MessageWriteSerializer",
    "OperationResultsSerializer",
    "OperationSerializer",
    "OperationWriteSerializer",
    "OrganizationCardSerializer",
    "PhotoSerializer",
    "PhotoUploadSerializer",
    "RespondSerializer",
]
