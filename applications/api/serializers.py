"""Shapes of the applications API (DESIGN.md's table). Serializers check types and sizes; the
services check the rules (whose brands, which country, which transitions) and write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import CountryCodeField

from ..models import Application, ApplicationStep
from ..services import MAX_ITEMS, MAX_REASON

# The largest id PostgreSQL's bigint holds: a larger number is a 400 naming the field, not a 500.
MAX_ID = 2**63 - 1


def _ids(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=MAX_ITEMS, **kwargs
    )


class StrictSerializer(serializers.Serializer):
    """Unknown fields are refused (400 naming each) rather than ignored."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = self.initial_data if isinstance(self.initial_data, Mapping) else {}
        unknown = sorted(set(given) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({field: [_("Unknown field.")] for field in unknown})
        return attrs


class ApplicationWriteSerializer(StrictSerializer):
    right_holder = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    country = CountryCodeField()
    brands = _ids()
    products = _ids(required=False)
    trademarks = _ids(required=False)


class GrantSerializer(StrictSerializer):
    valid_until = serializers.DateField()


class RejectSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=MAX_REASON)


class RightHolderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ApplicationSerializer(serializers.ModelSerializer):
    right_holder = RightHolderRefSerializer(read_only=True)
    country = CountryCodeField(read_only=True)
    brands = serializers.SerializerMethodField()
    products = serializers.SerializerMethodField()
    trademarks = serializers.SerializerMethodField()
    extension_due_by = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "right_holder",
            "country",
            "trademarks",
            "brands",
            "products",
            "status",
            "submitted",
            "valid_until",
            "extension_requested",
            "extension_due_by",
            "reason",
        ]
        read_only_fields = fields

    # From the prefetched rows (applications.selectors.applications_for): no query per row.
    def get_brands(self, application: Application) -> list[int]:
        return sorted(row.pk for row in application.brands.all())

    def get_products(self, application: Application) -> list[int]:
        return sorted(row.pk for row in application.products.all())

    def get_trademarks(self, application: Application) -> list[int]:
        return sorted(row.pk for row in application.trademarks.all())


class StepSerializer(serializers.ModelSerializer):
    """One step of an application's history, as both sides read it on its page: what, when, by
    which organization (never the person), the validity granted and the reason given."""

    organization = serializers.CharField(source="organization_name", read_only=True)

    class Meta:
        model = ApplicationStep
        fields = ["kind", "organization", "valid_until", "reason", "created"]
        read_only_fields = fields
