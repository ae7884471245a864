from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from core.api import ScopedAPIView, public_api
from core.scope import system_selector

from .. import services
from ..audit import client_ip
from ..authentication import LOCKED_OUT
from ..models import ApiToken, AuditEntry, Membership, Organization, Status, User
from ..permissions import IsMemberManager, IsPlatformAdmin
from ..tokens import TokenRefused, api_token_revoke, issue_token
from .serializers import (
    ApiTokenSerializer,
    AuditEntrySerializer,
    EmailProofRequestSerializer,
    MeSerializer,
    OrganizationAdminSerializer,
    PlatformUserAdminSerializer,
    ReasonSerializer,
    RegistrationAnswerSerializer,
    RegistrationSerializer,
    RoleChangeSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserAdminSerializer,
    UserApproveSerializer,
)


@public_api("registering through the API")
class RegisterView(APIView):
    """Register a person and either a new organization or a request to join an existing one."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=RegistrationSerializer, responses={201: RegistrationAnswerSerializer})
    def post(self, request):
        serializer = RegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = services.register_account(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                # The language the request is in (Accept-Language) unless the client names one.
                language=data.get("language") or request.LANGUAGE_CODE,
                organization_kind=data["organization"]["kind"],
                organization_name=data["organization"]["name"],
                country=data["organization"]["country"],
                trademarks=data["organization"].get("trademarks"),
                ip=client_ip(request),
            )
        except DjangoValidationError as error:
            errors = as_serializer_error(error)
            # The service's names for them; here organization.name and organization.trademarks.
            nested = {
                field: errors.pop(key)
                for key, field in (("organization_name", "name"), ("trademarks", "trademarks"))
                if key in errors
            }
            if nested:
                errors["organization"] = nested
            raise serializers.ValidationError(errors) from None
        return Response(RegistrationAnswerSerializer(user).data, status=status.HTTP_201_CREATED)


@public_api("asking for a new link proving an e-mail address: the answer is the same for any address")
class EmailProofRequestView(APIView):
    """Send a new link proving the e-mail address, if it is a person's address not yet proven.
    202 whatever the address (nobody learns who has an account); 429 with Retry-After when asked
    again within the minute, or past five times an hour, for the same address."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=EmailProofRequestSerializer, responses={202: None, 429: None})
    def post(self, request):
        body = EmailProofRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wait = services.email_proof_request(email=body.validated_data["email"])
        if wait is not None:
            seconds = int(wait + 0.999)
            return Response(
                {
                    "detail": _("A link was sent to this address a moment ago. Try again in %(seconds)d seconds.")
                    % {"seconds": seconds}
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(seconds)},
            )
        return Response(
            {"detail": _("If this address belongs to an account not yet proven, a new link is on its way.")},
            status=status.HTTP_202_ACCEPTED,
        )


@public_api("signing in for a token: the credentials are the proof")
class TokenView(APIView):
    """Exchange an e-mail, a password and (if two-factor is on) a code for an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        django_request = request._request
        user = authenticate(django_request, username=data["email"], password=data["password"])
        if getattr(django_request, "axes_locked_out", False):
            return Response(
                {"detail": LOCKED_OUT},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(int(_cooloff_seconds()))},
            )
        try:
            instance, token = issue_token(
                user, otp=data.get("otp") or "", name=data.get("name") or "", ip=client_ip(request)
            )
        except TokenRefused as refused:
            return Response(refused.body, status=status.HTTP_400_BAD_REQUEST)
        response = Response({"token": token, "id": instance.token_key, "expiry": instance.expiry})
        add_never_cache_headers(response)  # the token is in the body: no cache may keep it
        return response


def _cooloff_seconds() -> float:
    from django.conf import settings

    return settings.AXES_COOLOFF_TIME.total_seconds()


class MeView(ScopedAPIView, APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request):
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update_profile(
            user=request.user,
            full_name=serializer.validated_data.get("full_name"),
            language=serializer.validated_data.get("language"),
        )
        return Response(MeSerializer(user).data)


_TOKEN_ID = OpenApiParameter("id", str, OpenApiParameter.PATH, description="The token's public id.")


@extend_schema_view(retrieve=extend_schema(parameters=[_TOKEN_ID]), destroy=extend_schema(parameters=[_TOKEN_ID]))
class MyTokenViewSet(
    ScopedAPIView, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The signed-in person's own API tokens; deleting one revokes it at once."""

    serializer_class = ApiTokenSerializer
    lookup_field = "token_key"
    lookup_url_kwarg = "pk"
    lookup_value_regex = "[0-9a-f]+"

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:  # the schema generator's fake request
            return ApiToken.objects.none()
        from django.db.models import Q
        from django.utils import timezone

        live = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
        return ApiToken.objects.filter(live, user=user).order_by("-created")

    def perform_destroy(self, instance):
        api_token_revoke(actor=self.request.user, token=instance, ip=client_ip(self.request))


