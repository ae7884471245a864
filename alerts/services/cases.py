"""Cases: an officer opens one, a detention (customs) or a verification request (any enforcement
kind); the brand owner's admins and editors answer with a verdict (again after need_sample) and
may ask once for more time; both sides write on the thread; the officers close it with an
outcome. Beat tasks remind before the deadline and flag overdue cases. Both procedures share all
of it but the deadline (alerts/workdays.py)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries.fields import Country

from accounts.models import Organization, User
from applications.selectors import system_is_covered
from authentication_guides.models import Checklist
from brands.models import Brand, Product
from core.gate import may
from core.permissions import require
from core.roles import INTERNATIONAL_KINDS
from core.scope import VIEW, Scope, scope_of
from core.validators import clean_text as _text
from core.validators import normalize_country
from uploads.images import CleanImage

from .. import events, workdays
from ..models import (
    AUDIT_CASE_CLOSED,
    AUDIT_CASE_EXTENDED,
    AUDIT_CASE_OPENED,
    AUDIT_CASE_VERDICT,
    Case,
    CaseMessage,
    CasePhoto,
    CaseStatus,
    CaseVerdict,
    CaseVerdictKind,
    Outcome,
    Procedure,
    Side,
    procedures_for,
)
from ..permissions import CASE_OPEN
from .common import as_date, refuse_unless
from .common import audit as _audit
from .common import open_for as _open_for
from .coordination import apply_coordination, clean_case_coordination, default_share_subjects

MAX_TEXT = 20_000
MAX_QUANTITY = 1_000_000_000
MAX_PHOTOS = 30


# The gate's actions on a case (alerts/models.py, CaseQuerySet).
ANSWER = "answer"
HANDLE = "handle"


def _id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    try:
        return int(pk)
    except (TypeError, ValueError):
        return -1  # never an id: "no such object" below


def _quantity(data: Mapping[str, Any]) -> int:
    value = data.get("quantity")
    try:
        quantity = int(str(value).strip()) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        quantity = None
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError({"quantity": [_("Give the number of items detained (a whole number, at least 1).")]})
    return quantity


def _bool(data: Mapping[str, Any], field: str) -> bool:
    value = data.get(field, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on", "false", "0", "no", "off", ""):
        return value.strip().lower() in ("true", "1", "yes", "on")
    raise ValidationError({field: [_("Give true or false.")]})


def _clean_case(actor: User, data: Mapping[str, Any]) -> dict[str, Any]:
    # No brand given: pk=None reads "pk IS NULL", which matches nothing.
    brand_id: Any = _id(data.get("brand"))
    brand = Brand.objects.restrict(actor, VIEW).select_related("owner").filter(pk=brand_id).first()
    if brand is None:
        raise ValidationError({"brand": [_("Choose a brand you can see.")]})
    product = None
    product_id = _id(data.get("product"))
    if product_id is not None:
        product = Product.objects.restrict(actor, VIEW).filter(pk=product_id, brand=brand).first()
        if product is None:
            raise ValidationError({"product": [_("Choose a product of this brand that you can see, or none.")]})
    checklist = None
    checklist_id = _id(data.get("checklist"))
    if checklist_id is not None:
        checklist = (
            Checklist.objects.restrict(actor, VIEW)
            .filter(pk=checklist_id, organization=actor.organization, guide__brand=brand)
            .first()
        )
        if checklist is None:
            raise ValidationError({"checklist": [_("Choose an inspection of your administration about this brand.")]})
    origin = data.get("declared_origin") or ""
    if origin:
        try:
            origin = normalize_country(origin)
        except ValidationError as error:
            raise ValidationError({"declared_origin": error.messages}) from None
    return {
        "brand": brand,
        "brand_name": brand.name,
        "owner": brand.owner,
        "product": product,
        "product_name": product.name if product else "",
        "checklist": checklist,
        "description": _text(data, "description", required=True, max_length=MAX_TEXT),
        "quantity": _quantity(data),
        "location": _text(data, "location", required=True, max_length=200),
        "declared_origin": origin,
        "perishable": _bool(data, "perishable"),
    }


def _procedure(scope: Scope, data: Mapping[str, Any]) -> str:
    """The procedure asked for, or the default of the officer's kind (customs: detention)."""
    offered = procedures_for(scope.kind)
    value = data.get("procedure") or offered[0]
    if value not in Procedure.values:
        raise ValidationError({"procedure": [_("Choose detention or verification.")]})
    if value not in offered:
        raise ValidationError({"procedure": [_("Only customs open a detention: open a verification request.")]})
    return str(value)


