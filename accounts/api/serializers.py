from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import CountryCodeField

from ..models import (
    REGISTRABLE_KIND_CHOICES,
    ApiToken,
    Appointment,
    AuditEntry,
    Organization,
    Role,
    User,
)
from ..services.registration import MAX_TRADEMARKS, TRADEMARK_NUMBER_LENGTH, TRADEMARK_OFFICE_LENGTH


class OrganizationSummarySerializer(serializers.ModelSerializer):
    country = CountryCodeField()

    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "country", "status"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, allow_null=True)
    organization = OrganizationSummarySerializer(read_only=True, allow_null=True)
    two_factor_enabled = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "language", "status", "role", "organization", "two_factor_enabled"]
        read_only_fields = ["id", "email", "status", "role", "organization", "two_factor_enabled"]

    def get_two_factor_enabled(self, user: User) -> bool:
        from django_otp import user_has_device

        return user_has_device(user, confirmed=True)


class RegistrationTrademarkSerializer(serializers.Serializer):
    office = serializers.CharField(max_length=TRADEMARK_OFFICE_LENGTH, help_text=_("e.g. EUIPO, WIPO, USPTO, INPI."))
    number = serializers.CharField(max_length=TRADEMARK_NUMBER_LENGTH)


class RegistrationOrganizationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=REGISTRABLE_KIND_CHOICES)
    name = serializers.CharField(max_length=200, min_length=2)
    country = CountryCodeField()
    trademarks = serializers.ListField(
        child=RegistrationTrademarkSerializer(),
        required=False,
        max_length=MAX_TRADEMARKS,
        help_text=_(
            "A new right holder's trade mark registrations, for the platform admin vetting it to check "
            "(ignored for a request to join an existing organization)."
        ),
    )


class RegistrationSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    full_name = serializers.CharField(max_length=200)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The person's language; by default the request's (Accept-Language)."),
    )
    organization = RegistrationOrganizationSerializer()


class RegistrationAnswerSerializer(serializers.ModelSerializer):
    """The person who registered, and nothing of the organization: the answer is the same for a
    new organization and for a request to join one, so it tells nobody which names exist."""

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "status"]
        read_only_fields = fields


class EmailProofRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.RegexField(
        r"^\d{6,8}$",
        required=False,
        allow_blank=True,
        help_text=_("The current two-factor code, if two-factor is turned on."),
    )
    name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("A label to recognise the token by, e.g. the script or system using it."),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    id = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class ApiTokenSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="token_key", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "created", "expiry", "last_used"]
        read_only_fields = fields


class FounderSerializer(serializers.ModelSerializer):
    email_verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "email_verified", "email_verified_at"]
        read_only_fields = fields


class OrganizationAdminSerializer(serializers.ModelSerializer):
    """An organization as platform admins moderate it. Only `jurisdiction` is written (PATCH),
    and only for an international body; the service refuses it for the others."""

    country = CountryCodeField(read_only=True)
    jurisdiction = serializers.ListField(
        child=CountryCodeField(),
        source="jurisdiction_countries",
        required=False,
        max_length=300,
        help_text=_(
            "Where the organization acts (ISO 3166-1 alpha-2 codes, sorted): the countries a platform "
            "admin sets for an international body; any other organization's own country."
        ),
    )
    members = serializers.IntegerField(read_only=True, help_text=_("Number of members, any status."))
    trademarks = RegistrationTrademarkSerializer(
        many=True, read_only=True, help_text=_("The trade mark registrations given when it registered.")
    )
    founders = serializers.SerializerMethodField(help_text=_("Who registered it, and whether their e-mail is proven."))

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "kind",
            "country",
            "jurisdiction",
            "status",
            "status_reason",
            "created",
            "members",
            "trademarks",
            "founders",
        ]
        read_only_fields = [
            "id",
            "name",
            "kind",
            "country",
            "status",
            "status_reason",
            "created",
            "members",
            "trademarks",
            "founders",
        ]

    @extend_schema_field(FounderSerializer(many=True))
    def get_founders(self, organization: Organization) -> list[dict]:
        # Prefetched by the view (to_attr "founders"); read here once per organization otherwise.
        memberships = getattr(organization, "founders", None)
        if memberships is None:
            memberships = organization.memberships.filter(is_founder=True).select_related("user")
        return FounderSerializer([membership.user for membership in memberships], many=True).data


class UserAdminSerializer(serializers.ModelSerializer):
    organization = OrganizationSummarySerializer(read_only=True, allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "organization", "role", "status", "status_reason", "date_joined"]
        read_only_fields = ["id", "email", "full_name", "organization", "status", "status_reason", "date_joined"]


class PlatformUserAdminSerializer(UserAdminSerializer):
    """A person as platform admins see them: with whether the e-mail address is proven."""

    email_verified = serializers.BooleanField(read_only=True)

    class Meta(UserAdminSerializer.Meta):
        fields = [*UserAdminSerializer.Meta.fields, "email_verified", "email_verified_at"]
        read_only_fields = [*UserAdminSerializer.Meta.read_only_fields, "email_verified", "email_verified_at"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class UserApproveSerializer(ReasonSerializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)


class RoleChangeSerializer(ReasonSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor_email", read_only=True)
    target = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = ["id", "created", "actor", "action", "target", "organization", "reason", "details", "ip_address"]
        read_only_fields = fields

    def get_target(self, entry: AuditEntry) -> dict:
        return {"type": entry.target_type, "id": entry.target_id, "repr": entry.target_repr}


# --------------------------------------------------------------------------- appointments


class OrganizationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class AppointmentSerializer(serializers.ModelSerializer):
    """An appointment as both organizations' members read it."""

    right_holder = OrganizationBriefSerializer(read_only=True)
    representative = OrganizationBriefSerializer(read_only=True)
    countries = serializers.ListField(
        child=serializers.CharField(),
        source="country_list",
        read_only=True,
        help_text=_("ISO 3166-1 alpha-2 codes, sorted; empty when the appointment is for every country."),
    )

    # A plain string in the schema: the choices are a subset of the people's roles, whose enum
    # would otherwise collide with this one's name.
    role = serializers.CharField(read_only=True, help_text=_("editor or viewer."))

    class Meta:
        model = Appointment
        fields = ["id", "right_holder", "representative", "all_countries", "countries", "role", "status"]
        read_only_fields = fields


class AppointmentWriteSerializer(serializers.Serializer):
    """A right holder's admin appoints: which firm, where, with which role. The service checks the
    firm (an approved representative), the countries and the one live appointment per pair."""

    representative = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=_("The id of an approved representative organization.")
    )
    all_countries = serializers.BooleanField(required=False, default=False)
    countries = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        default=list,
        max_length=300,
        help_text=_("ISO 3166-1 alpha-2 codes; at least one unless all_countries."),
    )
    # Checked by the service (400 naming role unless editor or viewer).
    role = serializers.CharField(max_length=20, help_text=_("editor or viewer."))


class ClientSerializer(serializers.Serializer):
    """A right holder the person's firm acts for, with the person's own role for it."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    role = serializers.CharField(
        read_only=True, help_text=_("editor or viewer: the lower of the person's firm role and the appointment's.")
    )
    all_countries = serializers.BooleanField(read_only=True)
    countries = serializers.ListField(child=serializers.CharField(), read_only=True)
