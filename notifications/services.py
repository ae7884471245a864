"""Writes a person makes on their own notifications and preferences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import BrandFollow
from core.permissions import allowed

from .models import EmailMode, Notification, Preference
from .permissions import FOLLOW_BRANDS

if TYPE_CHECKING:
    from accounts.models import User
    from brands.models import Brand


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (once: the first time is kept)."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied(_("This is not your notification."))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def _visible_brands(actor: User, brand_ids: list[int]) -> list[int]:
    from brands.models import Brand

    if not brand_ids:
        return []
    if not allowed(actor, FOLLOW_BRANDS):
        raise ValidationError({"followed_brands": [str(FOLLOW_BRANDS.message)]})
    wanted = set(brand_ids)
    visible = set(Brand.objects.restrict(actor, "view").filter(pk__in=wanted).values_list("pk", flat=True))
    unknown = sorted(wanted - visible)
    if unknown:
        raise ValidationError(
            {
                "followed_brands": [
                    _("Unknown brand: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in unknown)},
                ]
            }
        )
    return sorted(visible)


@transaction.atomic
def preferences_update(
    *, actor: User, email: str | None = None, followed_brands: list[int] | None = None
) -> Preference:
    """Change the e-mail mode and/or replace the followed brands (each must be visible to the
    actor: an invisible brand is refused like an unknown one)."""
    preference, _created = Preference.objects.select_for_update().get_or_create(user=actor)
    if email is not None:
        if email not in EmailMode.values:
            raise ValidationError({"email": [_("Choose immediate, digest or off.")]})
        if email == EmailMode.DIGEST and preference.email != EmailMode.DIGEST:
            preference.digest_since = timezone.now()  # the first digest lists what comes from now on
        preference.email = email
        preference.save(update_fields=["email", "digest_since"])
    if followed_brands is not None:
        keep = _visible_brands(actor, followed_brands)
        BrandFollow.objects.filter(user=actor).exclude(brand_id__in=keep).delete()
        BrandFollow.objects.bulk_create([BrandFollow(user=actor, brand_id=pk) for pk in keep], ignore_conflicts=True)
    return preference


def brand_follow(*, actor: User, brand: Brand) -> BrandFollow:
    _visible_brands(actor, [brand.pk])
    follow, _created = BrandFollow.objects.get_or_create(user=actor, brand=brand)
    return follow


def brand_unfollow(*, actor: User, brand: Brand) -> None:
    BrandFollow.objects.filter(user=actor, brand=brand).delete()
