"""The alerts and cases API. Reads go through `restrict(request.user, "view")` (an invisible object is
a 404, absent from lists); writes go through the services, which answer 403 for a visible object
the person may not change and 400 for bad input. Who may draft alerts or open cases at all is
the role table's (alerts/permissions.py); whether one may act on a visible object, the services'
`require_*` checks, asked before the body is read."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.audit import client_ip
from core.api import ScopedAPIView
from core.gate import object_or_404
from core.parsers import JSONParser
from core.permissions import require
from uploads.serving import protected_file_response

from .. import selectors, services
from ..models import Alert, AlertStatus, Case, CaseMessage, CasePhoto, CaseStatus, Severity
from ..permissions import ALERT_DRAFT, CASE_OPEN
from .serializers import (
    AlertSerializer,
    AlertWriteSerializer,
    CaseCoordinationSerializer,
    CaseSerializer,
    CaseWriteSerializer,
    CloseSerializer,
    MessageSerializer,
    MessageWriteSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    RespondSerializer,
)

READ_WRITE = ["get", "post", "patch", "head", "options"]


# --------------------------------------------------------------------------- alerts


class AlertFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=AlertStatus.choices)
    severity = filters.ChoiceFilter(choices=Severity.choices)
    brand = filters.NumberFilter(field_name="brand_id")

    class Meta:
        model = Alert
        fields = ["status", "severity", "brand"]


class AlertViewSet(
    ScopedAPIView,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Right holders draft, publish and withdraw their brands' alerts; officers read the
    published alerts targeted at their kind of agency and a country of their jurisdiction, and
    acknowledge them."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    http_method_names = READ_WRITE

    def get_queryset(self):
        return selectors.alerts_for(self.request.user)

    def _answer(self, pk, code=status.HTTP_200_OK) -> Response:
        alert = selectors.decorate_alerts(self.request.user, [self.get_queryset().get(pk=pk)])[0]
        return Response(AlertSerializer(alert, context=self.get_serializer_context()).data, status=code)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = selectors.decorate_alerts(request.user, self.paginate_queryset(queryset))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object().pk)

    @extend_schema(request=AlertWriteSerializer, responses={201: AlertSerializer})
    def create(self, request):
        require(request.user, ALERT_DRAFT)
        body = AlertWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = services.alert_create(actor=request.user, data=body.validated_data)
        return self._answer(alert.pk, status.HTTP_201_CREATED)

    @extend_schema(request=AlertWriteSerializer(partial=True), responses=AlertSerializer)
    def partial_update(self, request, pk=None):
        alert = self.get_object()
        services.require_alert_editor(request.user, alert)
        body = AlertWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.alert_update(actor=request.user, alert=alert, data=body.validated_data)
        return self._answer(alert.pk)

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Send the draft to the officers of its target kinds and countries."""
        alert = services.alert_publish(actor=request.user, alert=self.get_object(), ip=client_ip(request))
        return self._answer(alert.pk)

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        alert = services.alert_withdraw(actor=request.user, alert=self.get_object(), ip=client_ip(request))
        return self._answer(alert.pk)

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """An officer of a target kind and country: seen and taken into account (once)."""
        alert = self.get_object()
        services.alert_acknowledge(actor=request.user, alert=alert)
        return self._answer(alert.pk)


# --------------------------------------------------------------------------- cases


class CaseFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CaseStatus.choices)
    overdue = filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="filter_overdue")
    brand = filters.NumberFilter(field_name="brand_id")

    class Meta:
        model = Case
        fields = ["status", "overdue", "brand"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue=value == "true")


