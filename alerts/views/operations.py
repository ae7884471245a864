"""Joint operation pages, under /operations/: the list of the operations a person sees (with the
invitations a coordinator answers), "new operation", an operation's page (the lead's coordinators
edit, invite and close it; an invited organization's coordinators accept or decline), and its
results: counts, never another organization's case records, as tables, a chart drawn here as SVG
and a CSV file.

Who sees an operation is `Operation.objects.restrict(user, "view")` (404 for anyone else); who
reads its results is the `results` rule (403 for someone who sees it and may not); who acts on
it is the services' checks, asked before a form is read."""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.audit import client_ip
from core.gate import may, scoped
from core.permissions import allowed, require
from core.scope import CHANGE, scope_of
from core.views import paginate, posted
from jobs.writers import stream_csv

from .. import selectors, services
from ..forms import OperationForm, id_or_none
from ..models import Operation, OperationStatus, ParticipantStatus
from ..permissions import OPERATION_COORDINATE, OPERATIONS_READ
from .common import post_on, press

RESULTS = "results"
ANSWER = "answer"
# The longest search an invitation box takes.
MAX_QUERY = 100


def _invitation(user, operation: Operation) -> tuple[Any, bool]:
    """The reader's organization's seat in the operation, and whether the reader answers its
    invitation now (a coordinator of an organization invited to an open operation)."""
    seat = selectors.operation_seat(user, operation)
    answers = (
        seat is not None
        and seat.status == ParticipantStatus.INVITED
        and operation.status == OperationStatus.OPEN
        and allowed(user, OPERATION_COORDINATE)
    )
    return seat, answers


@scoped
@require_safe
def operation_list(request):
    user = request.user
    require(user, OPERATIONS_READ)
    page = paginate(request, selectors.operations_for(user))
    for operation in page.object_list:
        operation.seat, operation.answers = _invitation(user, operation)
    context = {
        "page": page,
        "can_create": allowed(user, OPERATION_COORDINATE),
        # Participants and the platform read the lead; a right holder reads names and dates.
        "shows_lead": not scope_of(user).is_owner,
    }
    return render(request, "operations/operation_list.html", context)


def _form_page(request, form, operation=None, status=200):
    return render(request, "operations/operation_form.html", {"form": form, "operation": operation}, status=status)


