"""Reads for one person: their inbox, unread count and preferences."""

from __future__ import annotations

from django.db.models import F, QuerySet

from brands.models import BrandFollow

from .models import EmailMode, Notification, Preference


def inbox(*, user) -> QuerySet:
    """The person's own notifications, newest first, with the event's kind."""
    return (
        Notification.objects.visible_to(user)
        .annotate(event_kind=F("event__kind"))
        .only("id", "title", "link", "created", "read_at")
        .order_by("-created", "-id")
    )


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.visible_to(user).unread().count()


def email_mode(*, user) -> str:
    mode = Preference.objects.filter(user=user).values_list("email", flat=True).first()
    return mode or EmailMode.IMMEDIATE


def followed_brands(*, user) -> QuerySet:
    """The brands the person follows that they may still see."""
    from brands.models import Brand

    followed = BrandFollow.objects.filter(user=user).values("brand_id")
    return Brand.objects.visible_to(user).filter(pk__in=followed).order_by("name", "id")


def follows(*, user, brand) -> bool:
    return BrandFollow.objects.filter(user=user, brand=brand).exists()