class CaseViewSet(ScopedAPIView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Officers open cases (customs: a detention or a verification; the other kinds: a
    verification; an international body names the case's `country`) and close them; the brand
    owner's admins and editors answer with a verdict and may ask once for more time. Viewers
    read. The opening organization's officers change a case's subjects, `share_subjects` and
    operation (PATCH) while it is not closed; its coordinators mark a deconfliction hit "in
    contact". `subjects` and `deconfliction` are present only for those who may read them."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    http_method_names = READ_WRITE

    def get_queryset(self):
        return selectors.cases_for(self.request.user)

    def _answer(self, pk, code=status.HTTP_200_OK) -> Response:
        case = selectors.decorate_cases(self.request.user, [self.get_queryset().get(pk=pk)])[0]
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data, status=code)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = selectors.decorate_cases(request.user, self.paginate_queryset(queryset))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        case = selectors.decorate_cases(request.user, [self.get_object()])[0]
        return Response(self.get_serializer(case).data)

    @extend_schema(request=CaseWriteSerializer, responses={201: CaseSerializer})
    def create(self, request):
        require(request.user, CASE_OPEN)
        body = CaseWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.case_open(actor=request.user, data=body.validated_data, ip=client_ip(request))
        return self._answer(case.pk, status.HTTP_201_CREATED)

    def _step(self, request, check, serializer_class, do) -> Response:
        """`check(user, case)` refuses (403) before the body is read; `do` (a service taking the
        actor, the case, the caller's address and the body's fields) writes."""
        case = self.get_object()
        check(request.user, case)
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        do(actor=request.user, case=case, ip=client_ip(request), **body.validated_data)
        return self._answer(case.pk)

    @extend_schema(request=RespondSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """The brand owner's verdict: counterfeit, genuine or need_sample (again after a sample)."""
        return self._step(request, services.require_case_answerer, RespondSerializer, services.case_respond)

    @extend_schema(request=None, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """Once: 10 more working days after the current deadline for a detention, 5 for a
        verification."""
        case = services.case_extend(actor=request.user, case=self.get_object(), ip=client_ip(request))
        return self._answer(case.pk)

    @extend_schema(request=CloseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(request, services.require_case_handler, CloseSerializer, services.case_close)

    @extend_schema(request=CaseCoordinationSerializer, responses=CaseSerializer)
    def partial_update(self, request, pk=None):
        """The opening organization's officers, while the case is not closed: `subjects` (the
        whole list), `share_subjects`, `operation` (null untags). Saving subjects looks for other
        organizations' cases on the same subjects (deconfliction)."""
        case = self.get_object()
        services.require_case_coordinator(request.user, case)
        body = CaseCoordinationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.case_coordinate(actor=request.user, case=case, data=body.validated_data, ip=client_ip(request))
        return self._answer(case.pk)

    @extend_schema(
        request=None,
        responses=CaseSerializer,
        parameters=[OpenApiParameter("hit_id", int, OpenApiParameter.PATH, description="The hit's id.")],
    )
    @action(detail=True, methods=["post"], url_path=r"deconfliction/(?P<hit_id>[0-9]{1,18})/in-contact")
    def in_contact(self, request, pk=None, hit_id=None):
        """A coordinator of the organization that opened the case records that the two
        organizations are in contact (once; audited). The case's hits exist only for its
        organization's members: anyone else gets 404."""
        case = generics.get_object_or_404(self.scoped(Case, "deconflict"), pk=pk)
        services.hit_mark_in_contact(actor=request.user, case=case, hit_id=hit_id, ip=client_ip(request))
        return self._answer(case.pk)


_CASE_PK = OpenApiParameter("case_pk", int, OpenApiParameter.PATH, description="The case's id.")


class CaseChildMixin(ScopedAPIView):
    def case(self) -> Case:
        if not hasattr(self, "_case"):
            self._case = object_or_404(self.request.user, Case, self.kwargs["case_pk"])
        return self._case


@extend_schema(parameters=[_CASE_PK])
class CaseMessageViewSet(CaseChildMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The case's thread, newest first. POST (JSON or multipart) `body` and an optional picture
    `attachment`: the officers handling the case and the brand owner's admins and editors."""

    serializer_class = MessageSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CaseMessage.objects.none()
        return CaseMessage.objects.filter(case=self.case()).select_related("author").order_by("-created", "-id")

    @extend_schema(
        request={"multipart/form-data": MessageWriteSerializer, "application/json": MessageWriteSerializer},
        responses={201: MessageSerializer},
    )
    def create(self, request, *args, **kwargs):
        case = self.case()
        services.message_side(request.user, case)  # who may write, before any picture is decoded
        body = MessageWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = services.case_message_post(
            actor=request.user,
            case=case,
            body=body.validated_data["body"],
            attachment=body.validated_data.get("attachment"),
        )
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "image/*"): bytes})
    @action(detail=True, methods=["get"])
    def attachment(self, request, *args, **kwargs):
        message = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return protected_file_response(request, message.attachment)


@extend_schema(parameters=[_CASE_PK])
class CasePhotoViewSet(CaseChildMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The case's photos. POST multipart `image`: the officers handling the case."""

    serializer_class = PhotoSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CasePhoto.objects.none()
        return CasePhoto.objects.filter(case=self.case()).order_by("-created", "-id")

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: PhotoSerializer})
    def create(self, request, *args, **kwargs):
        case = self.case()
        services.require_photo_writer(request.user, case)  # before the picture is decoded
        body = PhotoUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        photo = services.case_photo_add(actor=request.user, case=case, image=body.validated_data["image"])
        return Response(self.get_serializer(photo).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "image/*"): bytes})
    @action(detail=True, methods=["get"])
    def file(self, request, *args, **kwargs):
        photo = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return protected_file_response(request, photo.image)
