"""Alerts: a right holder drafts, publishes or withdraws; officers of the target kinds and
countries acknowledge; alerts expire by themselves after their last valid day."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case as SwitchCase
from django.db.models import Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries.fields import Country

from accounts.audit import audit_log
from accounts.models import User
from brands.identifiers import normalize_hs_code
from brands.models import Brand, Product
from brands.services import clean_route
from core.permissions import require
from core.roles import in_agency_order
from core.scope import CHANGE, VIEW, scope_of
from core.validators import clean_agencies
from core.validators import clean_countries as _countries
from core.validators import clean_string_list as _string_list
from core.validators import clean_text as _text

from .. import events
from ..models import (
    AUDIT_ALERT_PUBLISHED,
    AUDIT_ALERT_WITHDRAWN,
    Alert,
    AlertAcknowledgement,
    AlertAgency,
    AlertCountry,
    AlertStatus,
    Severity,
)
from ..permissions import ALERT_ACKNOWLEDGE, ALERT_DRAFT
from .common import refuse_unless

MAX_TEXT = 20_000
MAX_PRODUCTS = 100
SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}
# What a brand is read with to check an alert's targets against it.
BRAND_SHARING = ("visibility_countries", "visibility_agencies")


NOT_AN_EDITOR = gettext_lazy("Only the brand owner's admins and editors can change this alert.")


def require_alert_editor(actor: User, alert: Alert) -> None:
    """Checked before a change is read: the brand owner's admins and editors (403 otherwise)."""
    refuse_unless(actor, CHANGE, alert, NOT_AN_EDITOR)


def _editable(actor: User, alert: Alert) -> Alert:
    """The alert, locked for the change, if `actor` may change it."""
    queryset = Alert.objects.restrict(actor, CHANGE).select_for_update(of=("self",))
    found = queryset.select_related("brand", "brand__owner").filter(pk=alert.pk).first()
    if found is None:
        raise PermissionDenied(NOT_AN_EDITOR)
    return found


def _brand_countries(brand: Brand) -> set[str] | None:
    """The countries a brand is visible to; None when visible to every administration."""
    if brand.visible_to_all:
        return None
    return {cast(Country, row.country).code for row in brand.visibility_countries.all()}


def _target_countries(data: Mapping[str, Any], brand: Brand) -> list[str]:
    countries = _countries(data, "target_countries")
    if not countries:
        raise ValidationError({"target_countries": [_("Choose at least one country to send the alert to.")]})
    allowed = _brand_countries(brand)
    if allowed is not None:
        outside = [c for c in countries if c not in allowed]
        if outside:
            raise ValidationError(
                {
                    "target_countries": [
                        _("The brand is not visible in %(countries)s: an alert cannot reach further than its brand.")
                        % {"countries": ", ".join(outside)}
                    ]
                }
            )
    return countries


def _target_agencies(data: Mapping[str, Any], brand: Brand) -> list[str]:
    """The enforcement kinds the alert is sent to: the brand's when the data names none (None or
    left out), otherwise a non-empty list of known kinds, all of them the brand's."""
    shared = brand.agencies
    value = data.get("target_agencies")
    if value is None:
        return shared
    value = clean_agencies(
        value,
        empty_message=_("Choose at least one kind of agency to send the alert to."),
        error=lambda message: ValidationError({"target_agencies": [message]}),
    )
    wider = [kind for kind in in_agency_order(value) if kind not in shared]
    if wider:
        raise ValidationError(
            {
                "target_agencies": [
                    _("The brand is not shared with %(agencies)s: an alert cannot reach further than its brand.")
                    % {"agencies": ", ".join(wider)}
                ]
            }
        )
    return in_agency_order(value)


def _hs_codes(data: Mapping[str, Any]) -> list[str]:
    codes: list[str] = []
    for value in _string_list(data, "hs_codes", max_length=32):
        try:
            code = normalize_hs_code(value)
        except ValidationError as error:
            raise ValidationError({"hs_codes": error.messages}) from None
        if code not in codes:
            codes.append(code)
    return codes


def _valid_until(data: Mapping[str, Any]) -> datetime.date:
    value = data.get("valid_until")
    if isinstance(value, str):
        try:
            value = parse_date(value.strip())
        except ValueError:
            value = None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        raise ValidationError({"valid_until": [_("Give the last day the alert is valid (YYYY-MM-DD).")]})
    if value < timezone.localdate():
        raise ValidationError({"valid_until": [_("The last valid day cannot be in the past.")]})
    return value


