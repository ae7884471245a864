"""Applications for action: the holder's admins and editors create and edit the draft, submit it
to one country's customs administration and ask for an extension; any coordinator of that
administration grants it (with `valid_until`) or rejects it (with a reason), the first decision
winning; the beat expires granted applications past `valid_until` and sends the reminders
(application.extension_due, trademark.expiring), each once.

Every step is written to the application's history (both sides read it), to the audit log, and
told to the other side through the event log."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import AuditAction, Organization, User
from brands.models import Brand, Product, TrademarkRegistration
from core.gate import may
from core.permissions import require
from core.scope import CHANGE, VIEW
from core.validators import clean_text, normalize_country

from . import events, selectors, workdays
from .models import (
    DECIDE,
    Application,
    ApplicationStatus,
    ApplicationStep,
    ExtensionReminder,
    ReminderKind,
    StepKind,
    TrademarkReminder,
)
from .permissions import APPLICATION_FILE

MAX_REASON = 5_000
MAX_ITEMS = 200
# The trade mark reminder goes out this many calendar days before the registration's expiry.
TRADEMARK_NOTICE_DAYS = 90
# Granted applications looked at by the reminder task: valid_until within this many calendar
# days (40 working days before it, with holidays, stay well inside).
EXTENSION_HORIZON_DAYS = 120

# Audit log actions (free text in accounts.AuditEntry.action).
AUDIT = {
    StepKind.CREATED: AuditAction.APPLICATION_CREATED,
    StepKind.EDITED: AuditAction.APPLICATION_EDITED,
    StepKind.SUBMITTED: AuditAction.APPLICATION_SUBMITTED,
    StepKind.GRANTED: AuditAction.APPLICATION_GRANTED,
    StepKind.EXTENDED: AuditAction.APPLICATION_EXTENDED,
    StepKind.REJECTED: AuditAction.APPLICATION_REJECTED,
    StepKind.EXTENSION_REFUSED: AuditAction.APPLICATION_EXTENSION_REFUSED,
    StepKind.EXTENSION_REQUESTED: AuditAction.APPLICATION_EXTENSION_REQUESTED,
    StepKind.EXPIRED: AuditAction.APPLICATION_EXPIRED,
}


# --------------------------------------------------------------------------- cleaning


def _ids(data: Mapping[str, Any], field: str) -> list[int]:
    values = data.get(field)
    if values is None:
        return []
    if not isinstance(values, (list, tuple)) or len(values) > MAX_ITEMS:
        raise ValidationError({field: [_("Give a list of ids (at most %(max)d).") % {"max": MAX_ITEMS}]})
    ids: list[int] = []
    for value in values:
        pk: Any = getattr(value, "pk", value)
        if isinstance(pk, bool) or pk is None:
            raise ValidationError({field: [_("Give a list of ids.")]})
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise ValidationError({field: [_("Give a list of ids.")]}) from None
    return list(dict.fromkeys(ids))


def _right_holder(actor: User, data: Mapping[str, Any]) -> Organization:
    """The holder the application is filed for: the actor's own organization (a representative
    will name a client here; DESIGN.md). Naming another organization is a 400."""
    organization = actor.organization
    given = data.get("right_holder")
    given_id = getattr(given, "pk", given)
    if organization is None or (given_id not in (None, "") and str(given_id) != str(organization.pk)):
        raise ValidationError({"right_holder": [_("File applications for your own organization only.")]})
    return organization


def _country(value: Any) -> str:
    try:
        code = normalize_country(value)
    except ValidationError:
        raise ValidationError({"country": [_("Give the ISO 3166-1 alpha-2 code of a country.")]}) from None
    if not selectors.system_country_has_customs(code):
        raise ValidationError({"country": [_("No customs administration of this country is on the portal yet.")]})
    return code


def _brands(actor: User, holder: Organization, ids: list[int]) -> list[Brand]:
    if not ids:
        raise ValidationError({"brands": [_("Name at least one of your brands.")]})
    brands = list(Brand.objects.restrict(actor, VIEW).filter(owner=holder, pk__in=ids).order_by("pk"))
    if len(brands) != len(ids):
        raise ValidationError({"brands": [_("Choose brands of the right holder.")]})
    return brands


def _products(actor: User, brands: list[Brand], ids: list[int]) -> list[Product]:
    products = list(Product.objects.restrict(actor, VIEW).filter(brand__in=brands, pk__in=ids))
    if len(products) != len(ids):
        raise ValidationError({"products": [_("Choose products of the brands the application covers.")]})
    return products


def _trademarks(actor: User, brands: list[Brand], ids: list[int]) -> list[TrademarkRegistration]:
    rows = list(TrademarkRegistration.objects.restrict(actor, VIEW).filter(brand__in=brands, pk__in=ids))
    if len(rows) != len(ids):
        raise ValidationError({"trademarks": [_("Choose trade mark registrations of the brands covered.")]})
    return rows


def _date(value: Any, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError({field: [_("Give a date (YYYY-MM-DD).")]}) from None


# --------------------------------------------------------------------------- history


def _step(
    actor: User | None,
    application: Application,
    kind: str,
    ip: str | None = None,
    *,
    reason: str = "",
    **details: Any,
) -> None:
    organization = getattr(actor, "organization", None) if actor is not None else None
    ApplicationStep.objects.create(
        application=application,
        kind=kind,
        actor=actor if actor is not None and actor.pk else None,
        organization_name=organization.name if organization is not None else "",
        valid_until=application.valid_until if kind in (StepKind.GRANTED, StepKind.EXTENDED) else None,
        reason=reason,
    )
    audit_log(
        actor=actor,
        action=AUDIT[StepKind(kind)],
        target=application,
        reason=reason,
        ip=ip,
        organization=application.right_holder,
        details={"country": application.country_code, "status": application.status, **details},
    )


def _locked(application: Application) -> Application:
    """The application locked for a change: concurrent decisions wait here, and the second one
    reads the first one's status."""
    return Application.objects.select_for_update(of=("self",)).select_related("right_holder").get(pk=application.pk)


