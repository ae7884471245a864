"""The owner's feedback count on a guide's page: {% open_feedback guide as count %}."""

from django import template

from ..models import Feedback, FeedbackStatus

register = template.Library()


@register.simple_tag
def open_feedback(guide) -> int:
    """How many reports on `guide` are still open (one COUNT query)."""
    return Feedback.objects.filter(guide_id=guide.pk, status=FeedbackStatus.OPEN).count()
