"""The one place where alerts and cases call the notification pipeline (core.events).

Called inside the domain transaction: the event row is written with the change, and the
pipeline fans it out after commit. `data` carries what recipients() and title() need (ids) and
what a webhook receiver may read; nothing in it is secret from the organization concerned.
"""

from __future__ import annotations

from typing import Any

from .models import Alert, Case

# Who a case event is for: the brand owner's side, the officers' side, or both.
TO_OWNER = "owner"
TO_OFFICERS = "officers"
TO_BOTH = "both"


def _emit(kind: str, *, subject, actor=None, organization=None, data: dict[str, Any] | None = None):
    from core.events import emit

    return emit(kind, subject=subject, actor=actor, organization=organization, data=data)


def alert_published(alert: Alert, *, actor) -> None:
    _emit(
        "alert.published",
        subject=alert,
        actor=actor,
        organization=alert.brand.owner,
        data={
            "alert": alert.pk,
            "brand": alert.brand_id,
            "title": alert.title,
            "severity": alert.severity,
            "target_countries": alert.target_countries,
            "target_agencies": alert.target_agencies,
            "hs_codes": alert.hs_codes,
            "valid_until": alert.valid_until.isoformat(),
        },
    )


def case_event(kind: str, case: Case, *, to: str, actor=None, **extra) -> None:
    data = {
        "case": case.pk,
        "to": to,
        "brand": case.brand_id,
        "brand_name": case.brand_name,
        "country": case.country.code,
        "status": case.status,
        "deadline": case.deadline.isoformat(),
        **extra,
    }
    _emit(f"case.{kind}", subject=case, actor=actor, organization=case.owner, data=data)


def deconfliction_hit(hit, case: Case, other: Case, *, actor=None, contacts: dict | None = None) -> None:
    """Tell the coordinators of `case`'s organization that `other`'s organization has a matter on
    the same subject: the subject's kind, that organization (name, kind, country) and its
    coordinators' contact; nothing of the other case."""
    from .selectors import system_coordinator_contacts

    organization = other.organization
    # `contacts` (organization id -> contact) spares a query per hit when a save finds several.
    contacts = {} if contacts is None else contacts
    if organization.pk not in contacts:
        contacts[organization.pk] = system_coordinator_contacts(organization.pk)
    contact = contacts[organization.pk]
    _emit(
        "deconfliction.hit",
        subject=hit,
        actor=actor,
        organization=case.organization,
        data={
            "hit": hit.pk,
            "case": case.pk,
            "subject_kind": hit.subject_kind,
            "organization": {
                "name": organization.name,
                "kind": organization.kind,
                "country": organization.country.code,
            },
            "contact": contact,
        },
    )


def operation_invited(operation, organization, *, actor=None) -> None:
    """Tell the invited organization's coordinators (they accept or decline)."""
    _emit(
        "operation.invited",
        subject=operation,
        actor=actor,
        organization=organization,
        data={
            "operation": operation.pk,
            "name": operation.name,
            "lead": operation.lead.name,
            "starts": operation.starts.isoformat(),
            "ends": operation.ends.isoformat(),
        },
    )