def _case_country(scope: Scope, organization: Organization, brand: Brand, data: Mapping[str, Any]) -> str:
    """A national agency's case is in its country (a `country` in the request is ignored: it is
    read-only). An international body names one of its jurisdiction's countries in which the
    brand is visible to it."""
    if scope.kind not in INTERNATIONAL_KINDS:
        return cast(Country, organization.country).code
    countries = ", ".join(scope.jurisdiction)
    try:
        code = normalize_country(data.get("country")) if data.get("country") else ""
    except ValidationError:
        code = ""
    if code not in scope.jurisdiction:
        message = _("Name the country of the case, one of your jurisdiction's: %(countries)s.")
        raise ValidationError({"country": [message % {"countries": countries}]})
    there = dataclasses.replace(scope, jurisdiction=(code,))
    if not Brand.objects.restrict(there, VIEW).filter(pk=brand.pk).exists():
        message = _("This brand is not shared with you in %(country)s.")
        raise ValidationError({"country": [message % {"country": code}]})
    return code


def _deadlines(procedure: str, data: Mapping[str, Any], country: str, opened: datetime.date) -> dict[str, Any]:
    """A detention's deadline by law (10 working days, 3 if perishable); a verification's the
    working day the officer asks for, 1 to 30 working days ahead (5 by default)."""
    asked = data.get("requested_deadline")
    if procedure == Procedure.DETENTION:
        if asked not in (None, ""):
            message = _("A detention's deadline is set by law: ask for a date on a verification only.")
            raise ValidationError({"requested_deadline": [message]})
        deadline = workdays.answer_deadline(opened, country, perishable=bool(data.get("perishable")))
        return {"deadline": deadline, "requested_deadline": None}
    if asked in (None, ""):
        deadline = workdays.verification_deadline(opened, country)
    else:
        first, last = workdays.verification_window(opened, country)
        day = as_date(asked)
        if day is None or not first <= day <= last or not workdays.is_working_day(day, country):
            message = _("Ask for a working day in %(country)s from %(first)s to %(last)s.")
            window = {"country": country, "first": first.isoformat(), "last": last.isoformat()}
            raise ValidationError({"requested_deadline": [message % window]})
        deadline = day
    return {"deadline": deadline, "requested_deadline": deadline}


@transaction.atomic
def case_open(
    *, actor: User, data: Mapping[str, Any], photos: Sequence[CleanImage] = (), ip: str | None = None
) -> Case:
    """A case to the brand owner: a detention (customs' default; 10 working days, 3 if
    perishable) or a verification request (the others'; the date asked for, 5 working days by
    default), counted from the next working day in the case's country: the officer's
    administration's, or the one an international body names."""
    require(actor, CASE_OPEN)
    scope = scope_of(actor)
    procedure = _procedure(scope, data)
    cleaned = _clean_case(actor, data)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("At most %(max)d photos.") % {"max": MAX_PHOTOS}]})
    organization = actor.organization
    assert organization is not None  # an enforcement officer (CASE_OPEN) has one
    country = _case_country(scope, organization, cleaned["brand"], data)
    opened = timezone.localdate()
    deadlines = _deadlines(procedure, {**data, "perishable": cleaned["perishable"]}, country, opened)
    coordination = clean_case_coordination(country, data)
    share_subjects = coordination.pop("share_subjects", default_share_subjects(procedure))
    case = Case.objects.create(
        organization=organization,
        opened_by=actor,
        country=country,
        procedure=procedure,
        ex_officio=procedure == Procedure.DETENTION and not system_is_covered(cleaned["brand"].pk, country, opened),
        remind_on=workdays.reminder_day(deadlines["deadline"], country, opened=opened),
        share_subjects=share_subjects,
        **deadlines,
        **cleaned,
    )
    for photo in photos:
        _save_photo(case, photo, actor)
    _audit(actor, AUDIT_CASE_OPENED, case, ip, organization, procedure=procedure)
    apply_coordination(actor=actor, case=case, cleaned=coordination, ip=ip)
    events.case_event("opened", case, to=events.TO_OWNER, actor=actor, procedure=procedure)
    return case


