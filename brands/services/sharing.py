"""Telling right holders, once, that their brands may now be shared with other agencies than
customs (DESIGN.md, "Confidentiality rules"): migration 0006 kept their brands customs-only and
recorded one SharingNotice per owner; this sends them, as migrations emit no events."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import Status
from core.events import emit

from ..models import SharingNotice
from ..notifying import SHARING_WIDEN_POSSIBLE


def sharing_notices_send(*, limit: int = 500) -> int:
    """Emit `sharing.widen_possible` for each notice not sent yet, of an approved right holder
    (one not approved yet is told once it is), and mark it sent: each row is claimed by a
    conditional update in the event's transaction, so two runs at once tell nobody twice.
    Answers how many were sent."""
    pending = (
        SharingNotice.objects.filter(sent__isnull=True, organization__status=Status.APPROVED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(pending[:limit]):
        with transaction.atomic():
            if SharingNotice.objects.filter(pk=pk, sent__isnull=True).update(sent=timezone.now()) != 1:
                continue
            notice = SharingNotice.objects.select_related("organization").get(pk=pk)
            emit(
                SHARING_WIDEN_POSSIBLE,
                subject=notice,
                organization=notice.organization,
                data={"organization": notice.organization.name},
            )
            sent += 1
    return sent