def _products(data: Mapping[str, Any], brand: Brand) -> list[Product]:
    values = data.get("products") or []
    if not isinstance(values, (list, tuple)):
        raise ValidationError({"products": [_("Give a list of product ids.")]})
    if len(values) > MAX_PRODUCTS:
        raise ValidationError({"products": [_("At most %(max)d products.") % {"max": MAX_PRODUCTS}]})
    ids = []
    for value in values:
        pk = value.pk if isinstance(value, Product) else value
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise ValidationError({"products": [_("Give the products' ids (numbers).")]}) from None
    products = list(Product.objects.filter(brand=brand, pk__in=ids))
    if len(products) != len(set(ids)):
        raise ValidationError({"products": [_("Choose products of the alert's brand.")]})
    return products


# What an alert's data means once checked: its own fields, then its target countries, target
# agencies and products, each None when a partial change leaves them as they are.
Cleaned = tuple[dict[str, Any], list[str] | None, list[str] | None, list[Product] | None]


def _clean(data: Mapping[str, Any], brand: Brand, *, partial: bool) -> Cleaned:
    cleaned: dict[str, Any] = {}
    if not partial or "title" in data:
        cleaned["title"] = _text(data, "title", required=True, max_length=200)
    if "description" in data:
        cleaned["description"] = _text(data, "description", max_length=MAX_TEXT)
    if "route" in data:
        cleaned["route"] = _text(data, "route", max_length=2000)
    cleaned |= clean_route(data)
    if "hs_codes" in data:
        cleaned["hs_codes"] = _hs_codes(data)
    if not partial or "severity" in data:
        severity = data.get("severity") or Severity.MEDIUM
        if severity not in Severity.values:
            raise ValidationError({"severity": [_("Choose low, medium, high or critical.")]})
        cleaned["severity"] = severity
    if not partial or "valid_until" in data:
        cleaned["valid_until"] = _valid_until(data)
    countries = _target_countries(data, brand) if not partial or "target_countries" in data else None
    agencies = _target_agencies(data, brand) if not partial or data.get("target_agencies") is not None else None
    products = _products(data, brand) if "products" in data else None
    return cleaned, countries, agencies, products


def _set_countries(alert: Alert, countries: list[str]) -> None:
    AlertCountry.objects.filter(alert=alert).exclude(country__in=countries).delete()
    existing = set(AlertCountry.objects.filter(alert=alert).values_list("country", flat=True))
    AlertCountry.objects.bulk_create([AlertCountry(alert=alert, country=c) for c in countries if c not in existing])


def _set_agencies(alert: Alert, agencies: list[str]) -> None:
    AlertAgency.objects.filter(alert=alert).exclude(kind__in=agencies).delete()
    existing = set(AlertAgency.objects.filter(alert=alert).values_list("kind", flat=True))
    AlertAgency.objects.bulk_create([AlertAgency(alert=alert, kind=k) for k in agencies if k not in existing])


@transaction.atomic
def alert_create(*, actor: User, data: Mapping[str, Any]) -> Alert:
    """A draft alert about one of the actor's organization's brands, sent (once published) to the
    enforcement kinds named in `target_agencies` (by default the brand's) of the
    `target_countries`; both within the brand's sharing."""
    require(actor, ALERT_DRAFT)
    brand = data.get("brand")
    brand_id: Any = brand.pk if isinstance(brand, Brand) else brand
    try:
        brand = Brand.objects.restrict(actor, CHANGE).prefetch_related(*BRAND_SHARING).get(pk=int(brand_id))
    except (TypeError, ValueError, Brand.DoesNotExist):
        raise ValidationError({"brand": [_("Choose one of your organization's brands.")]}) from None
    cleaned, countries, agencies, products = _clean(data, brand, partial=False)
    # Not partial: the target countries are required and the agencies default to the brand's.
    assert countries is not None and agencies is not None
    alert = Alert.objects.create(brand=brand, created_by=actor, status=AlertStatus.DRAFT, **cleaned)
    _set_countries(alert, countries)
    _set_agencies(alert, agencies)
    if products:
        alert.products.set(products)
    return alert


@transaction.atomic
def alert_update(*, actor: User, alert: Alert, data: Mapping[str, Any]) -> Alert:
    """Change a draft (a published alert has been sent: withdraw it and draft another)."""
    alert = _editable(actor, alert)
    if alert.status != AlertStatus.DRAFT:
        raise ValidationError({"status": [_("Only a draft can be changed.")]})
    brand = Brand.objects.prefetch_related(*BRAND_SHARING).get(pk=alert.brand_id)
    cleaned, countries, agencies, products = _clean(data, brand, partial=True)
    for field, value in cleaned.items():
        setattr(alert, field, value)
    alert.save()
    if countries is not None:
        _set_countries(alert, countries)
    if agencies is not None:
        _set_agencies(alert, agencies)
    if products is not None:
        alert.products.set(products)
    return alert