def require_case_answerer(actor: User, case: Case) -> None:
    """Checked before the answer is read: the brand owner's admins and editors."""
    refuse_unless(actor, ANSWER, case, _("Only the brand owner's admins and editors answer a case."))


def require_case_handler(actor: User, case: Case) -> None:
    """Checked before the closing form is read: the officers of the administration that opened it."""
    refuse_unless(actor, HANDLE, case, _("Only the officers of the administration that opened the case close it."))


def require_photo_writer(actor: User, case: Case) -> None:
    """Checked before a picture is decoded: only the case's officers add photos."""
    refuse_unless(actor, HANDLE, case, _("Only the officers handling the case add photos."))


def message_side(actor: User, case: Case) -> str:
    """The side `actor` writes on the thread for (checked before any picture is decoded)."""
    if may(actor, HANDLE, case):
        return Side.ENFORCEMENT
    if may(actor, ANSWER, case):
        return Side.RIGHT_HOLDER
    raise PermissionDenied(_("Only the officers handling the case and the brand owner's editors write here."))


@transaction.atomic
def case_respond(*, actor: User, case: Case, verdict: str, comment: str = "", ip: str | None = None) -> Case:
    """The brand owner's verdict. After need_sample they answer again once the sample is
    examined; every verdict is kept."""
    require_case_answerer(actor, case)
    case = _open_for(case)
    if verdict not in CaseVerdictKind.values:
        raise ValidationError({"verdict": [_("Choose counterfeit, genuine or need_sample.")]})
    comment = _text({"comment": comment}, "comment", max_length=MAX_TEXT)
    last = CaseVerdict.objects.filter(case=case).order_by("-created", "-id").first()
    if last is not None and last.verdict != CaseVerdictKind.NEED_SAMPLE:
        raise ValidationError({"verdict": [_("This case is answered. Write on the thread to add something.")]})
    CaseVerdict.objects.create(case=case, verdict=verdict, comment=comment, author=actor)
    case.status = CaseStatus.ANSWERED
    case.answered_at = timezone.now()
    case.save(update_fields=["status", "answered_at", "updated"])
    _audit(actor, AUDIT_CASE_VERDICT, case, ip, case.owner, verdict=verdict)
    events.case_event("answered", case, to=events.TO_OFFICERS, actor=actor, verdict=verdict)
    return case


@transaction.atomic
def case_extend(*, actor: User, case: Case, ip: str | None = None) -> Case:
    """The brand owner's one extension after the current deadline: 10 more working days for a
    detention, 5 for a verification."""
    refuse_unless(actor, ANSWER, case, _("Only the brand owner's admins and editors ask for more time."))
    case = _open_for(case)
    if case.extended:
        raise ValidationError({"deadline": [_("The deadline has already been extended once.")]})
    country = cast(Country, case.country).code
    case.deadline = workdays.extended_deadline(case.deadline, country, case.extension_days)
    case.remind_on = workdays.reminder_day(case.deadline, country, opened=timezone.localdate())
    case.reminded = False
    case.overdue = case.deadline < timezone.localdate()
    case.extended = True
    case.extended_at = timezone.now()
    case.save(update_fields=["deadline", "remind_on", "reminded", "overdue", "extended", "extended_at", "updated"])
    _audit(actor, AUDIT_CASE_EXTENDED, case, ip, case.owner, deadline=case.deadline.isoformat())
    return case


