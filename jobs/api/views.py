from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from core.api import ScopedAPIView

from ..progress import progress_of
from ..selectors import job_list
from .serializers import JobListSerializer, JobSerializer

_JOB_ID = OpenApiParameter("id", str, OpenApiParameter.PATH, description="The job's id (a UUID).")


@extend_schema_view(retrieve=extend_schema(parameters=[_JOB_ID]))
class JobViewSet(ScopedAPIView, viewsets.ReadOnlyModelViewSet):
    """Background jobs (imports, exports...) that the caller may see: their own and their
    organization's, newest first. A job that is not visible answers 404."""

    lookup_value_regex = "[0-9a-fA-F-]+"

    def get_queryset(self):
        queryset = job_list(user=self.request.user)
        if self.action == "list":
            # Up to 1,000 row errors per job: not for a list.
            queryset = queryset.defer("errors", "params")
        return queryset

    def get_serializer_class(self):
        return JobListSerializer if self.action == "list" else JobSerializer

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "progress": progress_of(page)}
        serializer = self.get_serializer_class()(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)
