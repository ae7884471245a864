"""Reads of alerts and cases for one person: the scoped querysets with what lists and pages
show, and the per-page extras (acknowledgements), each in a fixed number of queries."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Count, DateField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import Country

from accounts.models import Organization, Status, User
from applications.selectors import coverage_until
from brands.models import Brand, Category
from core.gate import object_or_404
from core.permissions import allowed
from core.roles import ENFORCEMENT_KINDS, OrganizationKind, Role
from core.scope import VIEW, scope_of, system_selector, with_access

from .models import (
    Alert,
    AlertAcknowledgement,
    AlertAgency,
    AlertCountry,
    Case,
    CaseSubject,
    CaseVerdict,
    CaseVerdictKind,
    DeconflictionHit,
    Operation,
    OperationParticipant,
    ParticipantStatus,
)
from .permissions import ALERT_ACKNOWLEDGE, ALERTS_TRACK
from .subjects import kind_label


def _alert_rows(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """What an alert's card and page show, fetched with it."""
    return (
        alerts.select_related("brand")
        .prefetch_related(
            Prefetch("target_country_rows", queryset=AlertCountry.objects.order_by("country")),
            Prefetch("target_agency_rows", queryset=AlertAgency.objects.order_by("kind")),
            "products",
        )
        .order_by("-created", "-id")
    )


def alerts_for(user: User) -> QuerySet[Alert]:
    return _alert_rows(Alert.objects.restrict(user, VIEW))


def alert_for(user: User, pk: object, action: str = VIEW) -> Alert:
    """One alert for its page: 404 when `user` does not see it, 403 when they see it and may not
    `action` it."""
    return object_or_404(user, _alert_rows(Alert.objects.all()), pk, action)


def decorate_alerts(user: User, alerts: Iterable[Alert]) -> list[Alert]:
    """Set `ack_counts` ({country: n} for every target, for those who follow them; None
    otherwise) and `acknowledged` (for officers; None otherwise) on each alert. The alerts are
    rows `user` sees (`alerts_for`): a brand owner's members see only their own alerts, so the
    role table answers for every row. At most two queries."""
    alerts = list(alerts)
    if not alerts:
        return alerts
    tracks, acknowledges = allowed(user, ALERTS_TRACK), allowed(user, ALERT_ACKNOWLEDGE)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if tracks:
        rows = (
            AlertAcknowledgement.objects.filter(alert__in=[a.pk for a in alerts])
            .values_list("alert_id", "country")
            .annotate(n=Count("id"))
            .order_by()
        )
        for alert_id, country, n in rows:
            counts[alert_id][country] = n
    mine: set[int] = set()
    if acknowledges:
        mine = set(
            AlertAcknowledgement.objects.filter(user=user, alert__in=[a.pk for a in alerts]).values_list(
                "alert_id", flat=True
            )
        )
    # ack_counts and acknowledged are set for the pages, not fields: the ignores go once Alert
    # declares them (alerts/models.py).
    for alert in alerts:
        alert.ack_counts = (  # type: ignore[attr-defined]
            {c: counts[alert.pk].get(c, 0) for c in alert.target_countries} if tracks else None
        )
        alert.acknowledged = (alert.pk in mine) if acknowledges else None  # type: ignore[attr-defined]
    return alerts


def _case_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a case's card and page show, fetched with it."""
    return (
        cases.select_related("organization", "checklist")
        .prefetch_related(Prefetch("verdicts", queryset=CaseVerdict.objects.order_by("-created", "-id")))
        .order_by("-created", "-id")
    )


def cases_for(user: User) -> QuerySet[Case]:
    return _case_rows(Case.objects.restrict(user, VIEW))


def case_for(user: User, pk: object) -> Case:
    """One case for its page: 404 when `user` does not see it."""
    return object_or_404(user, _case_rows(Case.objects.all()), pk)


# --------------------------------------------------------------------------- coordination


@system_selector("a deconfliction hit names the other organization's coordinators, whom to call (name and e-mail)")
def system_coordinator_contacts(organization_id: int) -> list[dict[str, str]]:
    people = with_access(User.objects.filter(membership__organization_id=organization_id))
    rows = people.filter(membership__role=Role.COORDINATOR).order_by("full_name", "pk")
    return [{"name": name, "email": email} for name, email in rows.values_list("full_name", "email")[:20]]


