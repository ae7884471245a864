"""Coordination between enforcement organizations (DESIGN.md, "Coordination"): a case's subjects,
hit/no-hit deconfliction on them, and joint operations.

- Subjects are set when a case is opened or by its officers later (`case_coordinate`), while
  the case is not closed; every change is audited.
- Saving subjects looks for the same (kind, normal form) in other organizations' cases, open
  or closed within the last 12 months: one query on the (kind, normal) index. Each pair of
  cases is recorded once (`DeconflictionHit`), and each side's coordinators are told
  (`deconfliction.hit`) which kind matched and whom to call, never the other case's content.
- Joint operations: a coordinator creates one (the organization leads it), invites
  organizations, whose coordinators accept or decline; participants' officers tag their own
  cases opened between its dates; the lead's coordinators edit and close it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries.fields import Country

from accounts.models import Organization, Status, User
from brands.models import Brand, Category
from core.broker import send_after_commit
from core.permissions import require
from core.roles import ENFORCEMENT_KINDS
from core.scope import VIEW
from core.validators import clean_text

from .. import events
from ..models import (
    AUDIT_CASE_OPERATION,
    AUDIT_CASE_SUBJECTS,
    AUDIT_DECONFLICTION_HIT,
    AUDIT_DECONFLICTION_IN_CONTACT,
    AUDIT_OPERATION_ACCEPTED,
    AUDIT_OPERATION_CLOSED,
    AUDIT_OPERATION_CREATED,
    AUDIT_OPERATION_DECLINED,
    AUDIT_OPERATION_INVITED,
    AUDIT_OPERATION_UPDATED,
    Case,
    CaseStatus,
    CaseSubject,
    DeconflictionHit,
    Operation,
    OperationParticipant,
    OperationStatus,
    ParticipantStatus,
    Procedure,
)
from ..permissions import DECONFLICTION_CONTACT, OPERATION_COORDINATE
from ..subjects import Subject, clean_subjects
from .common import as_date, audit, open_for, refuse_unless

# Closed cases still match for this long.
MATCH_WINDOW = datetime.timedelta(days=365)
MAX_OPERATION_DAYS = 366 * 2
MAX_FOCUS_BRANDS = 50

# The gate's actions (alerts/models.py).
HANDLE = "handle"
DECONFLICT = "deconflict"
TAG = "tag"
ANSWER = "answer"
CHANGE = "change"


# --------------------------------------------------------------------------- subjects


def clean_case_coordination(case_country: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The coordination fields present in `data`, cleaned: `subjects` (list of Subject),
    `share_subjects` (bool), `operation` (an id or None). Absent fields are absent."""
    cleaned: dict[str, Any] = {}
    if "subjects" in data:
        cleaned["subjects"] = clean_subjects(data.get("subjects"), case_country)
    if "share_subjects" in data and data.get("share_subjects") is not None:
        value = data["share_subjects"]
        if not isinstance(value, bool):
            text = str(value).strip().lower()
            if text not in ("true", "1", "yes", "on", "false", "0", "no", "off", ""):
                raise ValidationError({"share_subjects": [_("Give true or false.")]})
            value = text in ("true", "1", "yes", "on")
        cleaned["share_subjects"] = value
    if "operation" in data:
        raw = data.get("operation")
        raw = getattr(raw, "pk", raw)
        if raw in (None, ""):
            cleaned["operation"] = None
        else:
            try:
                cleaned["operation"] = int(str(raw))
            except ValueError:
                raise ValidationError(
                    {"operation": [_("Choose an operation your organization takes part in.")]}
                ) from None
    return cleaned


def default_share_subjects(procedure: str) -> bool:
    """Subjects go to the brand owner by default on a detention, not on a verification."""
    return procedure == Procedure.DETENTION


def _lock_values(subjects: Sequence[Subject]) -> None:
    """Serialize matching per subject value (PostgreSQL advisory locks held to the end of the
    transaction): two cases saved at once on the same subject see each other. SQLite writes one
    transaction at a time already."""
    if connection.vendor != "postgresql" or not subjects:
        return
    keys = sorted({f"{s.kind}|{s.normal}" for s in subjects})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(k, 7)) FROM unnest(%s::text[]) AS k", [keys])


