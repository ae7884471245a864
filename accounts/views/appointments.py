"""Appointment pages: a right holder's "Representatives" (appoint a firm, follow its answer, end
it) and a representative's "Clients" (accept or decline what waits, the clients it acts for, end
an appointment). The same services as the API; the rows through the gate (an appointment of
another organization answers 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.gate import object_or_404, scoped
from core.permissions import allowed, require
from core.views import country_names

from .. import selectors
from ..audit import client_ip
from ..forms import AppointmentForm, RepresentativeSearchForm
from ..models import Appointment, AppointmentStatus
from ..permissions import APPOINT_REPRESENTATIVES, APPOINTMENTS_READ
from ..services import appointments as services
from .common import paginate, safe_next


def _side(request) -> str:
    """Which page the person's organization has: 'representatives' (a right holder's) or
    'clients' (a representative's); 403 for anyone with no appointments at all."""
    require(request.user, APPOINTMENTS_READ)
    organization = request.user.organization
    return "clients" if organization is not None and organization.is_representative else "representatives"


def _with_actions(request, appointments) -> None:
    """What each row offers the person: the gate's accept and end rules, asked once for all the
    rows (two queries however many)."""
    rows = list(appointments)
    ids = [appointment.pk for appointment in rows]
    acceptable = set(
        Appointment.objects.restrict(request.user, services.ACCEPT).filter(pk__in=ids).values_list("pk", flat=True)
    )
    endable = set(
        Appointment.objects.restrict(request.user, services.END).filter(pk__in=ids).values_list("pk", flat=True)
    )
    for appointment in rows:
        appointment.countries_shown = (
            _("Every country") if appointment.all_countries else ", ".join(country_names(appointment.country_list))
        )
        appointment.can_accept = appointment.status == AppointmentStatus.REQUESTED and appointment.pk in acceptable
        appointment.can_end = appointment.status != AppointmentStatus.ENDED and appointment.pk in endable


@scoped
def appointments(request):
    """The link of every appointment notification: the person's side's page."""
    return redirect(f"accounts:{_side(request)}")


@scoped
def representatives(request):
    """A right holder's representatives: the appointments it made, and (for its admins) the form
    to appoint one, whose firms a search narrows."""
    if _side(request) != "representatives":
        raise Http404
    can_appoint = allowed(request.user, APPOINT_REPRESENTATIVES)
    search = RepresentativeSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    form = None
    if can_appoint:
        firms = selectors.representatives_to_appoint(query)
        if request.method == "POST":
            form = AppointmentForm(request.POST, representatives=firms)
            if form.is_valid():
                try:
                    services.appointment_create(actor=request.user, ip=client_ip(request), **form.service_data())
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    messages.success(request, _("The representative is asked to accept the appointment."))
                    return redirect("accounts:representatives")
        else:
            form = AppointmentForm(representatives=firms)
    elif request.method == "POST":
        require(request.user, APPOINT_REPRESENTATIVES)
    page = paginate(request, selectors.appointments_for(request.user))
    _with_actions(request, page)
    context = {"page": page, "form": form, "search": search, "can_appoint": can_appoint}
    return render(request, "accounts/appointments/representatives.html", context)


@scoped
def clients(request):
    """A representative's clients: appointments awaiting its acceptance, those in force (with the
    person's own role for each client) and those ended."""
    if _side(request) != "clients":
        raise Http404
    rows = selectors.appointments_for(request.user)
    waiting = list(rows.filter(status=AppointmentStatus.REQUESTED))
    _with_actions(request, waiting)
    roles = {client.appointment_id: client.role for client in selectors.clients_for(request.user)}
    active = list(rows.filter(status=AppointmentStatus.ACTIVE))
    _with_actions(request, active)
    for appointment in active:
        appointment.your_role = roles.get(appointment.pk, "")
    ended = paginate(request, rows.filter(status=AppointmentStatus.ENDED))
    _with_actions(request, ended)
    context = {"waiting": waiting, "active": active, "ended": ended}
    return render(request, "accounts/appointments/clients.html", context)


@scoped
@require_POST
def appointment_action(request, pk, action):
    """Accept or end an appointment from either page, then go back to it."""
    if action not in ("accept", "end"):
        raise Http404
    appointment = object_or_404(request.user, Appointment, pk)
    back = reverse(f"accounts:{_side(request)}")
    try:
        if action == "accept":
            services.appointment_accept(actor=request.user, appointment=appointment, ip=client_ip(request))
            messages.success(request, _("The appointment is accepted."))
        else:
            services.appointment_end(actor=request.user, appointment=appointment, ip=client_ip(request))
            messages.success(request, _("The appointment has ended."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(safe_next(request, back))
