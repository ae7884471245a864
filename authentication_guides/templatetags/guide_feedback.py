"""The owner's feedback count on a guide's page: {% open_feedback guide as count %}."""

from django import template

from ..models import Feedback, FeedbackStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def open_feedback(context, guide) -> int:
    """How many reports on `guide` that the person may see are still open (one COUNT query)."""
    feedback = Feedback.objects.restrict(context["request"].user, "view")
    return feedback.filter(guide_id=guide.pk, status=FeedbackStatus.OPEN).count()
