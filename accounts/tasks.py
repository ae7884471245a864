"""Background work for accounts: thin tasks that take ids and call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def purge_expired_tokens() -> int:
    """Delete expired API tokens (they are already refused; this keeps the table small)."""
    from .services import api_tokens_purge_expired

    return api_tokens_purge_expired()


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=1800, max_retries=8, acks_late=True)
def send_email(*, subject: str, body: str, to: list[str], html: str | None = None) -> None:
    """Send one e-mail rendered in the request (password reset and the like)."""
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=1800, max_retries=8, acks_late=True)
def send_email_proof(*, user_id: int) -> bool:
    """E-mail a person the link that proves their address (made here, so the token never sits in
    the broker); nothing when the address is proven already."""
    from .services.email_proof import email_proof_send

    return email_proof_send(user_id=user_id)