@dataclass(frozen=True)
class HitCard:
    """What one side of a deconfliction hit reads: never the other case's content."""

    id: int
    subject_kind: str
    organization: dict[str, str]
    contact: list[dict[str, str]]
    since: datetime.datetime
    in_contact: bool

    @property
    def subject_kind_label(self) -> str:
        return kind_label(self.subject_kind)

    @property
    def organization_kind_label(self) -> str:
        return str(dict(OrganizationKind.choices).get(self.organization["kind"], self.organization["kind"]))


@system_selector("a case's deconfliction hits name the other case's organization and coordinators, not its content")
def system_hit_cards(case_ids: Iterable[int]) -> dict[int, list[HitCard]]:
    """{case id: its hits as cards}, in three queries whatever the number of cases. The caller
    has checked that the reader may see these cases' hits (the case's `deconflict` rule)."""
    ids = set(case_ids)
    cards: dict[int, list[HitCard]] = {pk: [] for pk in ids}
    if not ids:
        return cards
    hits = list(DeconflictionHit.objects.filter(Q(first_id__in=ids) | Q(second_id__in=ids)).order_by("-found", "-id"))
    pairs = [(pk, hit) for hit in hits for pk in (hit.first_id, hit.second_id) if pk in ids]
    other_ids = {hit.other_case_id(pk) for pk, hit in pairs}
    organizations = dict(Case.objects.filter(pk__in=other_ids).values_list("pk", "organization_id"))
    orgs = Organization.objects.in_bulk(set(organizations.values()))
    contacts: dict[int, list[dict[str, str]]] = defaultdict(list)
    coordinators = with_access(
        User.objects.filter(membership__organization_id__in=orgs, membership__role=Role.COORDINATOR)
    ).order_by("full_name", "pk")
    for organization_id, name, email in coordinators.values_list("membership__organization_id", "full_name", "email"):
        contacts[organization_id].append({"name": name, "email": email})
    for pk, hit in pairs:
        org = orgs.get(organizations.get(hit.other_case_id(pk), -1))
        if org is None:
            continue
        cards[pk].append(
            HitCard(
                id=hit.pk,
                subject_kind=hit.subject_kind,
                organization={"name": org.name, "kind": org.kind, "country": cast(Country, org.country).code},
                contact=contacts[org.pk][:20],
                since=hit.found,
                in_contact=hit.in_contact_at is not None,
            )
        )
    return cards


def decorate_cases(user: User, cases: Iterable[Case]) -> list[Case]:
    """Set `visible_subjects` (the subjects, or None when `user` may not read them) and `hits`
    (the deconfliction cards, or None) on each case: one query for who may read what, one for
    the subjects, and the hits' (system_hit_cards)."""
    cases = list(cases)
    ids = [case.pk for case in cases]
    if not ids:
        return cases
    # Who may read what, asked of both rules in one query; for customs readers, whether a granted
    # application for action covers the brand (its latest valid_until, applications.selectors).
    covered = coverage_until(user)
    flags = (
        Case.objects.restrict(user, VIEW)
        .filter(pk__in=ids)
        .annotate(
            reads_subjects=Exists(Case.objects.restrict(user, "subjects").filter(pk=OuterRef("pk"))),
            reads_hits=Exists(Case.objects.restrict(user, "deconflict").filter(pk=OuterRef("pk"))),
            covered_until=covered if covered is not None else Value(None, output_field=DateField()),
        )
    )
    readable: set[int] = set()
    deconflicts: set[int] = set()
    coverage: dict[int, dict[str, Any]] = {}
    for pk, reads_subjects, reads_hits, until in flags.values_list(
        "pk", "reads_subjects", "reads_hits", "covered_until"
    ):
        if reads_subjects:
            readable.add(pk)
        if reads_hits:
            deconflicts.add(pk)
        if covered is not None:
            coverage[pk] = {"granted": until is not None, "valid_until": until}
    subjects: dict[int, list[CaseSubject]] = defaultdict(list)
    for subject in CaseSubject.objects.filter(case_id__in=readable).order_by("position", "id"):
        subjects[subject.case_id].append(subject)
    cards = system_hit_cards(deconflicts) if deconflicts else {}
    for case in cases:
        case.visible_subjects = subjects[case.pk] if case.pk in readable else None  # type: ignore[attr-defined]
        case.hits = cards.get(case.pk) if case.pk in deconflicts else None  # type: ignore[attr-defined]
        case.application_for_action = coverage.get(case.pk)  # type: ignore[attr-defined]
    return cases


def _operation_rows(user: User, operations: QuerySet[Operation]) -> QuerySet[Operation]:
    """An operation with its participants and the focus brands `user` may see (the others stay
    unnamed: the lead may focus on a brand not shared with every participant)."""
    return operations.select_related("lead").prefetch_related(
        Prefetch("participants", queryset=OperationParticipant.objects.select_related("organization")),
        Prefetch("brands", queryset=Brand.objects.restrict(user, VIEW).order_by("name")),
    )