@transaction.atomic
def alert_publish(*, actor: User, alert: Alert, ip: str | None = None) -> Alert:
    """Send a draft to the officers of its target kinds and countries (alert.published, after
    commit)."""
    alert = _editable(actor, alert)
    if alert.status != AlertStatus.DRAFT:
        raise ValidationError({"status": [_("Only a draft can be published.")]})
    if alert.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": [_("The last valid day is past: change it before publishing.")]})
    # The brand's visibility may have narrowed since the draft was written: check again.
    brand = Brand.objects.prefetch_related(*BRAND_SHARING).get(pk=alert.brand_id)
    _target_countries({"target_countries": alert.target_countries}, brand)
    _target_agencies({"target_agencies": alert.target_agencies}, brand)
    alert.status = AlertStatus.PUBLISHED
    alert.published_at = timezone.now()
    alert.published_by = actor
    alert.save(update_fields=["status", "published_at", "published_by", "updated"])
    audit_log(actor=actor, action=AUDIT_ALERT_PUBLISHED, target=alert, ip=ip, organization=alert.brand.owner)
    events.alert_published(alert, actor=actor)
    return alert


@transaction.atomic
def alert_withdraw(*, actor: User, alert: Alert, ip: str | None = None) -> Alert:
    """Take back a draft or a published alert: officers stop seeing it at once."""
    alert = _editable(actor, alert)
    if alert.status not in (AlertStatus.DRAFT, AlertStatus.PUBLISHED):
        raise ValidationError(
            {"status": [_("This alert is already %(status)s.") % {"status": alert.get_status_display().lower()}]}
        )
    alert.status = AlertStatus.WITHDRAWN
    alert.withdrawn_at = timezone.now()
    alert.save(update_fields=["status", "withdrawn_at", "updated"])
    audit_log(actor=actor, action=AUDIT_ALERT_WITHDRAWN, target=alert, ip=ip, organization=alert.brand.owner)
    return alert


def alert_acknowledge(*, actor: User, alert: Alert) -> AlertAcknowledgement:
    """An officer of a target kind and country marks the alert as seen (once; again is harmless)."""
    require(actor, ALERT_ACKNOWLEDGE)
    refuse_unless(actor, VIEW, alert, _("This alert is not sent to your administration."))
    organization = actor.organization
    assert organization is not None  # an enforcement officer (ALERT_ACKNOWLEDGE) has one
    # Counted under a target country the officer acts in (the gate guarantees one): a national
    # agency's own, an international body's first such country (never its seat).
    targets = set(alert.target_countries)
    country = next(code for code in scope_of(actor).jurisdiction if code in targets)
    try:
        with transaction.atomic():
            ack, _created = AlertAcknowledgement.objects.get_or_create(
                alert=alert, user=actor, defaults={"organization": organization, "country": country}
            )
    except IntegrityError:  # two clicks at once
        ack = AlertAcknowledgement.objects.get(alert=alert, user=actor)
    return ack


def alerts_expire(*, today: datetime.date | None = None) -> int:
    """Published alerts past their last valid day become expired (beat task). Idempotent."""
    today = today or timezone.localdate()
    return Alert.objects.filter(status=AlertStatus.PUBLISHED, valid_until__lt=today).update(
        status=AlertStatus.EXPIRED, updated=timezone.now()
    )


def severity_order() -> SwitchCase:
    return SwitchCase(
        *[When(severity=value, then=Value(rank)) for value, rank in SEVERITY_RANK.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def alerts_for_home(user: User, limit: int = 5) -> list[Alert]:
    """The published alerts `user` sees, most severe and newest first, each with `acknowledged`
    (for officers) — what the home page's alerts panel shows. One query."""
    if not getattr(user, "is_authenticated", False):
        return []
    mine = AlertAcknowledgement.objects.filter(alert=OuterRef("pk"), user=user)
    alerts = (
        Alert.objects.restrict(user, VIEW)
        .filter(status=AlertStatus.PUBLISHED, valid_until__gte=timezone.localdate())
        .select_related("brand")
        .annotate(acknowledged=Exists(mine), severity_rank=severity_order())
        .order_by("severity_rank", "-published_at", "-id")
    )
    return list(alerts[:limit])
