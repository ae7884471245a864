"""The audit log: one function that services call for every state change worth answering for."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from .models import AuditEntry, Organization, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind our proxy (BEHIND_TLS_PROXY), the last
    X-Forwarded-For entry, the one the proxy appended (the ones before it are the client's to
    write). Anything that is not an address is dropped."""
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            candidate = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def audit_log(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    reason: str = "",
    ip: str | None = None,
    organization: Organization | None = None,
    details: dict | None = None,
) -> AuditEntry:
    if organization is None:
        organization = target if isinstance(target, Organization) else getattr(target, "organization", None)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_email=actor.email if actor is not None and actor.pk else "",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        organization=organization,
        reason=reason,
        details=details or {},
        ip_address=ip,
    )
