"""The one place applications call the event log (core.events): inside the service's
transaction, so the event exists exactly when the change does. `data` carries the ids the
recipients and titles need and what a webhook receiver may read."""

from __future__ import annotations

from typing import Any

from core.events import emit

from .models import Application

# Who an application event is for: the holder's side, or the addressed customs administration.
TO_HOLDER = "holder"
TO_CUSTOMS = "customs"


def application_event(kind: str, application: Application, *, to: str, actor: Any = None, **extra: Any) -> None:
    data = {
        "application": application.pk,
        "to": to,
        "country": application.country_code,
        "right_holder": application.right_holder_id,
        "right_holder_name": application.right_holder.name,
        "status": application.status,
        "valid_until": application.valid_until.isoformat() if application.valid_until else None,
        **extra,
    }
    emit(kind, subject=application, actor=actor, organization=application.right_holder, data=data)


def trademark_expiring(trademark: Any) -> None:
    emit(
        "trademark.expiring",
        subject=trademark,
        organization=trademark.brand.owner,
        data={
            "trademark": trademark.pk,
            "brand": trademark.brand_id,
            "brand_name": trademark.brand.name,
            "office": trademark.office,
            "number": trademark.number,
            "expiry_date": trademark.expiry_date.isoformat(),
        },
    )