def _store_subjects(case: Case, subjects: Sequence[Subject]) -> bool:
    """Replace the case's subjects; True when they changed."""
    current = list(CaseSubject.objects.filter(case=case).order_by("position", "id").values_list("kind", "value"))
    wanted = [(s.kind, s.value) for s in subjects]
    if current == wanted:
        return False
    CaseSubject.objects.filter(case=case).delete()
    CaseSubject.objects.bulk_create(
        CaseSubject(
            case=case,
            organization_id=case.organization_id,
            kind=s.kind,
            value=s.value,
            normal=s.normal,
            position=index,
        )
        for index, s in enumerate(subjects)
    )
    return True


def deconflict(case: Case, subjects: Sequence[Subject], *, actor: User | None = None) -> list[DeconflictionHit]:
    """Record the pairs this case forms with other organizations' cases sharing a subject
    (open, or closed within MATCH_WINDOW), once per pair (audited), and have both sides'
    coordinators told of each new pair after commit (`announce_hits`). Runs in the caller's
    transaction; returns the new hits."""
    if not subjects:
        return []
    _lock_values(subjects)
    order = {(s.kind, s.normal): index for index, s in enumerate(subjects)}
    since = timezone.now() - MATCH_WINDOW
    # The (kind, normal) pairs as one row-value IN: one probe of the index a subject (not every
    # kind against every value), no ORDER BY, and no query to build in the ORM.
    subject_table = connection.ops.quote_name(CaseSubject._meta.db_table)
    case_table = connection.ops.quote_name(Case._meta.db_table)
    pairs = ", ".join(["(%s, %s)"] * len(order))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.case_id, s.kind, s.normal FROM {subject_table} s JOIN {case_table} c ON c.id = s.case_id "  # noqa: S608
            f"WHERE (s.kind, s.normal) IN ({pairs}) AND s.organization_id <> %s "
            "AND (c.status <> %s OR c.closed_at >= %s)",
            [*(value for pair in order for value in pair), case.organization_id, CaseStatus.CLOSED, since],
        )
        rows = cursor.fetchall()
    first_kind: dict[int, tuple[int, str]] = {}
    for other_id, kind, normal in rows:
        rank = order[(kind, normal)]
        if other_id not in first_kind or rank < first_kind[other_id][0]:
            first_kind[other_id] = (rank, kind)
    if not first_kind:
        return []
    created = _record_pairs(case.pk, {other_id: kind for other_id, (_rank, kind) in first_kind.items()}, actor)
    if created:
        hits = [
            {"hit": hit.pk, "case": hit.other_case_id(case.pk), "subject_kind": hit.subject_kind} for hit in created
        ]
        audit(actor, AUDIT_DECONFLICTION_HIT, case, None, case.organization, hits=hits)
        # Telling both sides (two events a hit, the coordinators' contact read for each) is the
        # worker's: the save stays one match and one insert however many hits it finds.
        from ..tasks import announce_deconfliction_hits

        send_after_commit(announce_deconfliction_hits, [hit.pk for hit in created])
    return created


