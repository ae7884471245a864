"""Catalogue events on the notification pipeline.

- ``sharing.widen_possible`` (subject: the right holder's ``SharingNotice``; organization: the
  right holder): its brands were kept shared with customs only when police, market surveillance,
  anti-fraud and international bodies joined (migration 0006); its admins are told, once, that
  they may widen the sharing, with a link to the catalogue.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.event_types import event_type
from core.scope import system_selector

SHARING_WIDEN_POSSIBLE = "sharing.widen_possible"


@system_selector("a right holder's admins, told once that they may share its brands with other agencies")
def system_sharing_admins(event) -> QuerySet[User]:
    return User.objects.filter(membership__organization_id=event.organization_id, membership__role=Role.ADMIN)


event_type(
    SHARING_WIDEN_POSSIBLE,
    recipients=system_sharing_admins,
    title=lambda event: _("You can now share your brands with police and other agencies"),
    link=lambda event: reverse("brands:catalogue"),
)