def _refuse_unless(actor: User, action: str, application: Application, message: str) -> None:
    if not may(actor, action, application):
        raise PermissionDenied(message)


def require_holder_writer(actor: User, application: Application) -> None:
    _refuse_unless(actor, CHANGE, application, _("Only the right holder's admins and editors change an application."))


def require_decider(actor: User, application: Application) -> None:
    _refuse_unless(
        actor, DECIDE, application, _("Only a coordinator of the addressed customs administration decides.")
    )


def _status_error(message: str) -> ValidationError:
    return ValidationError({"status": [message]})


# --------------------------------------------------------------------------- the holder's side


def _set_items(
    application: Application,
    brands: Iterable[Brand],
    products: Iterable[Product],
    trademarks: Iterable[TrademarkRegistration],
) -> None:
    application.brands.set(list(brands))
    application.products.set(list(products))
    application.trademarks.set(list(trademarks))


@transaction.atomic
def application_create(*, actor: User, data: Mapping[str, Any], ip: str | None = None) -> Application:
    """A draft: the right holder, the country (of an approved customs administration), at least
    one of the holder's brands, optionally products of those brands and trade mark registrations
    of those brands."""
    require(actor, APPLICATION_FILE)
    holder = _right_holder(actor, data)
    country = _country(data.get("country"))
    brands = _brands(actor, holder, _ids(data, "brands"))
    products = _products(actor, brands, _ids(data, "products"))
    trademarks = _trademarks(actor, brands, _ids(data, "trademarks"))
    application = Application.objects.create(right_holder=holder, country=country, created_by=actor)
    _set_items(application, brands, products, trademarks)
    _step(actor, application, StepKind.CREATED, ip)
    return application


