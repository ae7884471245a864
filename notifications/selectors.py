"""Reads for one person: their inbox, unread count and preferences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F, QuerySet

from brands.models import BrandFollow

from .models import EmailMode, Notification, Preference

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from brands.models import Brand


def inbox(*, user: User | AnonymousUser) -> QuerySet[Notification]:
    """The person's own notifications, newest first, with the event's kind."""
    return (
        Notification.objects.restrict(user, "view")
        .annotate(event_kind=F("event__kind"))
        .only("id", "title", "link", "created", "read_at")
        .order_by("-created", "-id")
    )


def unread_count(*, user: User | AnonymousUser) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.restrict(user, "view").unread().count()


def email_mode(*, user: User) -> str:
    mode = Preference.objects.filter(user=user).values_list("email", flat=True).first()
    return mode or EmailMode.IMMEDIATE


def followed_brands(*, user: User) -> QuerySet[Brand]:
    """The brands the person follows that they may still see."""
    from brands.models import Brand

    followed = BrandFollow.objects.filter(user=user).values("brand_id")
    return Brand.objects.restrict(user, "view").filter(pk__in=followed).order_by("name", "id")


def follows(*, user: User, brand: Brand) -> bool:
    return BrandFollow.objects.filter(user=user, brand=brand).exists()
