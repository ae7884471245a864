"""Shapes of the alerts and cases API. Serializers check types and sizes; the services check the
rules (whose brand, visibility, transitions) and write."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brands.models import TransportMode
from core.api import CountryCodeField
from core.roles import AGENCY_CHOICES
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
    Outcome,
    Procedure,
    Severity,
)

MAX_TEXT = 20_000


def _countries(**kwargs):
    return serializers.ListField(child=CountryCodeField(), max_length=250, **kwargs)


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


class CaseSerializer(serializers.ModelSerializer):
    country = CountryCodeField(read_only=True)
    declared_origin = CountryCodeField(read_only=True)
    organization = OrganizationRefSerializer(read_only=True)
    verdict = serializers.SerializerMethodField()
    verdicts = VerdictSerializer(many=True, read_only=True)
    checklist = ChecklistSummarySerializer(read_only=True, allow_null=True)

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
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=CaseVerdictKind.choices, allow_null=True))
    def get_verdict(self, case: Case) -> str | None:
        """The latest verdict, null before the first answer."""
        latest = case.latest_verdict
        return latest.verdict if latest else None


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


__all__ = [
    "AlertSerializer",
    "AlertStatus",
    "AlertWriteSerializer",
    "CaseSerializer",
    "CaseStatus",
    "CaseWriteSerializer",
    "CloseSerializer",
    "MessageSerializer",
    "MessageWriteSerializer",
    "PhotoSerializer",
    "PhotoUploadSerializer",
    "RespondSerializer",
]