def announce_hits(
    hit_ids: Iterable[int] | None = None, *, older_than: datetime.timedelta | None = None, limit: int = 500
) -> int:
    """Tell both sides' coordinators of each hit not announced yet (deconfliction.hit, one event a
    side), once: each hit is claimed (`announced` set) in the transaction that writes its two
    events. The task sent after a save's commit announces that save's hits; the beat's sweep
    (`older_than`) the hits whose task never ran (broker down, worker lost). Returns how many."""
    rows = DeconflictionHit.objects.filter(announced__isnull=True)
    if hit_ids is not None:
        rows = rows.filter(pk__in=list(hit_ids))
    if older_than is not None:
        rows = rows.filter(found__lte=timezone.now() - older_than)
    contacts: dict[int, list[dict[str, str]]] = {}  # an organization's coordinators, read once a run
    announced = 0
    for pk in list(rows.order_by("pk").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            if DeconflictionHit.objects.filter(pk=pk, announced__isnull=True).update(announced=timezone.now()) != 1:
                continue  # announced meanwhile by another run
            hit = DeconflictionHit.objects.select_related(
                "first__organization", "second__organization", "found_by"
            ).get(pk=pk)
            events.deconfliction_hit(hit, hit.first, hit.second, actor=hit.found_by, contacts=contacts)
            events.deconfliction_hit(hit, hit.second, hit.first, actor=hit.found_by, contacts=contacts)
            announced += 1
    return announced


def _record_pairs(case_id: int, kinds: dict[int, str], actor: User | None) -> list[DeconflictionHit]:
    """Insert the pairs (case_id, other) not recorded yet, in one statement; the hits this call
    inserted (a pair known already, or recorded meanwhile by the other side's save, is not)."""
    found = timezone.now()
    by = actor.pk if actor is not None else None
    rows = [(min(case_id, other), max(case_id, other), kind) for other, kind in sorted(kinds.items())]
    table = connection.ops.quote_name(DeconflictionHit._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (first_id, second_id, subject_kind, found, found_by_id) VALUES {values} "  # noqa: S608
            "ON CONFLICT (first_id, second_id) DO NOTHING RETURNING id, first_id, second_id, subject_kind, found",
            [value for first, second, kind in rows for value in (first, second, kind, found, by)],
        )
        inserted = cursor.fetchall()
    return [
        DeconflictionHit(id=pk, first_id=first, second_id=second, subject_kind=kind, found=when)
        for pk, first, second, kind, when in sorted(inserted, key=lambda row: (row[1], row[2]))
    ]


def save_subjects(
    *, actor: User, case: Case, subjects: Sequence[Subject], ip: str | None = None
) -> list[DeconflictionHit]:
    """Store the case's subjects (audited when they change) and deconflict them."""
    if _store_subjects(case, subjects):
        kinds = sorted({s.kind for s in subjects})
        audit(actor, AUDIT_CASE_SUBJECTS, case, ip, case.organization, count=len(subjects), kinds=kinds)
    return deconflict(case, subjects, actor=actor)


def tag_operation(*, actor: User, case: Case, operation_id: int | None, ip: str | None = None) -> None:
    """Tag the case with an open operation its organization takes part in, if the case was opened
    between the operation's dates (400 naming `operation` otherwise); None untags it."""
    if operation_id == case.operation_id:
        return
    current = case.operation
    if current is not None and current.status == OperationStatus.CLOSED:
        message = _("This case counts in a closed operation's results: its operation stays.")
        raise ValidationError({"operation": [message]})
    operation = None
    if operation_id is not None:
        operation = Operation.objects.restrict(actor, TAG).filter(pk=operation_id).first()
        if operation is None:
            raise ValidationError({"operation": [_("Choose an open operation your organization takes part in.")]})
        opened = timezone.localdate(case.created)
        if not operation.covers(opened):
            message = _("This case was opened on %(opened)s, outside the operation's dates (%(starts)s to %(ends)s).")
            dates = {
                "opened": opened.isoformat(),
                "starts": operation.starts.isoformat(),
                "ends": operation.ends.isoformat(),
            }
            raise ValidationError({"operation": [message % dates]})
    case.operation = operation
    case.save(update_fields=["operation", "updated"])
    audit(actor, AUDIT_CASE_OPERATION, case, ip, case.organization, operation=operation_id)


def apply_coordination(*, actor: User, case: Case, cleaned: Mapping[str, Any], ip: str | None = None) -> None:
    """Set what `cleaned` (clean_case_coordination) carries on a case the caller has locked."""
    if "share_subjects" in cleaned and cleaned["share_subjects"] != case.share_subjects:
        case.share_subjects = cleaned["share_subjects"]
        case.save(update_fields=["share_subjects", "updated"])
        audit(actor, AUDIT_CASE_SUBJECTS, case, ip, case.organization, share_subjects=case.share_subjects)
    if "operation" in cleaned:
        tag_operation(actor=actor, case=case, operation_id=cleaned["operation"], ip=ip)
    if "subjects" in cleaned:
        save_subjects(actor=actor, case=case, subjects=cleaned["subjects"], ip=ip)


def require_case_coordinator(actor: User, case: Case) -> None:
    refuse_unless(actor, HANDLE, case, _("Only the officers of the organization that opened the case change it."))


@transaction.atomic
def case_coordinate(*, actor: User, case: Case, data: Mapping[str, Any], ip: str | None = None) -> Case:
    """PATCH a case's `subjects`, `share_subjects` and `operation`: the officers of the
    organization that opened it, while it is not closed."""
    require_case_coordinator(actor, case)
    unknown = sorted(set(data) - {"subjects", "share_subjects", "operation"})
    if unknown:
        message = _("Only subjects, share_subjects and operation change after opening.")
        raise ValidationError({field: [message] for field in unknown})
    case = open_for(case)
    cleaned = clean_case_coordination(cast(Country, case.country).code, data)
    apply_coordination(actor=actor, case=case, cleaned=cleaned, ip=ip)
    return case


@transaction.atomic
def hit_mark_in_contact(*, actor: User, case: Case, hit_id: Any, ip: str | None = None) -> DeconflictionHit:
    """A coordinator of either organization records that the two are in contact (once; audited)."""
    refuse_unless(actor, DECONFLICT, case, _("Only the organization that opened the case sees its hits."))
    require(actor, DECONFLICTION_CONTACT)
    try:
        pk = int(str(hit_id))
    except ValueError:
        pk = -1
    hit = DeconflictionHit.objects.of_case(case.pk).select_for_update().filter(pk=pk).first()
    if hit is None:
        from django.http import Http404

        raise Http404
    if hit.in_contact_at is None:
        hit.in_contact_at = timezone.now()
        hit.in_contact_by = actor
        hit.save(update_fields=["in_contact_at", "in_contact_by"])
        audit(actor, AUDIT_DECONFLICTION_IN_CONTACT, hit, ip, actor.organization)
    return hit


# --------------------------------------------------------------------------- operations


def _day(data: Mapping[str, Any], field: str) -> datetime.date:
    day = as_date(data.get(field))
    if day is None:
        raise ValidationError({field: [_("Give a date (YYYY-MM-DD).")]})
    return day


def _clean_operation(actor: User, data: Mapping[str, Any], current: Operation | None = None) -> dict[str, Any]:
    def given(field: str) -> bool:
        return current is None or field in data

    cleaned: dict[str, Any] = {}
    if given("name"):
        cleaned["name"] = clean_text(data, "name", required=True, max_length=200)
    if given("description"):
        cleaned["description"] = clean_text(data, "description", max_length=20_000)
    starts = _day(data, "starts") if given("starts") else current.starts if current else None
    ends = _day(data, "ends") if given("ends") else current.ends if current else None
    assert starts is not None and ends is not None
    if ends < starts:
        raise ValidationError({"ends": [_("The operation ends on or after the day it starts.")]})
    if (ends - starts).days > MAX_OPERATION_DAYS:
        raise ValidationError({"ends": [_("An operation lasts at most two years.")]})
    cleaned["starts"], cleaned["ends"] = starts, ends
    if given("categories"):
        categories = data.get("categories") or []
        if not isinstance(categories, (list, tuple)) or any(c not in Category.values for c in categories):
            raise ValidationError({"categories": [_("Choose categories from the list.")]})
        cleaned["categories"] = sorted(set(categories))
    if given("brands"):
        raw = data.get("brands") or []
        if not isinstance(raw, (list, tuple)) or len(raw) > MAX_FOCUS_BRANDS:
            raise ValidationError({"brands": [_("Give at most %(max)d brands.") % {"max": MAX_FOCUS_BRANDS}]})
        try:
            ids = {int(str(getattr(b, "pk", b))) for b in raw}
        except ValueError:
            raise ValidationError({"brands": [_("Choose brands you can see.")]}) from None
        brands = list(Brand.objects.restrict(actor, VIEW).filter(pk__in=ids))
        if len(brands) != len(ids):
            raise ValidationError({"brands": [_("Choose brands you can see.")]})
        cleaned["brands"] = brands
    return cleaned


@transaction.atomic
def operation_create(*, actor: User, data: Mapping[str, Any], ip: str | None = None) -> Operation:
    """A joint operation led by the coordinator's organization, which takes part from the start."""
    require(actor, OPERATION_COORDINATE)
    cleaned = _clean_operation(actor, data)
    brands = cleaned.pop("brands", [])
    organization = actor.organization
    assert organization is not None
    operation = Operation.objects.create(lead=organization, created_by=actor, **cleaned)
    operation.brands.set(brands)
    OperationParticipant.objects.create(
        operation=operation,
        organization=organization,
        status=ParticipantStatus.ACCEPTED,
        invited_by=actor,
        answered=timezone.now(),
        answered_by=actor,
    )
    audit(actor, AUDIT_OPERATION_CREATED, operation, ip, organization, name=operation.name)
    return operation


def _led(actor: User, operation: Operation, message: str) -> Operation:
    require(actor, OPERATION_COORDINATE)
    refuse_unless(actor, CHANGE, operation, message)
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    if operation.status == OperationStatus.CLOSED:
        raise ValidationError({"status": [_("This operation is closed.")]})
    return operation


def _keep_tagged_cases_inside(operation: Operation, starts: datetime.date, ends: datetime.date) -> None:
    """Refuse dates that would leave a tagged case opened outside them (one query)."""
    opened = operation.cases.aggregate(first=Min("created"), last=Max("created"))
    if opened["first"] is not None and timezone.localdate(opened["first"]) < starts:
        message = _("A case tagged with this operation was opened on %(day)s: the operation starts on or before it.")
        raise ValidationError({"starts": [message % {"day": timezone.localdate(opened["first"]).isoformat()}]})
    if opened["last"] is not None and timezone.localdate(opened["last"]) > ends:
        message = _("A case tagged with this operation was opened on %(day)s: the operation ends on or after it.")
        raise ValidationError({"ends": [message % {"day": timezone.localdate(opened["last"]).isoformat()}]})


@transaction.atomic
def operation_update(
    *, actor: User, operation: Operation, data: Mapping[str, Any], ip: str | None = None
) -> Operation:
    operation = _led(actor, operation, _("Only the lead organization's coordinators edit the operation."))
    cleaned = _clean_operation(actor, data, operation)
    _keep_tagged_cases_inside(operation, cleaned["starts"], cleaned["ends"])
    brands = cleaned.pop("brands", None)
    for field, value in cleaned.items():
        setattr(operation, field, value)
    operation.save()
    if brands is not None:
        operation.brands.set(brands)
    audit(actor, AUDIT_OPERATION_UPDATED, operation, ip, operation.lead, fields=sorted(data))
    return operation


@transaction.atomic
def operation_invite(
    *, actor: User, operation: Operation, organization: Any, ip: str | None = None
) -> OperationParticipant:
    """Invite an approved enforcement organization, of any kind and country (its coordinators are
    told: operation.invited). Inviting again one that declined asks again."""
    operation = _led(actor, operation, _("Only the lead organization's coordinators invite."))
    try:
        pk = int(str(getattr(organization, "pk", organization)))
    except ValueError:
        pk = -1
    invited = Organization.objects.filter(pk=pk, status=Status.APPROVED, kind__in=ENFORCEMENT_KINDS).first()
    if invited is None:
        raise ValidationError({"organization": [_("Choose an approved enforcement organization.")]})
    seat, new = OperationParticipant.objects.get_or_create(
        operation=operation, organization=invited, defaults={"invited_by": actor}
    )
    if not new:
        if seat.status != ParticipantStatus.DECLINED:
            raise ValidationError({"organization": [_("This organization is already invited.")]})
        seat.status = ParticipantStatus.INVITED
        seat.invited = timezone.now()
        seat.invited_by = actor
        seat.answered = seat.answered_by = None
        seat.save()
    audit(actor, AUDIT_OPERATION_INVITED, operation, ip, operation.lead, invited=invited.pk)
    events.operation_invited(operation, invited, actor=actor)
    return seat


@transaction.atomic
def operation_answer(
    *, actor: User, operation: Operation, accept: bool, ip: str | None = None
) -> OperationParticipant:
    """An invited organization's coordinator accepts or declines."""
    require(actor, OPERATION_COORDINATE)
    refuse_unless(actor, ANSWER, operation, _("Your organization has no invitation to answer for this operation."))
    seat = (
        OperationParticipant.objects.select_for_update()
        .filter(operation=operation, organization=actor.organization, status=ParticipantStatus.INVITED)
        .first()
    )
    if seat is None:
        raise ValidationError({"status": [_("This invitation is answered already.")]})
    seat.status = ParticipantStatus.ACCEPTED if accept else ParticipantStatus.DECLINED
    seat.answered = timezone.now()
    seat.answered_by = actor
    seat.save(update_fields=["status", "answered", "answered_by"])
    action = AUDIT_OPERATION_ACCEPTED if accept else AUDIT_OPERATION_DECLINED
    audit(actor, action, operation, ip, actor.organization)
    return seat


@transaction.atomic
def operation_close(*, actor: User, operation: Operation, ip: str | None = None) -> Operation:
    """The lead's coordinators close it: no more tagging; the results stay."""
    operation = _led(actor, operation, _("Only the lead organization's coordinators close the operation."))
    operation.status = OperationStatus.CLOSED
    operation.closed_at = timezone.now()
    operation.closed_by = actor
    operation.save(update_fields=["status", "closed_at", "closed_by"])
    audit(actor, AUDIT_OPERATION_CLOSED, operation, ip, operation.lead)
    return operation


def require_operation_lead(actor: User, operation: Operation) -> None:
    require(actor, OPERATION_COORDINATE)
    refuse_unless(actor, CHANGE, operation, _("Only the lead organization's coordinators manage the operation."))


def require_operation_answerer(actor: User, operation: Operation) -> None:
    require(actor, OPERATION_COORDINATE)
    refuse_unless(actor, ANSWER, operation, _("Your organization has no invitation to answer for this operation."))
