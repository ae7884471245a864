"""`webhook.disabled`: an endpoint was turned off after repeated failures; the organization's
admins are told (in-app and by e-mail) so that one of them fixes the receiver and re-enables
it. Registered from WebhooksConfig.ready()."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.scope import system_selector


@system_selector("the admins of the organization whose webhook was disabled")
def system_webhook_admins(event) -> QuerySet[User]:
    return User.objects.filter(membership__organization_id=event.organization_id, membership__role=Role.ADMIN)


def disabled_title(event) -> str:
    return _("Webhook disabled after %(failures)s failed deliveries: %(url)s") % {
        "failures": event.data.get("failures", ""),
        "url": event.data.get("url", ""),
    }


def disabled_link(event) -> str:
    return reverse("webhooks:list")


def register() -> None:
    from core.event_types import event_type

    event_type("webhook.disabled", recipients=system_webhook_admins, title=disabled_title, link=disabled_link)
