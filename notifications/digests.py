"""The daily digest: one e-mail a day to each person who chose it, listing what reached their
inbox since the previous one."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.scope import system_selector, with_access

from .models import EmailMode, Notification, Preference

logger = logging.getLogger(__name__)

DIGEST_HOUR = getattr(settings, "NOTIFICATIONS_DIGEST_HOUR", 6)  # UTC
DIGEST_LIMIT = 100  # lines listed in one digest; the rest are counted


@system_selector("the beat reads each person's own notifications of the day for their digest")
def system_digest_items(user_id: int, since, until):
    return Notification.objects.filter(recipient_id=user_id, created__gt=since, created__lte=until)


def digests_send(*, now=None, force: bool = False) -> int:
    """Send today's digests not sent yet (from DIGEST_HOUR UTC on, or at once with `force`)."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    if not force and now.hour < DIGEST_HOUR:
        return 0
    today = now.date()
    not_today = Q(digest_sent_on__isnull=True) | Q(digest_sent_on__lt=today)
    people = with_access(get_user_model().objects.all())
    due = (
        Preference.objects.filter(not_today, email=EmailMode.DIGEST, user__in=people)
        .select_related("user")
        .order_by("pk")
    )
    sent = 0
    connection = get_connection()
    try:
        for preference in due.iterator(chunk_size=500):
            # Claim the day first: two beat runs at once never send two digests.
            if not Preference.objects.filter(not_today, pk=preference.pk).update(digest_sent_on=today):
                continue
            since = preference.digest_since or now - timedelta(days=1)
            items = system_digest_items(preference.user_id, since, now)
            count = items.count()
            if count:
                try:
                    connection.send_messages([_digest_message(preference.user, list(items[:DIGEST_LIMIT]), count)])
                except OSError:
                    logger.warning("Digest to user %s not sent; tried again later.", preference.user_id, exc_info=True)
                    Preference.objects.filter(pk=preference.pk).update(digest_sent_on=preference.digest_sent_on)
                    connection.close()
                    continue
                sent += 1
            Preference.objects.filter(pk=preference.pk).update(digest_since=now)
    finally:
        connection.close()
    return sent


def _digest_message(user, items: list[Notification], count: int) -> EmailMultiAlternatives:
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "recipient": user,
            "notifications": items,
            "count": count,
            "more": count - len(items),
            "site_url": settings.SITE_URL,
            "LANGUAGE_CODE": language,
        }
        subject = "[IPM Portal] " + _("Your daily digest: %(count)d new notifications") % {"count": count}
        body = render_to_string("notifications/email/digest.txt", context)
        html = render_to_string("notifications/email/digest.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[user.email], headers={"X-IPM-Event": "digest"})
    message.attach_alternative(html, "text/html")
    return message
