"""The joint operations API (DESIGN.md, "Coordination: deconfliction and joint operations").

Reads go through `Operation.objects.restrict(user, action)` (alerts.selectors): only participants
see an operation, an invited organization's coordinators see its name, dates and lead until they
answer, a right holder sees the operations that tagged a case of its brands ({id, name, starts,
ends}); anyone else gets 404. Writes go through the services, whose `require_*` checks refuse
(403) before the body is read: the lead's coordinators edit, invite and close; an invited
organization's coordinators accept or decline. Results are counts, never a case record, for those
who may read them (`results`), as JSON or CSV (`?format=csv`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.audit import client_ip
from core.api import ScopedAPIView
from core.permissions import require
from jobs.writers import csv_lines, stream_csv

from .. import selectors, services
from ..models import Operation, OperationStatus
from ..permissions import OPERATION_COORDINATE, OPERATIONS_READ
from .serializers import (
    InviteSerializer,
    OperationResultsSerializer,
    OperationSerializer,
    OperationWriteSerializer,
    OrganizationCardSerializer,
)

READ_WRITE = ["get", "post", "patch", "head", "options"]
MAX_QUERY = 100


class CSVRenderer(renderers.BaseRenderer):
    """Lets `?format=csv` (or `Accept: text/csv`) through DRF's content negotiation, which
    otherwise answers 404 for a format no renderer has. The results view writes its file itself
    (`results_csv`); what else reaches this renderer is an error body, written as
    `field,message` lines."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        rows: list[list[Any]] = []
        if isinstance(data, Mapping):
            for field, messages in data.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    rows.append([field, str(message)])
        else:
            rows = [["detail", str(message)] for message in data]
        return "".join(csv_lines(rows, ["field", "message"])).encode("utf-8")


class OperationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=OperationStatus.choices)

    class Meta:
        model = Operation
        fields = ["status"]


_JSON_OR_CSV = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="csv: the results as a spreadsheet (text/csv)."
)


class OperationViewSet(
    ScopedAPIView,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Joint operations: an enforcement coordinator creates one (their organization leads it and
    takes part), invites approved enforcement organizations of any kind and country, whose
    coordinators accept or decline; participants' officers tag their own cases (`operation` on a
    case); the lead's coordinators edit and close it. Participants and the platform read an
    operation whole; an invited organization's coordinators read {id, name, starts, ends, lead,
    status, invitation} until they answer; a right holder whose brands it tagged reads {id, name,
    starts, ends}."""

    serializer_class = OperationSerializer
    filterset_class = OperationFilter
    http_method_names = READ_WRITE

    def initial(self, request, *args, **kwargs):
        """Who may read operations at all (the permission table), before any row: the same 403
        as the pages for the platform, which sees none (DESIGN.md)."""
        super().initial(request, *args, **kwargs)
        require(request.user, OPERATIONS_READ)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Operation.objects.none()
        return selectors.operations_for(self.request.user)

    def _answer(self, pk, code=status.HTTP_200_OK) -> Response:
        operation = self.get_queryset().get(pk=pk)
        return Response(self.get_serializer(operation).data, status=code)

    @extend_schema(request=OperationWriteSerializer, responses={201: OperationSerializer})
    def create(self, request):
        require(request.user, OPERATION_COORDINATE)
        body = OperationWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        operation = services.operation_create(actor=request.user, data=body.validated_data, ip=client_ip(request))
        return self._answer(operation.pk, status.HTTP_201_CREATED)

    @extend_schema(request=OperationWriteSerializer(partial=True), responses=OperationSerializer)
    def partial_update(self, request, pk=None):
        """The lead's coordinators, while the operation is open."""
        operation = self.get_object()
        services.require_operation_lead(request.user, operation)
        body = OperationWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.operation_update(
            actor=request.user, operation=operation, data=body.validated_data, ip=client_ip(request)
        )
        return self._answer(operation.pk)

    @extend_schema(request=InviteSerializer, responses=OperationSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """The lead's coordinators invite an approved enforcement organization (its coordinators
        are told: operation.invited); one that declined may be asked again."""
        operation = self.get_object()
        services.require_operation_lead(request.user, operation)
        body = InviteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.operation_invite(
            actor=request.user,
            operation=operation,
            organization=body.validated_data["organization"],
            ip=client_ip(request),
        )
        return self._answer(operation.pk)

    def _reply(self, request, accept: bool) -> Response:
        operation = self.get_object()
        services.require_operation_answerer(request.user, operation)
        seat = services.operation_answer(actor=request.user, operation=operation, accept=accept, ip=client_ip(request))
        if accept:
            return self._answer(operation.pk)
        # Declined: the organization no longer sees the operation; it reads its answer.
        context = {**self.get_serializer_context(), "seat": seat}
        return Response(OperationSerializer(operation, context=context).data)

    @extend_schema(request=None, responses=OperationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """An invited organization's coordinator: the organization takes part."""
        return self._reply(request, accept=True)

    @extend_schema(request=None, responses=OperationSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """An invited organization's coordinator: the organization does not take part (the answer
        is {id, name, starts, ends, lead, status, invitation: "declined"})."""
        return self._reply(request, accept=False)

    @extend_schema(request=None, responses=OperationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The lead's coordinators: no more tagging; the results stay."""
        operation = services.operation_close(actor=request.user, operation=self.get_object(), ip=client_ip(request))
        return self._answer(operation.pk)

    @extend_schema(
        parameters=[_JSON_OR_CSV],
        responses={
            (200, "application/json"): OperationResultsSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer],
    )
    def results(self, request, pk=None):
        """Counts of the tagged cases by country, agency kind, category and brand (brands the
        reader may not see summed as `other`, `brand` null), verdicts and weeks; a right holder's
        hold its own brands' cases only. Participants, the platform and the right holders whose
        brands it tagged; anyone else 404 (an invited organization until it accepts too)."""
        operation = generics.get_object_or_404(self.scoped(Operation, "results"), pk=pk)
        results = selectors.system_operation_results(request.user, operation)
        if request.accepted_renderer.format == CSVRenderer.format:
            return stream_csv(
                selectors.results_csv_rows(results),
                selectors.RESULTS_CSV_HEADER,
                filename=f"operation-{operation.pk}-results.csv",
            )
        return Response(results.as_dict())

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Part of the name, or a country code.")],
        responses=OrganizationCardSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def invitable(self, request, pk=None):
        """For the lead's coordinators: approved enforcement organizations of any kind and country
        not yet invited (or that declined), matching `q`; at most 50."""
        operation = self.get_object()
        services.require_operation_lead(request.user, operation)
        query = request.query_params.get("q", "")
        if len(query) > MAX_QUERY or "\x00" in query:
            raise ValidationError({"q": [_("Give at most %(max)d characters.") % {"max": MAX_QUERY}]})
        organizations = selectors.system_invitable_organizations(operation, query)
        return Response(OrganizationCardSerializer(organizations, many=True).data)
