"""Applications for action fixtures (loaded through
`pytest_plugins = ["tests.applications_fixtures"]`): a fixed "today", Acme's drafts and
applications in each state addressed to French customs, and who was told of an event."""

from __future__ import annotations

import datetime

import pytest

from applications import services
from notifications.models import Notification

D = datetime.date
# Monday 1 June 2026: the applications are granted "today" until Monday 31 August 2026.
TODAY = D(2026, 6, 1)
VALID_UNTIL = D(2026, 8, 31)


@pytest.fixture
def today(monkeypatch):
    """today(date): "today" is that date for the services, the gate and the forms."""

    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)

    set_today(TODAY)
    return set_today


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(event__kind=kind).values_list("recipient__email", flat=True))


@pytest.fixture
def draft(acme_editor, brand_fr, customs_fr):
    return services.application_create(actor=acme_editor, data={"country": "FR", "brands": [brand_fr.pk]})


@pytest.fixture
def submitted(acme_editor, draft):
    return services.application_submit(actor=acme_editor, application=draft)


@pytest.fixture
def granted(today, coordinator_fr, submitted):
    return services.application_grant(actor=coordinator_fr, application=submitted, valid_until=VALID_UNTIL)
