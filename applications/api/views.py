"""The applications API (DESIGN.md's table): reads through the gate
(`applications.selectors.applications_for`, an application a person may not see is a 404);
writes through the services, whose checks refuse (403) a visible application the person may not
change or decide before the body is read."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import client_ip
from core.api import ScopedAPIView
from core.permissions import require

from .. import selectors, services
from ..models import Application, ApplicationStatus
from ..permissions import APPLICATION_FILE
from .serializers import (
    ApplicationSerializer,
    ApplicationWriteSerializer,
    GrantSerializer,
    RejectSerializer,
    StepSerializer,
)

READ_WRITE = ["get", "post", "patch", "head", "options"]


class ApplicationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ApplicationStatus.choices)
    country = filters.CharFilter(method="by_country")

    class Meta:
        model = Application
        fields = ["status", "country"]

    def by_country(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(country=value.strip().upper()[:2])


class ApplicationViewSet(ScopedAPIView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications for action. The right holder's admins and editors create, edit the draft
    (PATCH), submit and ask for an extension; its viewers read. The addressed customs
    administration's coordinators read every application but drafts and grant (`valid_until`) or
    reject (`reason`) them, the first decision winning; its officers read the granted ones.
    Anyone else: 404."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    http_method_names = READ_WRITE

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        return selectors.applications_for(self.request.user)

    def _answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        application = self.get_queryset().get(pk=pk)
        return Response(self.get_serializer(application).data, status=code)

    @extend_schema(request=ApplicationWriteSerializer, responses={201: ApplicationSerializer})
    def create(self, request: Request) -> Response:
        require(request.user, APPLICATION_FILE)
        body = ApplicationWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = services.application_create(actor=request.user, data=body.validated_data, ip=client_ip(request))
        return self._answer(application.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationWriteSerializer(partial=True), responses=ApplicationSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """The draft's country, brands, products and trade marks."""
        application = self.get_object()
        services.require_holder_writer(request.user, application)
        body = ApplicationWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.application_update(
            actor=request.user, application=application, data=body.validated_data, ip=client_ip(request)
        )
        return self._answer(application.pk)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        """The draft goes to the customs administration of its country."""
        application = services.application_submit(
            actor=request.user, application=self.get_object(), ip=client_ip(request)
        )
        return self._answer(application.pk)

    @extend_schema(request=GrantSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def grant(self, request: Request, pk: Any = None) -> Response:
        """A coordinator of the addressed administration: grant until `valid_until`, or extend a
        granted application whose holder asked for it (a later `valid_until`)."""
        application = self.get_object()
        services.require_decider(request.user, application)
        body = GrantSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_grant(
            actor=request.user, application=application, ip=client_ip(request), **body.validated_data
        )
        return self._answer(application.pk)

    @extend_schema(request=RejectSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        """A coordinator of the addressed administration: reject a submitted application (final),
        or refuse an extension asked for (the application stays granted)."""
        application = self.get_object()
        services.require_decider(request.user, application)
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_reject(
            actor=request.user, application=application, ip=client_ip(request), **body.validated_data
        )
        return self._answer(application.pk)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request: Request, pk: Any = None) -> Response:
        """The holder, at the latest on `extension_due_by`."""
        application = services.application_request_extension(
            actor=request.user, application=self.get_object(), ip=client_ip(request)
        )
        return self._answer(application.pk)

    @extend_schema(request=None, responses=StepSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: Any = None) -> Response:
        """The application's steps, oldest first (the page's history): whoever sees the
        application."""
        steps = selectors.application_history(self.get_object())
        return Response(StepSerializer(steps, many=True).data)