@transaction.atomic
def case_close(*, actor: User, case: Case, outcome: str, note: str = "", ip: str | None = None) -> Case:
    """The officers' side closes the case with what became of the goods."""
    require_case_handler(actor, case)
    case = _open_for(case)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": [_("Choose destroyed, released, referred_to_court or other.")]})
    case.status = CaseStatus.CLOSED
    case.outcome = outcome
    case.outcome_note = _text({"note": note}, "note", max_length=MAX_TEXT)
    case.closed_at = timezone.now()
    case.closed_by = actor
    case.save(update_fields=["status", "outcome", "outcome_note", "closed_at", "closed_by", "updated"])
    _audit(actor, AUDIT_CASE_CLOSED, case, ip, case.organization, outcome=outcome)
    return case


@transaction.atomic
def case_message_post(*, actor: User, case: Case, body: str, attachment: CleanImage | None = None) -> CaseMessage:
    """A message on the case's thread, to the other side (case.message)."""
    side = message_side(actor, case)
    case = _open_for(case)
    body = _text({"body": body}, "body", required=True, max_length=MAX_TEXT)
    message = CaseMessage(case=case, author=actor, side=side, body=body)
    if attachment is not None:
        message.attachment.save(attachment.name, attachment.content, save=False)
    message.save()
    to = events.TO_OWNER if side == Side.ENFORCEMENT else events.TO_OFFICERS
    events.case_event("message", case, to=to, actor=actor, message=message.pk)
    return message


def _save_photo(case: Case, photo: CleanImage, actor: User) -> CasePhoto:
    item = CasePhoto(case=case, uploaded_by=actor, width=photo.width, height=photo.height)
    item.image.save(photo.name, photo.content, save=False)
    item.save()
    return item


@transaction.atomic
def case_photo_add(*, actor: User, case: Case, image: CleanImage) -> CasePhoto:
    require_photo_writer(actor, case)
    case = _open_for(case)
    if CasePhoto.objects.filter(case=case).count() >= MAX_PHOTOS:
        raise ValidationError({"image": [_("A case holds at most %(max)d photos.") % {"max": MAX_PHOTOS}]})
    return _save_photo(case, image, actor)


# --------------------------------------------------------------------------- beat tasks


def cases_flag_overdue(*, today: datetime.date | None = None) -> int:
    """Flag the open cases whose deadline has passed unanswered (case.overdue, once each)."""
    today = today or timezone.localdate()
    flagged = 0
    due = Case.objects.filter(status=CaseStatus.OPEN, overdue=False, deadline__lt=today).values_list("pk", flat=True)
    for pk in list(due[:1000]):
        with transaction.atomic():
            # Claim the row: a second run (or a concurrent one) changes nothing and emits nothing.
            if Case.objects.filter(pk=pk, overdue=False, status=CaseStatus.OPEN).update(overdue=True) != 1:
                continue
            case = Case.objects.select_related("owner").get(pk=pk)
            events.case_event("overdue", case, to=events.TO_BOTH)
            flagged += 1
    return flagged


def cases_remind_deadline(*, today: datetime.date | None = None) -> int:
    """Remind the brand owner of open cases whose deadline is near (case.deadline_near, once
    per deadline: an extension re-arms it)."""
    today = today or timezone.localdate()
    reminded = 0
    due = Case.objects.filter(
        status=CaseStatus.OPEN, reminded=False, remind_on__lte=today, deadline__gte=today
    ).values_list("pk", flat=True)
    for pk in list(due[:1000]):
        with transaction.atomic():
            if Case.objects.filter(pk=pk, reminded=False).update(reminded=True) != 1:
                continue
            case = Case.objects.select_related("owner").get(pk=pk)
            events.case_event("deadline_near", case, to=events.TO_OWNER)
            reminded += 1
    return reminded
