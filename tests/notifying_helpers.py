"""A test-only event kind, `test.broadcast`, registered in the test process and, with
`--include tests.notifying_helpers`, in a real worker: its subject is an organization and its
recipients are that organization's members (the pipeline keeps those with access)."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from core.event_types import event_type

BROADCAST = "test.broadcast"


def _recipients(event):
    return get_user_model().objects.filter(membership__organization_id=event.subject_id)


def _title(event):
    # `delay` slows each chunk down, so that a test can kill a worker in the middle of a fan-out.
    time.sleep(event.data.get("delay", 0))
    # A string Django translates: the in-app title shows the recipient's language.
    return f"{_('Organization')}: {event.data.get('text', '')}"


event_type(
    BROADCAST,
    recipients=_recipients,
    title=_title,
    link=lambda event: f"/broadcast/{event.subject_id}/",
)
