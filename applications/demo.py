"""Demo applications for action for `manage.py seed_demo` (issue 16): Lumina Watches has one
granted by the French customs whose extension must be asked for within days (its
`application.extension_due` reminder is due), one submitted to the Spanish customs and one
draft; Atlas Sportswear has one granted by the French customs for a year and one the Spanish
customs rejected. Everything goes through the services (history, audit, events). Idempotent:
nothing is added once Lumina has an application."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import Organization, Role, User
from brands.models import Brand
from core.workdays import add_working_days

from . import services, workdays
from .models import Application


def _person(organization: Organization | None, roles: tuple[str, ...]) -> User | None:
    if organization is None:
        return None
    return (
        User.objects.filter(membership__organization=organization, membership__role__in=roles)
        .order_by("membership__role", "pk")
        .first()
    )


def seed(stdout) -> None:
    lumina = Organization.objects.filter(name="Lumina Watches").first()
    atlas = Organization.objects.filter(name="Atlas Sportswear").first()
    if lumina is None or atlas is None or Application.objects.filter(right_holder=lumina).exists():
        return
    writers = {org: _person(org, (Role.ADMIN, Role.EDITOR)) for org in (lumina, atlas)}
    deciders = {
        country: _person(Organization.objects.filter(kind="customs", country=country).first(), (Role.COORDINATOR,))
        for country in ("FR", "ES")
    }
    if None in writers.values() or None in deciders.values():
        return
    today = timezone.localdate()

    def filed(holder: Organization, country: str, *, submit: bool = True) -> Application:
        brands = list(Brand.objects.filter(owner=holder).order_by("pk").values_list("pk", flat=True)[:2])
        actor = writers[holder]
        application = services.application_create(
            actor=actor, data={"right_holder": holder.pk, "country": country, "brands": brands}
        )
        if submit:
            application = services.application_submit(actor=actor, application=application)
        return application

    # Lumina in France: valid until 35 working days from now, so the last day to ask for an
    # extension (30 working days before) is within a week, and its first reminder is due.
    near = add_working_days(today, workdays.EXTENSION_NOTICE_DAYS + 5, "FR")
    services.application_grant(actor=deciders["FR"], application=filed(lumina, "FR"), valid_until=near)
    filed(lumina, "ES")
    services.application_create(  # a draft, not yet submitted
        actor=writers[lumina],
        data={
            "right_holder": lumina.pk,
            "country": "ES",
            "brands": list(Brand.objects.filter(owner=lumina).order_by("-pk").values_list("pk", flat=True)[:1]),
        },
    )
    services.application_grant(
        actor=deciders["FR"], application=filed(atlas, "FR"), valid_until=today + datetime.timedelta(days=365)
    )
    services.application_reject(
        actor=deciders["ES"],
        application=filed(atlas, "ES"),
        reason="The trade mark registrations relied on are not in force in Spain.",
    )
    stdout.write(
        "Demo applications for action: Lumina (granted in FR, extension due soon; submitted and a draft in"
        " ES), Atlas (granted in FR, rejected in ES)."
    )
