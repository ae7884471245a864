"""Proving an e-mail address: the link sent at registration and on request, and following it.

Asking for a link again is throttled per address (once a minute, five times an hour), counted
in Redis like the API's throttles (core.cache.rate_limit_hit), and answered the same whether
the address belongs to somebody or not: nobody learns from it who has an account.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils import timezone, translation
from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute

from core import broker
from core.cache import rate_limit_hit

from ..audit import audit_log
from ..email_proof import ExpiredProof, InvalidProof, make_token, max_age, read_token
from ..models import AuditAction, User

logger = logging.getLogger(__name__)

# A new link at most once a minute and five times an hour per address (the link sent at
# registration counts).
RESEND_RATES: tuple[RateLimitItem, ...] = (RateLimitItemPerMinute(1), RateLimitItemPerHour(5))

__all__ = [
    "ExpiredProof",
    "InvalidProof",
    "email_proof_confirm",
    "email_proof_request",
    "email_proof_send",
    "email_proof_sent_at_registration",
]


def _address_key(email: str) -> str:
    # The address itself stays out of Redis.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _throttle(email: str) -> float | None:
    """Count one link for `email`: None if allowed, else the seconds to wait."""
    key = _address_key(email)
    for rate in RESEND_RATES:
        allowed, wait = rate_limit_hit(rate, "email-proof", key)
        if not allowed:
            return max(1.0, wait)
    return None


def _send_after_commit(user_id: int) -> None:
    from ..tasks import send_email_proof

    def send() -> None:
        if not broker.send(send_email_proof, user_id=user_id, then="Sending it from the web process."):
            # The broker is down: send it from here rather than lose it (the person can ask again).
            try:
                email_proof_send(user_id=user_id)
            except OSError:
                logger.warning("Could not send the e-mail proof link to user %s.", user_id, exc_info=True)

    transaction.on_commit(send)


def email_proof_sent_at_registration(*, user: User) -> None:
    """The first link, sent once the registration commits. Never refused (an address asked for
    by somebody else a moment before must not stop it), but counted: asking again waits."""
    _throttle(user.email)
    _send_after_commit(user.pk)


def email_proof_request(*, email: str) -> float | None:
    """Send a new link to `email` if it is a person's address not yet proven. None when the
    request is taken (whoever the address belongs to), the seconds to wait when throttled."""
    email = email.strip().lower()
    wait = _throttle(email)
    if wait is not None:
        return wait
    user = User.objects.filter(email=email, email_verified_at__isnull=True, is_active=True).only("pk").first()
    if user is not None:
        _send_after_commit(user.pk)
    return None


def email_proof_link(user: User) -> str:
    path = reverse("accounts:email_proof", args=[make_token(user_id=user.pk, email=user.email)])
    return f"{settings.SITE_URL}{path}"


def email_proof_send(*, user_id: int) -> bool:
    """E-mail the link to the person, in their language (the Celery task's work). False when there
    is nothing to send: no such person any more, or the address is proven already."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email_verified:
        return False
    context = {
        "user": user,
        "link": email_proof_link(user),
        "days": max_age().days or 1,
        "site_url": settings.SITE_URL,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = "".join(loader.render_to_string("accounts/email_proof_subject.txt", context).splitlines())
        body = loader.render_to_string("accounts/email_proof_email.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=[user.email]).send()
    return True


@transaction.atomic
def email_proof_confirm(*, token: str, ip: str | None = None) -> tuple[User, bool]:
    """Mark the address in a valid link as proven: (the person, whether it was proven just now).
    InvalidProof for a link altered or for an address the account no longer has, ExpiredProof for
    one past its age: then nothing changes."""
    claim = read_token(token)
    user = User.objects.select_for_update().filter(pk=claim.user_id, email=claim.email).first()
    if user is None:
        raise InvalidProof
    if user.email_verified:
        return user, False
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    audit_log(actor=user, action=AuditAction.USER_EMAIL_VERIFIED, target=user, ip=ip, organization=user.organization)
    return user, True
