"""Who is told of alert and case events, with what title and link (registered with the
notification pipeline at start-up, from AlertsConfig.ready()).

Recipients are querysets: who should be told, narrowed by ``core.scope.audience`` to the people
the object's own rule lets see it (the same rule as their pages):
- alert.published: every approved officer and coordinator of the (approved) enforcement
  organizations of a targeted kind whose jurisdiction meets the target countries;
- case events toward the brand owner: its members who may answer the case (its approved admins
  and editors: the case's own "answer" rule); toward the officers: the officer who opened the
  case (still in that administration) and its coordinators.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import ENFORCEMENT_KINDS, Role, User
from core.roles import INTERNATIONAL_KINDS
from core.scope import audience, system_selector

from . import events
from .models import Alert, AlertAgency, AlertCountry, Case, Operation
from .services.cases import ANSWER

# Enforcement kinds whose jurisdiction is their organization's country.
NATIONAL_KINDS = ENFORCEMENT_KINDS - INTERNATIONAL_KINDS
CASE_KINDS = ("case.opened", "case.message", "case.answered", "case.deadline_near", "case.overdue")


@system_selector("an alert reaches the officers of its target kinds and countries who may see it (by audience)")
def system_alert_recipients(event) -> QuerySet[User]:
    """The officers and coordinators of the enforcement organizations of a targeted kind whose
    jurisdiction meets the target countries, who may see the alert (its own rule: published,
    valid, targeted at their kind and jurisdiction, brand visible to them). A national agency's
    jurisdiction is its country; an international body's is a list, which the alert's rule
    reads for each body (audience)."""
    alert = Alert.objects.filter(pk=event.data["alert"]).first()
    if alert is None:
        return User.objects.none()
    kinds = AlertAgency.objects.filter(alert_id=alert.pk, kind__in=ENFORCEMENT_KINDS).values("kind")
    countries = AlertCountry.objects.filter(alert_id=alert.pk).values("country")
    national = Q(membership__organization__kind__in=NATIONAL_KINDS, membership__organization__country__in=countries)
    international = Q(membership__organization__kind__in=INTERNATIONAL_KINDS)
    officers = User.objects.filter(
        national | international,
        membership__organization__kind__in=kinds,
        membership__role__in=(Role.OFFICER, Role.COORDINATOR),
    )
    return audience(alert, officers)


@system_selector("the brand owner's members told of a case: those who may answer it (narrowed by audience)")
def system_case_owner_side(case: Case) -> QuerySet[User]:
    return audience(case, User.objects.filter(membership__organization_id=case.owner_id), ANSWER)


@system_selector("the officer who opened a case and the coordinators of that administration (narrowed by audience)")
def system_case_officer_side(case_id: int) -> Q:
    case = Case.objects.filter(pk=case_id).values("organization_id", "opened_by_id").first()
    if case is None:
        return Q(pk__in=[])
    same_administration = Q(membership__organization_id=case["organization_id"])
    return same_administration & (Q(pk=case["opened_by_id"]) | Q(membership__role=Role.COORDINATOR))


@system_selector("the people told of a case event, on the side it is addressed to (narrowed by audience)")
def system_case_recipients(event) -> QuerySet[User]:
    case = Case.objects.filter(pk=event.data["case"]).first()
    if case is None:
        return User.objects.none()
    to = event.data.get("to")
    recipients = User.objects.none()
    if to in (events.TO_OWNER, events.TO_BOTH):
        recipients |= system_case_owner_side(case)
    if to in (events.TO_OFFICERS, events.TO_BOTH):
        recipients |= audience(case, User.objects.filter(system_case_officer_side(case.pk)))
    return recipients.distinct()


def alert_title(event) -> str:
    return _("Alert: %(title)s") % {"title": event.data.get("title", "")}


CASE_TITLES = {
    "case.opened": lambda d: (
        _("New verification request #%(case)s: %(brand)s (%(country)s)")
        if d.get("procedure") == "verification"
        else _("New detention case #%(case)s: %(brand)s (%(country)s)")
    ),
    "case.message": lambda d: _("New message on case #%(case)s (%(brand)s)"),
    "case.answered": lambda d: _("Case #%(case)s answered: %(verdict)s"),
    "case.deadline_near": lambda d: _("Case #%(case)s: the answer is due by %(deadline)s"),
    "case.overdue": lambda d: _("Case #%(case)s is overdue: no answer by %(deadline)s"),
}


def _verdict_label(value: str) -> str:
    from .models import CaseVerdictKind

    labels = dict(CaseVerdictKind.choices)
    return str(labels.get(value, value))


def _kind(event) -> str:
    return getattr(event, "kind", None) or event.type


def _country_name(code: str) -> str:
    from django_countries import countries

    return str(countries.name(code) or code) if code else ""


def _date(value: str) -> str:
    """An ISO date as the reader's language writes it ("14 juillet 2027")."""
    import datetime

    from django.utils.formats import date_format

    try:
        return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return value or ""