def operations_for(user: User) -> QuerySet[Operation]:
    return _operation_rows(user, Operation.objects.restrict(user, VIEW)).order_by("-starts", "-id")


def operation_for(user: User, pk: object, action: str = VIEW) -> Operation:
    """One operation for its page: 404 when `user` does not see it, 403 when they see it and may
    not `action` it."""
    return object_or_404(user, _operation_rows(user, Operation.objects.all()), pk, action)


def operation_seat(user: User, operation: Operation) -> OperationParticipant | None:
    """The reader's organization's place in the operation (prefetched participants)."""
    for seat in operation.participants.all():
        if seat.organization_id == scope_of(user).organization_id:
            return seat
    return None


# How much of an operation a reader reads (DESIGN.md, "Joint operations").
READS_ALL = "all"  # a participant
READS_INVITATION = "invitation"  # an invited organization's coordinators, until they answer: name, dates, lead
READS_BRIEF = "brief"  # a right holder whose brands it tagged: name and dates (and its brands' results)


def operation_reading(
    user: User, operation: Operation, seat: OperationParticipant | None = None
) -> tuple[str, OperationParticipant | None]:
    """(how much of `operation` `user` reads, their organization's seat in it). `seat` stands for
    the prefetched one when given (an answer just given)."""
    if scope_of(user).is_owner:
        return READS_BRIEF, None
    seat = seat or operation_seat(user, operation)
    if seat is not None and seat.status != ParticipantStatus.ACCEPTED:
        return READS_INVITATION, seat
    return READS_ALL, seat


def taggable_operations(user: User, on: datetime.date | None = None) -> QuerySet[Operation]:
    """The open operations `user`'s organization takes part in (covering `on` when given)."""
    rows = Operation.objects.restrict(user, "tag")
    if on is not None:
        rows = rows.filter(starts__lte=on, ends__gte=on)
    return rows.order_by("-starts", "-id")


@system_selector("an operation's lead searches every approved enforcement organization to invite one")
def system_invitable_organizations(operation: Operation, query: str = "", limit: int = 50) -> list[Organization]:
    """Approved enforcement organizations of any kind and country not yet invited (or that
    declined), matching `query` in the name or the country code."""
    seated = OperationParticipant.objects.filter(
        operation=operation,
        organization=OuterRef("pk"),
        status__in=[ParticipantStatus.INVITED, ParticipantStatus.ACCEPTED],
    )
    rows = Organization.objects.filter(~Exists(seated), status=Status.APPROVED, kind__in=ENFORCEMENT_KINDS)
    query = query.strip()
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(country__iexact=query))
    return list(rows.order_by("name", "pk")[:limit])


@dataclass
class OperationResults:
    """Counts of an operation's tagged cases, never a case record. Brands the reader may not see
    are summed as `other`; a right holder's results hold its own brands' cases only."""

    cases: int = 0
    quantity: int = 0
    by_country: list[dict[str, Any]] = field(default_factory=list)
    by_agency: list[dict[str, Any]] = field(default_factory=list)
    by_category: list[dict[str, Any]] = field(default_factory=list)
    by_brand: list[dict[str, Any]] = field(default_factory=list)
    verdicts: dict[str, int] = field(default_factory=dict)
    over_time: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


NO_VERDICT = "unanswered"
NO_CATEGORY = "unknown"
OTHER_BRANDS = "other"


def _breakdown(totals: dict[Any, list[int]], key: str) -> list[dict[str, Any]]:
    rows = [{key: k, "cases": v[0], "quantity": v[1]} for k, v in totals.items()]
    return sorted(rows, key=lambda row: (-row["cases"], str(row[key])))


