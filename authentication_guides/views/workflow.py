"""The workflow buttons: submit for review, publish, archive (the owner's admins and editors),
and unpublish with a reason (platform admins). POST only; each answers with the guide's page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import client_ip
from core.gate import scoped

from .. import services
from ..forms import UnpublishForm
from .common import editable_guide, guide_url, readable_guide
from .reading import reading_page


def _act(request, pk, action, success: str, *, moderator: bool = False):
    user = request.user
    # A platform admin acts on guides they may read (publishing one unpublished by moderation);
    # everyone else on the guides they may edit.
    if moderator and user.is_platform_admin:
        guide = readable_guide(user, pk)
        if not guide.moderation_reason:
            raise PermissionDenied
    else:
        guide = editable_guide(user, pk)
    try:
        action(guide)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(guide_url(guide))


@scoped
@require_POST
def guide_submit(request, pk):
    return _act(
        request,
        pk,
        lambda guide: services.guide_submit(actor=request.user, guide=guide),
        _("The guide is submitted for review. Officers do not see it until it is published."),
    )


@scoped
@require_POST
def guide_publish(request, pk):
    return _act(
        request,
        pk,
        lambda guide: services.guide_publish(actor=request.user, guide=guide, ip=client_ip(request)),
        _("The guide is published: officers who may see it now read this version."),
        moderator=True,
    )


@scoped
@require_POST
def guide_archive(request, pk):
    return _act(
        request,
        pk,
        lambda guide: services.guide_archive(actor=request.user, guide=guide, ip=client_ip(request)),
        _("The guide is archived: officers no longer see it. Its history is kept."),
    )


@scoped
@require_POST
def guide_unpublish(request, pk):
    """Moderation: a platform admin takes a published guide away from officers, with a reason."""
    guide = readable_guide(request.user, pk)
    if not request.user.is_platform_admin:
        raise PermissionDenied
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