@transaction.atomic
def application_update(
    *, actor: User, application: Application, data: Mapping[str, Any], ip: str | None = None
) -> Application:
    """The draft's country, brands, products and trade marks (only the fields given); products
    and trade marks must stay within the brands."""
    require_holder_writer(actor, application)
    application = _locked(application)
    if application.status != ApplicationStatus.DRAFT:
        raise _status_error(_("Only a draft is edited."))
    holder = application.right_holder
    if "right_holder" in data:
        _right_holder(actor, data)
    if "country" in data:
        application.country = _country(data.get("country"))
    if "brands" in data:
        brands = _brands(actor, holder, _ids(data, "brands"))
    else:
        brands = list(application.brands.order_by("pk"))
    if "products" in data:
        product_ids = _ids(data, "products")
    else:
        product_ids = list(application.products.values_list("pk", flat=True))
    if "trademarks" in data:
        trademark_ids = _ids(data, "trademarks")
    else:
        trademark_ids = list(application.trademarks.values_list("pk", flat=True))
    products = _products(actor, brands, product_ids)
    trademarks = _trademarks(actor, brands, trademark_ids)
    application.save(update_fields=["country", "updated"])
    _set_items(application, brands, products, trademarks)
    _step(
        actor,
        application,
        StepKind.EDITED,
        ip,
        fields=sorted(set(data) & {"country", "brands", "products", "trademarks"}),
    )
    return application


@transaction.atomic
def application_submit(*, actor: User, application: Application, ip: str | None = None) -> Application:
    """The draft goes to the customs administration of its country, whose coordinators are told
    (application.submitted)."""
    require_holder_writer(actor, application)
    application = _locked(application)
    if application.status != ApplicationStatus.DRAFT:
        raise _status_error(_("This application has already been submitted."))
    application.status = ApplicationStatus.SUBMITTED
    application.submitted = timezone.now()
    application.save(update_fields=["status", "submitted", "updated"])
    _step(actor, application, StepKind.SUBMITTED, ip)
    events.application_event("application.submitted", application, to=events.TO_CUSTOMS, actor=actor)
    return application


@transaction.atomic
def application_request_extension(
    *, actor: User, application: Application, ip: str | None = None, today: datetime.date | None = None
) -> Application:
    """The holder asks for the granted application to be extended, at the latest on
    `extension_due_by` (30 working days before valid_until in the country); the coordinators are
    told (application.extension_requested) and one of them grants a later valid_until or refuses."""
    require_holder_writer(actor, application)
    application = _locked(application)
    today = today or timezone.localdate()
    if application.status != ApplicationStatus.GRANTED or application.valid_until is None:
        raise _status_error(_("Only a granted application is extended."))
    if application.extension_requested:
        raise ValidationError({"extension_requested": [_("An extension has already been asked for.")]})
    due_by = application.extension_due_by
    assert due_by is not None
    if today > due_by:
        message = _("An extension had to be asked for by %(date)s (30 working days before the end of validity).")
        raise ValidationError({"extension_due_by": [message % {"date": due_by.isoformat()}]})
    application.extension_requested = True
    application.extension_requested_at = timezone.now()
    application.save(update_fields=["extension_requested", "extension_requested_at", "updated"])
    _step(actor, application, StepKind.EXTENSION_REQUESTED, ip)
    events.application_event("application.extension_requested", application, to=events.TO_CUSTOMS, actor=actor)
    return application


# --------------------------------------------------------------------------- the customs side


@transaction.atomic
def application_grant(
    *, actor: User, application: Application, valid_until: Any, ip: str | None = None
) -> Application:
    """Grant a submitted application until `valid_until` (after today), or extend a granted one
    whose holder asked for it to a later `valid_until`. The first coordinator's decision wins:
    the application is locked, and a decision that finds it decided is a 400 naming `status`."""
    require_decider(actor, application)
    application = _locked(application)
    today = timezone.localdate()
    extending = application.status == ApplicationStatus.GRANTED and application.extension_requested
    if application.status != ApplicationStatus.SUBMITTED and not extending:
        raise _status_error(_("This application has already been decided."))
    if extending and application.valid_until is not None and application.valid_until < today:
        raise _status_error(_("This application has expired."))
    day = _date(valid_until, "valid_until")
    if day <= today:
        raise ValidationError({"valid_until": [_("Give a date after today.")]})
    if extending and application.valid_until is not None and day <= application.valid_until:
        message = _("An extension sets a later date than the current one (%(date)s).")
        raise ValidationError({"valid_until": [message % {"date": application.valid_until.isoformat()}]})
    previous = application.valid_until
    application.status = ApplicationStatus.GRANTED
    application.valid_until = day
    application.extension_requested = False
    application.reason = ""
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(
        update_fields=["status", "valid_until", "extension_requested", "reason", "decided_by", "decided_at", "updated"]
    )
    kind = StepKind.EXTENDED if extending else StepKind.GRANTED
    _step(
        actor, application, kind, ip, valid_until=day.isoformat(), previous=previous.isoformat() if previous else None
    )
    events.application_event("application.decided", application, to=events.TO_HOLDER, actor=actor, decision=str(kind))
    return application