@scoped
def operation_create(request):
    user = request.user
    require(user, OPERATION_COORDINATE)
    form = OperationForm(*posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.operation_create(actor=user, data=form.service_data(), ip=client_ip(request))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The operation is created: invite the organizations taking part."))
            return redirect("operations:detail", operation.pk)
    return _form_page(request, form, status=400 if form.is_bound and form.errors else 200)


@scoped
def operation_edit(request, pk):
    user = request.user
    operation = selectors.operation_for(user, pk)
    services.require_operation_lead(user, operation)
    if operation.status == OperationStatus.CLOSED:
        messages.error(request, _("This operation is closed."))
        return redirect("operations:detail", operation.pk)
    form = OperationForm(*posted(request), user=user, operation=operation)
    if request.method == "POST" and form.is_valid():
        try:
            services.operation_update(actor=user, operation=operation, data=form.service_data(), ip=client_ip(request))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The operation is saved."))
            return redirect("operations:detail", operation.pk)
    return _form_page(request, form, operation, status=400 if form.is_bound and form.errors else 200)


@scoped
@require_safe
def operation_detail(request, pk):
    user = request.user
    require(user, OPERATIONS_READ)
    operation = selectors.operation_for(user, pk)
    seat, answers = _invitation(user, operation)
    reading, _seat = selectors.operation_reading(user, operation, seat)
    details = reading == selectors.READS_ALL
    manages = (
        operation.status == OperationStatus.OPEN
        and allowed(user, OPERATION_COORDINATE)
        and may(user, CHANGE, operation)
    )
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    context = {
        "operation": operation,
        "seat": seat,
        "answers": answers,
        "details": details,
        "shows_lead": reading != selectors.READS_BRIEF,
        "manages": manages,
        "reads_results": may(user, RESULTS, operation),
        "categories": [selectors.category_label(c) for c in operation.categories] if details else [],
        "participants": [
            {
                "organization": p.organization,
                "kind": p.organization.get_kind_display(),
                "status": p.get_status_display(),
                "status_value": p.status,
            }
            for p in operation.participants.all()
        ]
        if details
        else [],
        "query": query,
        "invitable": selectors.system_invitable_organizations(operation, query) if manages else None,
    }
    return render(request, "operations/operation_detail.html", context)


def _back(operation: Operation, anchor: str = ""):
    return redirect(reverse("operations:detail", args=[operation.pk]) + anchor)


@scoped
def operation_close(request, pk):
    """GET: the confirmation page; POST: the operation is closed (no more tagging; the results
    stay)."""
    user = request.user
    operation = selectors.operation_for(user, pk)
    services.require_operation_lead(user, operation)
    if request.method == "POST":
        press(
            request,
            lambda: services.operation_close(actor=user, operation=operation, ip=client_ip(request)),
            _("The operation is closed."),
        )
        return _back(operation)
    if operation.status == OperationStatus.CLOSED:
        messages.error(request, _("This operation is closed."))
        return _back(operation)
    return render(request, "operations/operation_close.html", {"operation": operation})


def _invite(request, operation):
    services.require_operation_lead(request.user, operation)
    organization = id_or_none(request.POST.get("organization"))
    press(
        request,
        lambda: services.operation_invite(
            actor=request.user, operation=operation, organization=organization or "", ip=client_ip(request)
        ),
        _("The organization is invited: its coordinators are told."),
    )
    return _back(operation, "#invite")


def _accept(request, operation):
    services.require_operation_answerer(request.user, operation)
    press(
        request,
        lambda: services.operation_answer(actor=request.user, operation=operation, accept=True, ip=client_ip(request)),
        _("Your organization takes part in the operation."),
    )
    return _back(operation)


def _decline(request, operation):
    services.require_operation_answerer(request.user, operation)
    press(
        request,
        lambda: services.operation_answer(
            actor=request.user, operation=operation, accept=False, ip=client_ip(request)
        ),
        _("Your organization declined the operation."),
    )
    # A declined operation is no longer the organization's to see.
    return redirect("operations:list")


operation_invite = post_on(selectors.operation_for, _invite)
operation_accept = post_on(selectors.operation_for, _accept)
operation_decline = post_on(selectors.operation_for, _decline)


# --------------------------------------------------------------------------- results

CHART_WIDTH = 640
CHART_HEIGHT = 240
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 44, 12, 12, 36
MAX_X_LABELS = 8
MAX_BAR_WIDTH = 48.0


def _nice_ceiling(value: int) -> int:
    """The axis' top: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 1:
        return 1
    power = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # not reached


def _weeks(over_time: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every week from the first to the last with a case, those without any counted 0."""
    if not over_time:
        return []
    counts = {datetime.date.fromisoformat(row["week"]): row["cases"] for row in over_time}
    week, last = min(counts), max(counts)
    weeks = []
    while week <= last:
        weeks.append({"week": week, "cases": counts.get(week, 0)})
        week += datetime.timedelta(days=7)
    return weeks


def _chart(over_time: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A bar chart of cases per week, its geometry computed here for the template's SVG."""
    weeks = _weeks(over_time)
    if not weeks:
        return None
    top = _nice_ceiling(max(row["cases"] for row in weeks))
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = plot_width / len(weeks)
    bar_width = min(max(slot * 0.7, 1.0), MAX_BAR_WIDTH)
    every = max(1, math.ceil(len(weeks) / MAX_X_LABELS))
    bars = []
    for index, row in enumerate(weeks):
        height = row["cases"] / top * plot_height
        x = CHART_LEFT + index * slot
        bars.append(
            {
                "week": row["week"],
                "cases": row["cases"],
                "x": round(x + (slot - bar_width) / 2, 1),
                "y": round(CHART_TOP + plot_height - height, 1),
                "width": round(bar_width, 1),
                "height": round(height, 1),
                "label_x": round(x + slot / 2, 1),
                "labelled": index % every == 0,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "top": CHART_TOP,
        "baseline": CHART_TOP + plot_height,
        "label_y": CHART_TOP + plot_height + 20,
        "max": top,
        "bars": bars,
    }


def _results(request, pk, *, as_csv: bool):
    """The totals of the cases tagged with the operation (the reader's brands only for a right
    holder): the page, or the CSV file."""
    user = request.user
    require(user, OPERATIONS_READ)
    operation = selectors.operation_for(user, pk, RESULTS)
    results = selectors.system_operation_results(user, operation)
    if as_csv:
        rows = selectors.results_csv_rows(results)
        return stream_csv(rows, selectors.RESULTS_CSV_HEADER, filename=f"operation-{operation.pk}-results.csv")
    context = {
        "operation": operation,
        "results": results,
        "chart": _chart(results.over_time),
        # A right holder's results hold its own brands only: no "other brands" to explain.
        "own_brands_only": scope_of(user).is_owner,
        **selectors.results_tables(results),
    }
    return render(request, "operations/operation_results.html", context)


@scoped
@require_safe
def operation_results(request, pk):
    """The results page; `?format=csv` is the file too."""
    return _results(request, pk, as_csv=request.GET.get("format") == "csv")


@scoped
@require_safe
def operation_results_csv(request, pk):
    return _results(request, pk, as_csv=True)
