"""What the guide services share: the lengths of submitted texts, and the guide fetched for
writing through the person's scope (PermissionDenied outside it)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import Guide

# What the services keep of a submitted text (core.validators.clean_text): a line (a title, a
# caption) or a text (a summary, a message).
MAX_LINE = 200
MAX_TEXT = 20_000


def _editable_guide(actor: User, guide: Guide, *, lock: bool = False) -> Guide:
    queryset = Guide.objects.restrict(actor, "change")
    if lock:
        queryset = queryset.select_for_update()
    found = queryset.filter(pk=guide.pk).first()
    if found is None:
        raise PermissionDenied(_("You cannot edit this guide."))
    return found
