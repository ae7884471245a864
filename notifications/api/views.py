"""The inbox and preferences API: a person's own notifications only (another's is a 404)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ScopedAPIView

from .. import selectors, services
from .serializers import MarkedSerializer, NotificationSerializer, PreferencesSerializer, UnreadSerializer


@extend_schema(
    parameters=[OpenApiParameter("unread", bool, description="Only unread notifications (true) or read ones.")]
)
class NotificationViewSet(ScopedAPIView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filter_backends = []
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        queryset = selectors.inbox(user=self.request.user)
        unread = self.request.query_params.get("unread", "").lower()
        if unread in ("true", "1"):
            queryset = queryset.filter(read_at__isnull=True)
        elif unread in ("false", "0"):
            queryset = queryset.filter(read_at__isnull=False)
        return queryset

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notification_mark_read(actor=request.user, notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_all_read(actor=request.user)})

    @extend_schema(responses=UnreadSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})


def _preferences(user) -> dict:
    return {
        "email": selectors.email_mode(user=user),
        "followed_brands": list(selectors.followed_brands(user=user).values_list("pk", flat=True)),
    }


class PreferencesView(ScopedAPIView, APIView):
    """How the person is told: e-mail immediately, in a daily digest or never, and the brands
    they follow (told when a guide of theirs is published)."""

    serializer_class = PreferencesSerializer

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request):
        return Response(_preferences(request.user))

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def patch(self, request):
        serializer = PreferencesSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.preferences_update(actor=request.user, **serializer.validated_data)
        return Response(_preferences(request.user))
