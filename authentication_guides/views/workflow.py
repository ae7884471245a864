"""The workflow buttons: submit for review, publish, archive (the owner's admins and editors),
and unpublish with a reason (platform admins). POST only; each answers with the guide's page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import client_ip
from core.gate import scoped
from core.permissions import allowed, require

from .. import services
from ..forms import UnpublishForm
from ..permissions import GUIDE_MODERATE
from .common import editable_guide, guide_url, readable_guide
from .reading import reading_page


def _act(request, pk, service, success: str, *, moderator: bool = False, audited: bool = True):
    """Call the workflow `service` on the guide and go back to its page, with the service's
    refusal (or `success`) as a message. Audited services get the request's address."""
    user = request.user
    # A platform admin acts on guides they may read (publishing one unpublished by moderation;
    # the service refuses any other); everyone else on the guides they may edit.
    guide = readable_guide(user, pk) if moderator and allowed(user, GUIDE_MODERATE) else editable_guide(user, pk)
    try:
        service(actor=user, guide=guide, **({"ip": client_ip(request)} if audited else {}))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(guide_url(guide))


@scoped
@require_POST
def guide_submit(request, pk):
    message = _("The guide is submitted for review. Officers do not see it until it is published.")
    return _act(request, pk, services.guide_submit, message, audited=False)


@scoped
@require_POST
def guide_publish(request, pk):
    message = _("The guide is published: officers who may see it now read this version.")
    return _act(request, pk, services.guide_publish, message, moderator=True)


@scoped
@require_POST
def guide_archive(request, pk):
    message = _("The guide is archived: officers no longer see it. Its history is kept.")
    return _act(request, pk, services.guide_archive, message)


@scoped
@require_POST
def guide_unpublish(request, pk):
    """Moderation: a platform admin takes a published guide away from officers, with a reason."""
    guide = readable_guide(request.user, pk)
    require(request.user, GUIDE_MODERATE)
    form = UnpublishForm(request.POST)
    if form.is_valid():
        try:
            services.guide_unpublish(
                actor=request.user, guide=guide, reason=form.cleaned_data["reason"], ip=client_ip(request)
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The guide is unpublished. Its owner is told the reason."))
        return redirect(guide_url(guide))
    return reading_page(request, guide, unpublish_form=form, status=400)