def case_title(event) -> str:
    """Evaluated in the recipient's language: the country's name and the date in it."""
    data = event.data
    template = CASE_TITLES[_kind(event)](data)
    return template % {
        "case": data.get("case"),
        "brand": data.get("brand_name", ""),
        "country": _country_name(data.get("country", "")),
        "verdict": _verdict_label(data.get("verdict", "")),
        "deadline": _date(data.get("deadline", "")),
    }


def alert_link(event) -> str:
    return reverse("alerts:detail", args=[event.data["alert"]])


def case_link(event) -> str:
    url = reverse("cases:detail", args=[event.data["case"]])
    return f"{url}#thread" if _kind(event) == "case.message" else url


@system_selector("a deconfliction hit reaches the coordinators of the side's organization (narrowed by audience)")
def system_hit_recipients(event) -> QuerySet[User]:
    """The coordinators of the organization whose case this side of the hit is: they decide
    whether to call the other organization."""
    case = Case.objects.filter(pk=event.data["case"]).first()
    if case is None:
        return User.objects.none()
    coordinators = User.objects.filter(
        membership__organization_id=case.organization_id, membership__role=Role.COORDINATOR
    )
    return audience(case, coordinators, "deconflict")


def hit_title(event) -> str:
    from django_countries import countries

    from core.roles import OrganizationKind

    from .subjects import kind_label

    other = event.data.get("organization") or {}
    return _("Deconfliction: %(organization)s (%(kind)s, %(country)s) has a case on the same %(subject)s") % {
        "organization": other.get("name", ""),
        "kind": dict(OrganizationKind.choices).get(other.get("kind", ""), other.get("kind", "")),
        "country": countries.name(other.get("country", "")) or other.get("country", ""),
        "subject": kind_label(event.data.get("subject_kind", "")).lower(),
    }


def hit_link(event) -> str:
    return reverse("cases:detail", args=[event.data["case"]]) + "#deconfliction"


@system_selector(
    "an invitation to an operation reaches the invited organization's coordinators (narrowed by audience)"
)
def system_invited_recipients(event) -> QuerySet[User]:
    operation = Operation.objects.filter(pk=event.data["operation"]).first()
    if operation is None:
        return User.objects.none()
    coordinators = User.objects.filter(
        membership__organization_id=event.organization_id, membership__role=Role.COORDINATOR
    )
    return audience(operation, coordinators)


def invited_title(event) -> str:
    return _("%(lead)s invites you to the joint operation “%(name)s” (%(starts)s to %(ends)s)") % {
        "lead": event.data.get("lead", ""),
        "name": event.data.get("name", ""),
        "starts": _date(event.data.get("starts", "")),
        "ends": _date(event.data.get("ends", "")),
    }


def invited_link(event) -> str:
    return reverse("operations:detail", args=[event.data["operation"]])


def register() -> None:
    from core.event_types import event_type

    event_type("alert.published", recipients=system_alert_recipients, title=alert_title, link=alert_link)
    for kind in CASE_KINDS:
        event_type(kind, recipients=system_case_recipients, title=case_title, link=case_link)
    event_type("deconfliction.hit", recipients=system_hit_recipients, title=hit_title, link=hit_link, webhooks=False)
    event_type(
        "operation.invited",
        recipients=system_invited_recipients,
        title=invited_title,
        link=invited_link,
        webhooks=False,
    )