class OrganizationFilter(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Organization
        fields = ["status", "kind", "country"]


def _moderation_response(serializer_class, instance):
    return Response(serializer_class(instance).data)


class OrganizationAdminViewSet(ScopedAPIView, viewsets.ReadOnlyModelViewSet):
    """Platform admins vet organizations: approve, reject, suspend, reinstate, and set an
    international body's jurisdiction (PATCH)."""

    serializer_class = OrganizationAdminSerializer
    permission_classes = [IsPlatformAdmin]
    filterset_class = OrganizationFilter

    def get_queryset(self):
        founders = Prefetch(
            "memberships",
            queryset=Membership.objects.filter(is_founder=True).select_related("user"),
            to_attr="founders",
        )
        return (
            Organization.objects.annotate(members=Count("memberships"))
            .prefetch_related(founders)
            .order_by("-created", "-id")
        )

    @extend_schema(request=OrganizationAdminSerializer, responses=OrganizationAdminSerializer)
    def partial_update(self, request, pk=None):
        organization = self.get_object()
        body = self.get_serializer(organization, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        if "jurisdiction_countries" in body.validated_data:
            services.organization_set_jurisdiction(
                actor=request.user,
                organization=organization,
                countries=body.validated_data["jurisdiction_countries"],
                ip=client_ip(request),
            )
        return _moderation_response(self.serializer_class, self.get_object())

    def _act(self, service):
        organization = self.get_object()
        body = ReasonSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        service(
            actor=self.request.user,
            organization=organization,
            reason=body.validated_data["reason"],
            ip=client_ip(self.request),
        )
        return _moderation_response(self.serializer_class, self.get_object())

    @extend_schema(request=ReasonSerializer, responses=OrganizationAdminSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(services.organization_approve)

    @extend_schema(request=ReasonSerializer, responses=OrganizationAdminSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(services.organization_reject)

    @extend_schema(request=ReasonSerializer, responses=OrganizationAdminSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._act(services.organization_suspend)

    @extend_schema(request=ReasonSerializer, responses=OrganizationAdminSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._act(services.organization_reinstate)


class UserFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q")
    role = filters.CharFilter(field_name="membership__role")
    organization = filters.NumberFilter(field_name="membership__organization")
    status = filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = User
        fields = ["status", "role", "organization"]

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(email__icontains=value) | Q(full_name__icontains=value))


class UserAdminViewSet(
    ScopedAPIView, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """People to moderate: everyone for platform admins; their own members for an organization's
    admin or coordinator. Anyone else's people answer 404."""

    serializer_class = UserAdminSerializer
    permission_classes = [IsMemberManager]
    filterset_class = UserFilter
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        return User.objects.restrict(self.request.user, "moderate").with_organization().order_by("-date_joined", "-id")

    def get_serializer_class(self):
        # Whether an e-mail address is proven is for the platform admins vetting people.
        user = self.request.user
        if user.is_authenticated and user.is_platform_admin:
            return PlatformUserAdminSerializer
        return UserAdminSerializer

    def _respond(self):
        return Response(self.get_serializer_class()(self.get_object()).data)

    @extend_schema(request=RoleChangeSerializer, responses=UserAdminSerializer)
    def partial_update(self, request, *args, **kwargs):
        user = self.get_object()
        body = RoleChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.member_set_role(
            actor=request.user,
            user=user,
            role=body.validated_data["role"],
            reason=body.validated_data["reason"],
            ip=client_ip(request),
        )
        return self._respond()

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return Response({"detail": _("Use PATCH to change a role.")}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
        return super().update(request, *args, **kwargs)

    def _act(self, service, serializer_class=ReasonSerializer):
        user = self.get_object()
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        service(actor=self.request.user, user=user, ip=client_ip(self.request), **body.validated_data)
        return self._respond()

    @extend_schema(request=UserApproveSerializer, responses=UserAdminSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(services.user_approve, UserApproveSerializer)

    @extend_schema(request=ReasonSerializer, responses=UserAdminSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(services.user_reject)

    @extend_schema(request=ReasonSerializer, responses=UserAdminSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._act(services.user_suspend)

    @extend_schema(request=ReasonSerializer, responses=UserAdminSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._act(services.user_reinstate)

    @extend_schema(request=ReasonSerializer, responses=UserAdminSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        user = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.member_remove(
            actor=request.user, user=user, reason=body.validated_data["reason"], ip=client_ip(request)
        )
        # Removed people leave the organization admin's reach: answer with what they were told.
        return Response(self.get_serializer_class()(system_removed_member(user.pk)).data)


@system_selector("the person an admin just removed, now out of their reach: the answer shows what they were told")
def system_removed_member(pk: int) -> User:
    return User.objects.with_organization().get(pk=pk)


class AuditFilter(filters.FilterSet):
    actor = filters.CharFilter(field_name="actor_email", lookup_expr="iexact")
    action = filters.ChoiceFilter(choices=AuditEntry._meta.get_field("action").choices)
    since = filters.IsoDateTimeFilter(field_name="created", lookup_expr="gte")
    until = filters.IsoDateTimeFilter(field_name="created", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "target_type", "target_id", "organization", "since", "until"]


class AuditViewSet(ScopedAPIView, viewsets.ReadOnlyModelViewSet):
    """The audit log, newest first, for platform admins."""

    serializer_class = AuditEntrySerializer
    permission_classes = [IsPlatformAdmin]
    filterset_class = AuditFilter

    def get_queryset(self):
        return AuditEntry.objects.restrict(self.request.user, "view").order_by("-created", "-id")
