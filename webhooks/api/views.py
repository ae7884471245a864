"""The webhooks API: a right holder's admins manage their organization's endpoints (anyone else
is refused with 403; another organization's endpoint is a 404)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.audit import client_ip
from core.api import ScopedAPIView
from core.permissions import allowed

from .. import selectors, services
from ..models import WebhookDelivery
from ..permissions import WEBHOOKS_MANAGE
from .serializers import (
    CreatedWebhookEndpointSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWriteSerializer,
)


class IsWebhookManager(BasePermission):
    """The permission table's "webhooks.manage", for DRF."""

    message = WEBHOOKS_MANAGE.message

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and allowed(request.user, WEBHOOKS_MANAGE)


class WebhookEndpointViewSet(
    ScopedAPIView, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Endpoints that receive the organization's events, signed with their secret (shown once,
    when created)."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsWebhookManager]
    filter_backends = []
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.endpoints_for(self.request.user)

    @extend_schema(request=WebhookEndpointWriteSerializer, responses={201: CreatedWebhookEndpointSerializer})
    def create(self, request):
        body = WebhookEndpointWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        endpoint = services.endpoint_create(
            actor=request.user,
            url=data["url"],
            events=data.get("events"),
            description=data.get("description", ""),
            ip=client_ip(request),
        )
        return Response(CreatedWebhookEndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookEndpointWriteSerializer(partial=True), responses=WebhookEndpointSerializer)
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        body = WebhookEndpointWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(
            actor=request.user, endpoint=endpoint, data=body.validated_data, ip=client_ip(request)
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    def perform_destroy(self, instance):
        services.endpoint_delete(actor=self.request.user, endpoint=instance, ip=client_ip(self.request))

    @extend_schema(request=None, responses=WebhookEndpointSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        """Turn the endpoint back on (after it was disabled for repeated failures)."""
        endpoint = services.endpoint_enable(actor=request.user, endpoint=self.get_object(), ip=client_ip(request))
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(request=None, responses=WebhookDeliverySerializer)
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a `webhook.test` event to this endpoint only; answers with its delivery."""
        delivery = services.endpoint_send_test(actor=request.user, endpoint=self.get_object())
        delivery = WebhookDelivery.objects.select_related("event").get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data)

    @extend_schema(request=None, responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The endpoint's delivery log, newest first."""
        page = self.paginate_queryset(selectors.deliveries_of(self.get_object()))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
