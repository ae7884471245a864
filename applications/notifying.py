"""Who is told of application events, with what title and link (registered with the notification
pipeline at start-up, from ApplicationsConfig.ready()).

- application.submitted, application.extension_requested: the coordinators of the addressed
  customs administration (those the application's `decide` rule lets decide it);
- application.decided (granted, extended, rejected, extension refused), application.extension_due:
  the holder's admins and editors (the `change` rule);
- trademark.expiring: the brand owner's admins and editors (the trade mark's `change` rule).

Titles are evaluated in each recipient's language by the pipeline.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from brands.models import TrademarkRegistration
from core.scope import CHANGE, audience, system_selector

from . import events
from .models import DECIDE, DECIDING_KINDS, Application, StepKind

APPLICATION_KINDS = (
    "application.submitted",
    "application.extension_requested",
    "application.decided",
    "application.extension_due",
)


@system_selector("an application event reaches the holder's writers or the addressed coordinators (by audience)")
def system_application_recipients(event: Any) -> QuerySet[User]:
    application = Application.objects.filter(pk=event.data.get("application")).first()
    if application is None:
        return User.objects.none()
    if event.data.get("to") == events.TO_CUSTOMS:
        coordinators = User.objects.filter(
            membership__organization__kind__in=DECIDING_KINDS,
            membership__organization__country=application.country_code,
            membership__role=Role.COORDINATOR,
        )
        return audience(application, coordinators, DECIDE)
    return audience(application, User.objects.filter(membership__organization_id=application.right_holder_id), CHANGE)


@system_selector("a trade mark about to expire is told to its brand owner's writers (by audience)")
def system_trademark_recipients(event: Any) -> QuerySet[User]:
    trademark = TrademarkRegistration.objects.filter(pk=event.data.get("trademark")).select_related("brand").first()
    if trademark is None:
        return User.objects.none()
    return audience(trademark, User.objects.filter(membership__organization_id=trademark.brand.owner_id), CHANGE)


def _country_name(code: str) -> str:
    from django_countries import countries

    return str(countries.name(code) or code) if code else ""


def _date(value: str | None) -> str:
    from django.utils.formats import date_format

    try:
        return date_format(datetime.date.fromisoformat(value or ""), "DATE_FORMAT")
    except (TypeError, ValueError):
        return value or ""


def _decision_title(data: dict[str, Any]) -> str:
    decision = data.get("decision")
    if decision == StepKind.GRANTED:
        return _("Application for action #%(id)s granted in %(country)s until %(valid_until)s")
    if decision == StepKind.EXTENDED:
        return _("Application for action #%(id)s extended in %(country)s until %(valid_until)s")
    if decision == StepKind.EXTENSION_REFUSED:
        return _("Application for action #%(id)s: the extension was refused in %(country)s")
    return _("Application for action #%(id)s rejected in %(country)s")


def application_title(event: Any) -> str:
    data = event.data
    kind = getattr(event, "kind", None) or event.type
    if kind == "application.submitted":
        template = _("New application for action #%(id)s from %(holder)s (%(country)s)")
    elif kind == "application.extension_requested":
        template = _("%(holder)s asks to extend application for action #%(id)s (%(country)s)")
    elif kind == "application.extension_due":
        template = _("Application for action #%(id)s (%(country)s): ask for an extension by %(due_by)s")
    else:
        template = _decision_title(data)
    return template % {
        "id": data.get("application"),
        "holder": data.get("right_holder_name", ""),
        "country": _country_name(data.get("country", "")),
        "valid_until": _date(data.get("valid_until")),
        "due_by": _date(data.get("extension_due_by")),
    }


def application_link(event: Any) -> str:
    return reverse("applications:detail", args=[event.data["application"]])


def trademark_title(event: Any) -> str:
    data = event.data
    return _("Trade mark %(office)s %(number)s (%(brand)s) expires on %(date)s") % {
        "office": data.get("office", ""),
        "number": data.get("number", ""),
        "brand": data.get("brand_name", ""),
        "date": _date(data.get("expiry_date")),
    }


def trademark_link(event: Any) -> str:
    return reverse("brands:brand_detail", args=[event.data["brand"]])


def register() -> None:
    from core.event_types import event_type

    for kind in APPLICATION_KINDS:
        event_type(kind, recipients=system_application_recipients, title=application_title, link=application_link)
    event_type(
        "trademark.expiring", recipients=system_trademark_recipients, title=trademark_title, link=trademark_link
    )
