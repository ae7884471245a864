"""Appointments of representatives through the API (DESIGN.md's table): reads through the gate
(an appointment of another organization is a 404), writes through the services (a visible
appointment the person may not accept or end is a 403, before the body is read)."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ScopedAPIView
from core.permissions import require

from .. import selectors
from ..audit import client_ip
from ..models import Appointment, AppointmentStatus
from ..permissions import APPOINT_REPRESENTATIVES
from ..services import appointments as services
from .serializers import AppointmentSerializer, AppointmentWriteSerializer, ClientSerializer


class AppointmentFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=AppointmentStatus.choices)

    class Meta:
        model = Appointment
        fields = ["status"]


class AppointmentViewSet(ScopedAPIView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The appointments of the person's organization, either side. A right holder's admins appoint
    (`{representative, all_countries, countries, role}`) and end; the representative's admins
    accept and end (ending one not yet accepted declines it). Anyone else: 404."""

    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Appointment.objects.none()
        return selectors.appointments_for(self.request.user)

    def _answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(request=AppointmentWriteSerializer, responses={201: AppointmentSerializer})
    def create(self, request: Request) -> Response:
        require(request.user, APPOINT_REPRESENTATIVES)
        body = AppointmentWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = services.appointment_create(actor=request.user, ip=client_ip(request), **body.validated_data)
        return self._answer(appointment.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: Any = None) -> Response:
        """The representative's admins accept an appointment awaiting acceptance."""
        appointment = services.appointment_accept(
            actor=request.user, appointment=self.get_object(), ip=client_ip(request)
        )
        return self._answer(appointment.pk)

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: Any = None) -> Response:
        """Either side's admins end an appointment (before acceptance: declined or withdrawn)."""
        appointment = services.appointment_end(
            actor=request.user, appointment=self.get_object(), ip=client_ip(request)
        )
        return self._answer(appointment.pk)


class MyClientsView(ScopedAPIView, generics.ListAPIView):
    """The right holders the person's firm acts for (an active appointment), with the person's
    role for each: the lower of their firm role (an admin counts as editor) and the appointment's.
    Empty for anyone who is not a representative's member."""

    serializer_class = ClientSerializer
    filter_backends: list = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return []
        return selectors.clients_for(self.request.user)
