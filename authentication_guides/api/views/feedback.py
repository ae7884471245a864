"""A feedback's answer (the brand's admins and editors) and its photo (to those who may see the
feedback)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ScopedAPIView

from ... import services
from ...models import Feedback
from ..serializers import AnswerSerializer, FeedbackSerializer


class FeedbackAnswerView(ScopedAPIView, APIView):
    """POST /api/v1/guides/{id}/feedback/{feedback_id}/answer/ (the brand's admins and editors)."""

    @extend_schema(request=AnswerSerializer, responses=FeedbackSerializer)
    def post(self, request, pk, feedback_pk):
        feedback = get_object_or_404(Feedback.objects.restrict(request.user, "view"), pk=feedback_pk, guide_id=pk)
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feedback = services.feedback_answer(
            actor=request.user, feedback=feedback, answer=body.validated_data["answer"]
        )
        return Response(FeedbackSerializer(feedback, context={"request": request}).data)


class FeedbackPhotoView(ScopedAPIView, APIView):
    @extend_schema(responses={(200, "image/*"): bytes})
    def get(self, request, pk, feedback_pk):
        from django.http import Http404

        from uploads.serving import protected_file_response

        feedback = get_object_or_404(Feedback.objects.restrict(request.user, "view"), pk=feedback_pk, guide_id=pk)
        if not feedback.photo:
            raise Http404
        return protected_file_response(request, feedback.photo)
