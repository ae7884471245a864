"""The feedback loop: an officer reports that a published guide is outdated or wrong, or sends a
new fake variant (text and an optional photo); the brand's admins and editors answer it from
their queue; the officer's administration reads the answers.

Who sees what is `Feedback.objects.restrict(user, "view")`: the sending administration, the guide's owner,
platform admins. Only the owner's admins and editors answer (403 for the others who see it; 404
for anyone who does not see it).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.gate import may, scoped
from core.permissions import allowed, require
from core.views import paginate, posted

from .. import services
from ..forms import AnswerForm, FeedbackFilterForm, FeedbackForm
from ..models import Feedback, FeedbackStatus, Guide
from ..permissions import GUIDE_FEEDBACK, GUIDE_INSPECT
from .common import readable_guide, version_for


def _errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@scoped
def feedback_new(request, pk):
    """GET the form; POST sends the report and goes back to the guide."""
    user = request.user
    guide = readable_guide(user, pk)  # 404 outside the officer's scope
    require(user, GUIDE_INSPECT)
    form = FeedbackForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.feedback_send(
                actor=user, guide=guide, kind=data["kind"], message=data["message"], photo=data["photo"] or None
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Thank you: your report is sent to the brand owner."))
            return redirect("guides:detail", guide.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"guide": guide, "version": version_for(user, guide), "form": form}
    return render(request, "guides/feedback_form.html", context, status=status)


def _queue(user):
    """The feedback the person sees, open first, then newest; what each item shows in one query."""
    open_first = Case(When(status=FeedbackStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Feedback.objects.restrict(user, "view")
        .select_related("guide", "guide__brand", "version", "organization", "answered_by")
        .order_by(open_first, "-created", "-id")
    )


def queue_page(request, *, answer_form=None, answered=None, status: int = 200):
    user = request.user
    require(user, GUIDE_FEEDBACK)
    officer_view = allowed(user, GUIDE_INSPECT)  # the reports their administration sent
    form = FeedbackFilterForm(request.GET or None)
    items = _queue(user)
    if form.is_bound:
        items = form.filter(items)
    page = paginate(request, items)
    guide_ids = {item.guide_id for item in page}
    answerable = (
        set(Guide.objects.restrict(user, "change").filter(pk__in=guide_ids).values_list("pk", flat=True))
        if guide_ids and not officer_view
        else set()
    )
    for item in page:
        item.can_answer = item.guide_id in answerable
        if item.can_answer:
            bound = answer_form if answered is not None and item.pk == answered else None
            item.answer_form = bound or AnswerForm(auto_id=f"id_feedback{item.pk}_%s", initial={"answer": item.answer})
    context = {"form": form, "page": page, "officer_view": officer_view}
    return render(request, "guides/feedback_queue.html", context, status=status)


@scoped
@require_safe
def feedback_queue(request):
    """The owner's queue (platform admins: all); officers: their administration's reports."""
    return queue_page(request)


@scoped
@require_POST
def feedback_answer(request, fid):
    user = request.user
    feedback = get_object_or_404(Feedback.objects.restrict(user, "view").select_related("guide"), pk=fid)
    if not may(user, "change", feedback.guide):
        raise PermissionDenied
    form = AnswerForm(request.POST, auto_id=f"id_feedback{feedback.pk}_%s")
    if form.is_valid():
        try:
            services.feedback_answer(actor=user, feedback=feedback, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Your answer is sent."))
            return redirect("guides:feedback_queue")
    return queue_page(request, answer_form=form, answered=feedback.pk, status=400)
