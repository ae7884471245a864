"""The inspection checklist: an officer goes through the indicators of the published version,
marks each "matches genuine", "matches fake" or "can't tell", and gets a summary that is stored
(to be attached to a detention case later).

Only enforcement officers inspect (403 for anyone else who may read the guide; 404 for those who
may not). An inspection is seen by its administration and platform admins only
(`Checklist.objects.restrict(user, "view")`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from brands.models import Contact
from brands.views.catalogue import describe_contacts
from core.gate import scoped
from core.permissions import require
from core.views import posted

from .. import services
from ..forms import ChecklistForm
from ..models import IMPORTANCE_RANK, Checklist, Importance, Verdict
from ..permissions import GUIDE_INSPECT
from .common import readable_guide, reading_order, version_for


@scoped
def checklist_start(request, pk):
    user = request.user
    guide = readable_guide(user, pk)
    require(user, GUIDE_INSPECT)
    version = version_for(user, guide)  # officers: the published version
    indicators = reading_order(version.indicators.all())
    form = ChecklistForm(*posted(request), indicators=indicators)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = services.checklist_record(
                actor=user, guide=guide, results=form.results(), note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The inspection is recorded."))
            return redirect("guides:checklist", guide.pk, checklist.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"guide": guide, "version": version, "form": form}
    return render(request, "guides/checklist_form.html", context, status=status)


@scoped
def checklist_detail(request, pk, checklist_pk):
    user = request.user
    checklist = get_object_or_404(
        Checklist.objects.restrict(user, "view").select_related("version", "guide__brand", "created_by"),
        pk=checklist_pk,
        guide_id=pk,
    )
    verdicts, importance = dict(Verdict.choices), dict(Importance.choices)
    results = [
        {
            **result,
            "verdict_label": verdicts.get(result.get("verdict"), result.get("verdict")),
            "importance_label": importance.get(result.get("importance"), result.get("importance")),
        }
        for result in checklist.results
    ]
    last = len(IMPORTANCE_RANK)
    results.sort(key=lambda result: IMPORTANCE_RANK.get(result.get("importance"), last))  # decisive first
    contacts = Contact.objects.restrict(user, "view").filter(brand=checklist.guide.brand)
    context = {
        "checklist": checklist,
        "guide": checklist.guide,
        "results": results,
        "counts": checklist.counts,
        "contacts": describe_contacts(user, contacts),
    }
    return render(request, "guides/checklist_detail.html", context)