@system_selector("an operation's results count every participant's tagged cases (counts only, brands narrowed)")
def system_operation_results(user: User, operation: Operation) -> OperationResults:
    """The totals of the cases tagged with `operation`, for `user` (who may read its results:
    the caller checked). One grouped query and one for the brands' visibility."""
    scope = scope_of(user)
    cases = Case.objects.filter(operation=operation)
    if scope.is_owner:
        cases = cases.filter(owner_id=scope.organization_id)
    latest = CaseVerdict.objects.filter(case=OuterRef("pk")).order_by("-created", "-id").values("verdict")[:1]
    rows = list(
        cases.annotate(last_verdict=Subquery(latest), week=TruncWeek("created"))
        .values("country", "organization__kind", "product__category", "brand_id", "brand_name", "last_verdict", "week")
        .annotate(n=Count("id"), q=Sum("quantity"))
        .order_by()
    )
    brand_ids = {row["brand_id"] for row in rows if row["brand_id"]}
    visible = set(Brand.objects.restrict(scope, VIEW).filter(pk__in=brand_ids).values_list("pk", flat=True))
    results = OperationResults(verdicts=dict.fromkeys((*CaseVerdictKind.values, NO_VERDICT), 0))
    by: dict[str, dict[Any, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    brand_names: dict[Any, str] = {}
    weeks: dict[datetime.date, int] = defaultdict(int)
    for row in rows:
        n, q = row["n"], row["q"] or 0
        results.cases += n
        results.quantity += q
        brand = row["brand_id"] if row["brand_id"] in visible else OTHER_BRANDS
        brand_names[brand] = row["brand_name"] if brand != OTHER_BRANDS else OTHER_BRANDS
        for axis, key in (
            ("country", row["country"]),
            ("kind", row["organization__kind"]),
            ("category", row["product__category"] or NO_CATEGORY),
            ("brand", brand),
        ):
            by[axis][key][0] += n
            by[axis][key][1] += q
        results.verdicts[row["last_verdict"] or NO_VERDICT] += n
        week = row["week"]
        weeks[week.date() if isinstance(week, datetime.datetime) else week] += n
    results.by_country = _breakdown(by["country"], "country")
    results.by_agency = _breakdown(by["kind"], "kind")
    results.by_category = _breakdown(by["category"], "category")
    results.by_brand = [
        {
            "brand": None if row["brand"] == OTHER_BRANDS else row["brand"],
            "name": brand_names[row["brand"]],
            "cases": row["cases"],
            "quantity": row["quantity"],
        }
        for row in _breakdown(by["brand"], "brand")
    ]
    results.by_brand.sort(key=lambda row: row["brand"] is None)  # other brands last, whatever their count
    results.over_time = [{"week": week.isoformat(), "cases": n} for week, n in sorted(weeks.items()) if week]
    return results


RESULTS_CSV_HEADER = ["dimension", "key", "name", "cases", "quantity"]


def category_label(value: str) -> str:
    if value == NO_CATEGORY:
        return _("Category not known")
    return str(dict(Category.choices).get(value, value))


def _verdict_label(value: str) -> str:
    if value == NO_VERDICT:
        return _("No answer yet")
    return str(dict(CaseVerdictKind.choices).get(value, value))


def results_tables(results: OperationResults) -> dict[str, list[dict[str, Any]]]:
    """The breakdowns as rows of {key, name, cases, quantity}, named in the reader's language
    (countries, agency kinds, categories, brands: `other` is "Other brands"; verdicts)."""

    def counts(row: dict[str, Any]) -> dict[str, Any]:
        return {"cases": row["cases"], "quantity": row["quantity"]}

    kinds = dict(OrganizationKind.choices)
    return {
        "by_country": [
            {"key": row["country"], "name": countries.name(row["country"]) or row["country"], **counts(row)}
            for row in results.by_country
        ],
        "by_agency": [
            {"key": row["kind"], "name": str(kinds.get(row["kind"], row["kind"])), **counts(row)}
            for row in results.by_agency
        ],
        "by_category": [
            {"key": row["category"], "name": category_label(row["category"]), **counts(row)}
            for row in results.by_category
        ],
        "by_brand": [
            {
                "key": row["brand"] if row["brand"] is not None else OTHER_BRANDS,
                "name": row["name"] if row["brand"] is not None else _("Other brands"),
                **counts(row),
            }
            for row in results.by_brand
        ],
        "verdicts": [
            {"key": key, "name": _verdict_label(key), "cases": n, "quantity": ""}
            for key, n in results.verdicts.items()
        ],
    }


def results_csv_rows(results: OperationResults) -> Iterator[list[Any]]:
    """The results as lines of RESULTS_CSV_HEADER: the total, each breakdown's rows (country,
    agency, category, brand), the verdicts and the weeks (no quantity: they count cases). The
    page's export and the API's `?format=csv` are this file."""
    tables = results_tables(results)
    yield ["total", "", _("All tagged cases"), results.cases, results.quantity]
    for dimension, key in (
        ("country", "by_country"),
        ("agency", "by_agency"),
        ("category", "by_category"),
        ("brand", "by_brand"),
        ("verdict", "verdicts"),
    ):
        for row in tables[key]:
            yield [dimension, row["key"], row["name"], row["cases"], row["quantity"]]
    for row in results.over_time:
        yield ["week", row["week"], row["week"], row["cases"], ""]