@transaction.atomic
def application_reject(*, actor: User, application: Application, reason: Any, ip: str | None = None) -> Application:
    """Reject a submitted application with a reason (final), or refuse the extension a holder
    asked for on a granted one (it stays granted until valid_until). First decision wins, as for
    a grant."""
    require_decider(actor, application)
    reason_text = clean_text({"reason": reason}, "reason", required=True, max_length=MAX_REASON)
    application = _locked(application)
    extending = application.status == ApplicationStatus.GRANTED and application.extension_requested
    if application.status != ApplicationStatus.SUBMITTED and not extending:
        raise _status_error(_("This application has already been decided."))
    if extending:
        application.extension_requested = False
        kind = StepKind.EXTENSION_REFUSED
    else:
        application.status = ApplicationStatus.REJECTED
        kind = StepKind.REJECTED
    application.reason = reason_text
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "extension_requested", "reason", "decided_by", "decided_at", "updated"])
    _step(actor, application, kind, ip, reason=reason_text)
    events.application_event(
        "application.decided", application, to=events.TO_HOLDER, actor=actor, decision=str(kind), reason=reason_text
    )
    return application


# --------------------------------------------------------------------------- periodic work


def applications_expire(today: datetime.date | None = None) -> int:
    """Granted applications past valid_until become expired (a conditional update per row: a
    second run, or a concurrent one, changes nothing)."""
    today = today or timezone.localdate()
    expired = 0
    for pk in selectors.system_applications_past_validity(today):
        with transaction.atomic():
            changed = Application.objects.filter(
                pk=pk, status=ApplicationStatus.GRANTED, valid_until__lt=today
            ).update(status=ApplicationStatus.EXPIRED, updated=timezone.now())
            if changed:
                application = Application.objects.select_related("right_holder").get(pk=pk)
                _step(None, application, StepKind.EXPIRED)
                expired += 1
    return expired


def _reminder_due(application: Application, today: datetime.date) -> tuple[str, datetime.date] | None:
    """Which extension reminder is due today, if any: the early one from 10 working days before
    the last day (until the day before it), the last one on the last day."""
    due_by = application.extension_due_by
    if due_by is None or today > due_by:
        return None
    if today == due_by:
        return ReminderKind.LAST, due_by
    if today >= workdays.early_reminder_day(due_by, application.country_code):
        return ReminderKind.EARLY, due_by
    return None


def applications_remind(today: datetime.date | None = None) -> int:
    """application.extension_due to the holder's admins and editors, once per reminder (a unique
    row per application, kind and last day, written with the event in one transaction)."""
    today = today or timezone.localdate()
    sent = 0
    for application in selectors.system_applications_near_extension(today, EXTENSION_HORIZON_DAYS):
        due = _reminder_due(application, today)
        if due is None:
            continue
        kind, due_by = due
        with transaction.atomic():
            _row, created = ExtensionReminder.objects.get_or_create(application=application, kind=kind, due_by=due_by)
            if created:
                events.application_event(
                    "application.extension_due",
                    application,
                    to=events.TO_HOLDER,
                    extension_due_by=due_by.isoformat(),
                    reminder=str(kind),
                )
                sent += 1
    return sent


def trademarks_remind(today: datetime.date | None = None) -> int:
    """trademark.expiring to the brand owner's admins and editors, once per registration and
    expiry date, from 90 calendar days before the expiry."""
    today = today or timezone.localdate()
    sent = 0
    for trademark in selectors.system_trademarks_expiring(today, TRADEMARK_NOTICE_DAYS):
        assert trademark.expiry_date is not None
        with transaction.atomic():
            _row, created = TrademarkReminder.objects.get_or_create(
                trademark=trademark, expiry_date=trademark.expiry_date
            )
            if created:
                events.trademark_expiring(trademark)
                sent += 1
    return sent
