"""Reads of applications for a person (pages and the API share them), and the few reads that
cross scopes on purpose (`system_*`, listed in core.scope.SYSTEM_SELECTORS with their reason)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.models import Organization
from brands.models import Brand, Product, TrademarkRegistration
from core.roles import Status
from core.scope import VIEW, scope_of, system_selector

from .models import DECIDING_KINDS, Application, ApplicationStatus, ApplicationStep


def applications_for(user: Any, *, status: str | None = None, country: str | None = None) -> QuerySet[Application]:
    """The applications `user` may see, newest first, with what a list shows (a bounded number
    of queries however many rows)."""
    rows = Application.objects.restrict(user, VIEW).select_related("right_holder")
    if status:
        rows = rows.filter(status=status)
    if country:
        rows = rows.filter(country=country.upper())
    # The covered brands, products and trade marks as the reader sees them (an officer reads the
    # brands shared with customs in their country, not the others).
    brands: QuerySet[Brand] = Brand.objects.restrict(user, VIEW).only("id", "name").order_by("name", "id")
    products: QuerySet[Product] = (
        Product.objects.restrict(user, VIEW).only("id", "name", "brand_id").order_by("name", "id")
    )
    trademarks: QuerySet[TrademarkRegistration] = TrademarkRegistration.objects.restrict(user, VIEW).only(
        "id", "office", "number", "brand_id"
    )
    return rows.prefetch_related(
        Prefetch("brands", queryset=brands),
        Prefetch("products", queryset=products),
        Prefetch("trademarks", queryset=trademarks),
    ).order_by("-created", "-id")


def application_history(application: Application) -> QuerySet[ApplicationStep]:
    """The steps of an application the caller already reached through the gate."""
    return application.steps.select_related("actor").order_by("created", "id")


def coverage(user: Any, brand: Brand) -> dict[str, Any] | None:
    """`{granted, valid_until}` for a customs officer or coordinator of a national administration:
    whether a granted application for action covers `brand` in their country today, read through
    the gate (officers see the granted ones of their country). None for anyone else: the other
    kinds and the right holders see nothing of it here (DESIGN.md)."""
    scope = scope_of(user)
    if not (scope.is_enforcement and scope.kind in DECIDING_KINDS and len(scope.jurisdiction) == 1):
        return None
    valid_until = (
        Application.objects.restrict(user, VIEW)
        .covering(brand.pk, scope.jurisdiction[0])
        .order_by("-valid_until")
        .values_list("valid_until", flat=True)
        .first()
    )
    return {"granted": valid_until is not None, "valid_until": valid_until}


def _covering_brand(user: Any, brand: Any = None) -> QuerySet[Application] | None:
    """For a customs reader of a national administration, the granted applications still valid
    that they see covering the brand at `brand` (an outer reference to a brand id,
    `OuterRef("brand_id")` by default) in their country, latest first; None for anyone else."""
    scope = scope_of(user)
    if not (scope.is_enforcement and scope.kind in DECIDING_KINDS and len(scope.jurisdiction) == 1):
        return None
    return (
        Application.objects.restrict(user, VIEW)
        .covering(brand if brand is not None else OuterRef("brand_id"), scope.jurisdiction[0])
        .order_by("-valid_until")
    )


def coverage_until(user: Any, brand: Any = None) -> Subquery | None:
    """For a customs reader, a subquery (an annotation) giving the latest `valid_until` among the
    granted applications covering the brand in the reader's country, NULL when none; None for
    anyone else (the other kinds and the right holders read nothing of applications there)."""
    rows = _covering_brand(user, brand)
    return None if rows is None else Subquery(rows.values("valid_until")[:1])


def product_coverage(user: Any) -> dict[str, Any] | None:
    """The catalogue API's product fact (brands.extensions) for a customs reader:
    `application_for_action: {granted, valid_until}`, one JSON object annotated on each product
    row (its brand's coverage in the reader's country); None for anyone else."""
    rows = _covering_brand(user)
    if rows is None:
        return None
    return {
        "application_for_action": JSONObject(
            granted=Exists(rows), valid_until=Subquery(rows.values("valid_until")[:1])
        )
    }


@system_selector("an application is addressed to a country only where an approved customs administration decides")
def system_country_has_customs(country: str) -> bool:
    return Organization.objects.filter(kind__in=DECIDING_KINDS, country=country, status=Status.APPROVED).exists()


@system_selector("a detention is ex officio unless the brand owner holds a granted application there, seen or not")
def system_is_covered(brand_id: int, country: str, on: datetime.date | None = None) -> bool:
    """Whether a granted application for action covers the brand in `country` on `on` (today),
    whoever asks: the case's `ex_officio` flag is the law's fact, not the officer's view."""
    return Application.objects.covering(brand_id, country, on).exists()


@system_selector("the periodic task reminds every holder of its own granted applications (by audience)")
def system_applications_near_extension(today: datetime.date, horizon_days: int) -> QuerySet[Application]:
    """Granted applications with no extension asked, valid from today to the horizon."""
    return Application.objects.filter(
        status=ApplicationStatus.GRANTED,
        extension_requested=False,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=horizon_days),
    ).select_related("right_holder")


@system_selector("the periodic task expires granted applications past valid_until, whoever holds them")
def system_applications_past_validity(today: datetime.date) -> list[int]:
    return list(
        Application.objects.filter(status=ApplicationStatus.GRANTED, valid_until__lt=today).values_list(
            "pk", flat=True
        )
    )


@system_selector("the periodic task reminds every owner of its own trade marks before they expire (by audience)")
def system_trademarks_expiring(today: datetime.date, days: int) -> QuerySet[TrademarkRegistration]:
    return TrademarkRegistration.objects.filter(
        expiry_date__gte=today, expiry_date__lte=today + datetime.timedelta(days=days)
    ).select_related("brand__owner")


def today() -> datetime.date:
    return timezone.localdate()
