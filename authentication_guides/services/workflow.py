"""The workflow: submit for review (optional), publish, archive, and moderation. Publishing
freezes the version being written and makes it what officers see; only a platform admin unpublishes
(with a reason the owner is told) and publishes again after that. Every publication, archiving and
unpublishing is written to the audit log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import AuditAction, User
from core.events import emit
from core.permissions import allowed, require

from ..models import Guide, GuideStatus, GuideVersion, VersionStatus
from ..permissions import GUIDE_MODERATE
from .common import _editable_guide
from .guides import _current_open


@transaction.atomic
def guide_submit(*, actor: User, guide: Guide) -> Guide:
    """Ask for a review before publishing (optional)."""
    guide = _editable_guide(actor, guide, lock=True)
    version = _current_open(guide)
    if version is None or version.status != VersionStatus.DRAFT:
        raise ValidationError({"status": [_("There is no draft to submit.")]})
    version.status = VersionStatus.IN_REVIEW
    version.save(update_fields=["status"])
    if guide.status != GuideStatus.PUBLISHED:
        guide.status = GuideStatus.IN_REVIEW
        guide.save(update_fields=["status"])
    return guide


@transaction.atomic
def guide_publish(*, actor: User, guide: Guide, ip: str | None = None) -> Guide:
    """Freeze the version being written and make it what officers see, in one transaction.

    A guide unpublished by moderation goes back to officers only through a platform admin
    (its owner may edit it meanwhile); an archived one its owner may publish again."""
    moderated = Guide.objects.filter(pk=guide.pk).exclude(moderation_reason="").exists()
    if moderated:
        if not allowed(actor, GUIDE_MODERATE):
            raise PermissionDenied(
                _(
                    "A platform administrator unpublished this guide: "
                    "only a platform administrator can publish it again."
                )
            )
        guide = Guide.objects.select_for_update().get(pk=guide.pk)
    else:
        guide = _editable_guide(actor, guide, lock=True)
    version = _current_open(guide)
    if version is None and guide.published_version is not None and guide.status != GuideStatus.PUBLISHED:
        # Archived, or unpublished by moderation: publishing again restores the last version.
        return _republish(actor, guide, ip=ip)
    if version is None:
        raise ValidationError({"status": [_("There is no draft to publish: edit the guide first.")]})
    if not version.indicators.exists():
        raise ValidationError({"indicators": [_("Add at least one indicator before publishing.")]})
    GuideVersion.objects.filter(guide=guide, status=VersionStatus.PUBLISHED).update(status=VersionStatus.SUPERSEDED)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by"])
    _move(
        actor,
        guide,
        GuideStatus.PUBLISHED,
        AuditAction.GUIDE_PUBLISHED,
        ip=ip,
        also={"published_version": version, "moderation_reason": ""},
        details={"version": version.number},
    )
    emit(
        "guide.published",
        subject=guide,
        actor=actor,
        organization=guide.brand.owner,
        data={"version": version.number, "title": version.title, "brand": guide.brand.name},
    )
    return guide


def _republish(actor: User, guide: Guide, *, ip: str | None) -> Guide:
    assert guide.published_version is not None  # checked by guide_publish
    return _move(
        actor,
        guide,
        GuideStatus.PUBLISHED,
        AuditAction.GUIDE_PUBLISHED,
        ip=ip,
        also={"moderation_reason": ""},
        details={"version": guide.published_version.number, "restored": True},
    )


def _move(
    actor: User,
    guide: Guide,
    status: str,
    action: str,
    *,
    ip: str | None,
    also: dict[str, Any] | None = None,
    **audit: Any,
) -> Guide:
    """Put the guide in `status` (with the other fields in `also`) and write `action` to the
    audit log of the guide's owner."""
    changes = {"status": status, **(also or {})}
    for field, value in changes.items():
        setattr(guide, field, value)
    guide.save(update_fields=list(changes))
    audit_log(actor=actor, action=action, target=guide, organization=guide.brand.owner, ip=ip, **audit)
    return guide


@transaction.atomic
def guide_archive(*, actor: User, guide: Guide, ip: str | None = None) -> Guide:
    """Withdraw the guide from officers (kept, with its history)."""
    guide = _editable_guide(actor, guide, lock=True)
    if guide.status == GuideStatus.ARCHIVED:
        raise ValidationError({"status": [_("The guide is already archived.")]})
    return _move(actor, guide, GuideStatus.ARCHIVED, AuditAction.GUIDE_ARCHIVED, ip=ip)


@transaction.atomic
def guide_unpublish(*, actor: User, guide: Guide, reason: str, ip: str | None = None) -> Guide:
    """Moderation: a platform admin takes a guide away from officers, with a reason."""
    require(actor, GUIDE_MODERATE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason: the brand owner is told it.")]})
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    if guide.status != GuideStatus.PUBLISHED:
        raise ValidationError({"status": [_("Only a published guide can be unpublished.")]})
    also = {"moderation_reason": reason}
    return _move(actor, guide, GuideStatus.DRAFT, AuditAction.GUIDE_UNPUBLISHED, ip=ip, also=also, reason=reason)
