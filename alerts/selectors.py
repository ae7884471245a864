"""Reads of alerts and cases for one person: the scoped querysets with what lists and pages
show, and the per-page extras (acknowledgements), each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet

from accounts.models import User

from .models import Alert, AlertAcknowledgement, AlertCountry, Case, CaseVerdict


def alerts_for(user: User) -> QuerySet[Alert]:
    return (
        Alert.objects.restrict(user, "view")
        .select_related("brand")
        .prefetch_related(
            Prefetch("target_country_rows", queryset=AlertCountry.objects.order_by("country")),
            "products",
        )
        .order_by("-created", "-id")
    )


def sees_acknowledgements(user: User, alert: Alert) -> bool:
    """The brand owner's members and platform admins see the counts per country."""
    if user.is_platform_admin:
        return True
    organization = user.organization
    return bool(organization and organization.is_right_holder and alert.brand.owner_id == organization.pk)


def decorate_alerts(user: User, alerts: Iterable[Alert]) -> list[Alert]:
    """Set `ack_counts` ({country: n} for every target, for those who see them; None otherwise)
    and `acknowledged` (for officers; None otherwise) on each alert. At most two queries."""
    alerts = list(alerts)
    if not alerts:
        return alerts
    counted = [a for a in alerts if sees_acknowledgements(user, a)]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if counted:
        rows = (
            AlertAcknowledgement.objects.filter(alert__in=[a.pk for a in counted])
            .values_list("alert_id", "country")
            .annotate(n=Count("id"))
            .order_by()
        )
        for alert_id, country, n in rows:
            counts[alert_id][country] = n
    mine: set[int] = set()
    if user.is_enforcement:
        mine = set(
            AlertAcknowledgement.objects.filter(user=user, alert__in=[a.pk for a in alerts]).values_list(
                "alert_id", flat=True
            )
        )
    # ack_counts and acknowledged are set for the pages, not fields: the ignores go once Alert
    # declares them (alerts/models.py).
    for alert in alerts:
        if alert in counted:
            alert.ack_counts = {c: counts[alert.pk].get(c, 0) for c in alert.target_countries}  # type: ignore[attr-defined]
        else:
            alert.ack_counts = None  # type: ignore[attr-defined]
        alert.acknowledged = (alert.pk in mine) if user.is_enforcement else None  # type: ignore[attr-defined]
    return alerts


def cases_for(user: User) -> QuerySet[Case]:
    return (
        Case.objects.restrict(user, "view")
        .select_related("organization", "checklist")
        .prefetch_related(Prefetch("verdicts", queryset=CaseVerdict.objects.order_by("-created", "-id")))
        .order_by("-created", "-id")
    )
