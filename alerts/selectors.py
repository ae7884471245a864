"""Reads of alerts and cases for one person: the scoped querysets with what lists and pages
show, and the per-page extras (acknowledgements), each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet

from accounts.models import User
from core.gate import object_or_404
from core.permissions import allowed
from core.scope import VIEW

from .models import Alert, AlertAcknowledgement, AlertAgency, AlertCountry, Case, CaseVerdict
from .permissions import ALERT_ACKNOWLEDGE, ALERTS_TRACK


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
