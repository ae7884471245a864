"""Moderation pages: the platform's queue, organizations, people and the audit log.

The same services as the API. Who may open a page is the role table's (accounts/permissions.py):
the queue, organizations and the audit log are for platform admins (403 for anyone else), the
people pages for member managers. Which people they reach is the gate's,
`User.objects.restrict(actor, "moderate")`, so somebody outside the actor's reach answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.gate import scoped
from core.permissions import allowed, require
from core.views import country_names

from .. import services
from ..audit import client_ip
from ..forms import (
    AuditFilterForm,
    JurisdictionForm,
    KindFilterForm,
    MemberActionForm,
    MemberFilterForm,
    OrganizationFilterForm,
    ReasonForm,
)
from ..models import ROLES_BY_KIND, AuditEntry, Membership, Organization, Status, User
from ..permissions import MEMBER_MANAGEMENT, PLATFORM_MODERATION
from .common import paginate, safe_next

ORGANIZATION_ACTIONS = {
    "approve": (services.organization_approve, gettext_lazy("%(name)s is approved.")),
    "reject": (services.organization_reject, gettext_lazy("%(name)s is rejected.")),
    "suspend": (services.organization_suspend, gettext_lazy("%(name)s is suspended.")),
    "reinstate": (services.organization_reinstate, gettext_lazy("%(name)s is reinstated.")),
}

MEMBER_ACTIONS = {
    "approve": gettext_lazy("%(name)s is approved."),
    "reject": gettext_lazy("%(name)s is rejected."),
    "role": gettext_lazy("%(name)s's role is changed."),
    "suspend": gettext_lazy("%(name)s is suspended."),
    "reinstate": gettext_lazy("%(name)s is reinstated."),
    "remove": gettext_lazy("%(name)s is removed from the organization."),
}


def _founders():
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(is_founder=True).select_related("user"),
        to_attr="founders",
    )


def _with_role_choices(people) -> None:
    """Attach to each person the roles their organization's kind allows, for the role select."""
    for person in people:
        organization = person.organization
        roles = ROLES_BY_KIND.get(organization.kind, ()) if organization else ()
        person.role_choices = [(role.value, role.label) for role in roles]


def _known(actions: dict, action: str):
    """What the page does for `action`: 404 for an action it does not know."""
    if action not in actions:
        raise Http404
    return actions[action]


def _posted_action(request, form, act, done: str, back: str):
    """Carry out a moderation action posted from a page (`act(cleaned_data)` calls the service),
    then go back to `back` (or a safe `next`): the form's or the service's refusal is shown
    there, or `done`."""
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    else:
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
    return redirect(safe_next(request, back))


# --------------------------------------------------------------------------- the queue


@scoped
def queue(request):
    """Pending organizations (with their founding member) and people asking to join, of one
    kind of organization if the filter names one (?kind=)."""
    require(request.user, PLATFORM_MODERATION)
    form = KindFilterForm(request.GET or None)
    organizations = (
        Organization.objects.filter(status=Status.PENDING)
        .annotate(member_count=Count("memberships"))
        .prefetch_related(_founders())
        .order_by("created", "id")
    )
    # Founders of a pending organization are decided with it; list the others.
    people = (
        User.objects.restrict(request.user, "moderate")
        .filter(status=Status.PENDING)
        .exclude(membership__is_founder=True, membership__organization__status=Status.PENDING)
        .with_organization()
        .order_by("date_joined", "id")
    )
    if form.is_bound:
        organizations = form.filter(organizations)
        people = form.filter(people, "membership__organization__kind")
    people_page = paginate(request, people, param="people_page")
    _with_role_choices(people_page)
    context = {
        "form": form,
        "organizations": paginate(request, organizations, param="organizations_page"),
        "people": people_page,
    }
    return render(request, "accounts/moderation/queue.html", context)


# --------------------------------------------------------------------------- organizations


@scoped
def organization_list(request):
    require(request.user, PLATFORM_MODERATION)
    form = OrganizationFilterForm(request.GET or None)
    organizations = Organization.objects.annotate(member_count=Count("memberships")).order_by("-created", "-id")
    if form.is_bound:
        organizations = form.filter(organizations)
    context = {"form": form, "page": paginate(request, organizations)}
    return render(request, "accounts/moderation/organization_list.html", context)


@scoped
def organization_detail(request, pk):
    require(request.user, PLATFORM_MODERATION)
    return _organization_page(request, pk)


def _organization_page(request, pk, *, jurisdiction_form=None, status=200):
    organization = get_object_or_404(
        Organization.objects.annotate(member_count=Count("memberships")).prefetch_related(_founders()), pk=pk
    )
    if jurisdiction_form is None and organization.is_international:
        jurisdiction_form = JurisdictionForm(initial={"countries": ", ".join(organization.jurisdiction_countries)})
    members = (
        User.objects.restrict(request.user, "moderate")
        .filter(membership__organization=organization)
        .with_organization()
        .order_by("-date_joined", "-id")[:25]
    )
    history = AuditEntry.objects.restrict(request.user, "view").filter(organization=organization)
    context = {
        "organization": organization,
        "members": members,
        "history": history.order_by("-created", "-id")[:10],
        "reason_form": ReasonForm(),
        "jurisdiction_names": country_names(organization.jurisdiction_countries),
        "jurisdiction_form": jurisdiction_form,
    }
    return render(request, "accounts/moderation/organization_detail.html", context, status=status)


@scoped
@require_POST
def organization_jurisdiction(request, pk):
    """Set the countries an international body covers; the form comes back with the refusal."""
    require(request.user, PLATFORM_MODERATION)
    organization = get_object_or_404(Organization, pk=pk)
    form = JurisdictionForm(request.POST)
    if form.is_valid():
        try:
            organization = services.organization_set_jurisdiction(
                actor=request.user,
                organization=organization,
                countries=form.cleaned_data["countries"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            add_service_errors(form, error, {"jurisdiction": "countries"})
        else:
            covered = ", ".join(organization.jurisdiction_countries)
            messages.success(
                request, _("%(name)s now covers %(countries)s.") % {"name": organization.name, "countries": covered}
            )
            return redirect("accounts:organization_detail", organization.pk)
    return _organization_page(request, organization.pk, jurisdiction_form=form, status=400)


@scoped
@require_POST
def organization_action(request, pk, action):
    require(request.user, PLATFORM_MODERATION)
    service, done = _known(ORGANIZATION_ACTIONS, action)
    organization = get_object_or_404(Organization, pk=pk)

    def act(data):
        service(actor=request.user, organization=organization, reason=data["reason"], ip=client_ip(request))

    back = reverse("accounts:organization_detail", args=[organization.pk])
    return _posted_action(request, ReasonForm(request.POST), act, done % {"name": organization.name}, back)


# --------------------------------------------------------------------------- people


@scoped
def member_list(request):
    """Platform admins: everyone, filterable by organization. An organization's admin or
    coordinator: their own organization's people."""
    require(request.user, MEMBER_MANAGEMENT)
    actor = request.user
    moderates_platform = allowed(actor, PLATFORM_MODERATION)
    form = MemberFilterForm(request.GET or None, with_organization=moderates_platform)
    people = User.objects.restrict(actor, "moderate").with_organization().order_by("-date_joined", "-id")
    if form.is_bound:
        people = form.filter(people)
    page = paginate(request, people)
    _with_role_choices(page)
    context = {
        "form": form,
        "page": page,
        "organization": None if moderates_platform else actor.organization,
    }
    return render(request, "accounts/moderation/member_list.html", context)


@scoped
@require_POST
def member_action(request, pk, action):
    require(request.user, MEMBER_MANAGEMENT)
    done = _known(MEMBER_ACTIONS, action)
    actor = request.user
    person = get_object_or_404(User.objects.restrict(actor, "moderate").with_organization(), pk=pk)

    def act(data):
        reason, role, ip = data["reason"], data["role"], client_ip(request)
        if action == "approve":
            services.user_approve(actor=actor, user=person, role=role or None, reason=reason, ip=ip)
        elif action == "reject":
            services.user_reject(actor=actor, user=person, reason=reason, ip=ip)
        elif action == "role":
            services.member_set_role(actor=actor, user=person, role=role, reason=reason, ip=ip)
        elif action == "suspend":
            services.user_suspend(actor=actor, user=person, reason=reason, ip=ip)
        elif action == "reinstate":
            services.user_reinstate(actor=actor, user=person, reason=reason, ip=ip)
        else:
            services.member_remove(actor=actor, user=person, reason=reason, ip=ip)

    name = person.full_name or person.email
    return _posted_action(
        request, MemberActionForm(request.POST), act, done % {"name": name}, reverse("accounts:member_list")
    )


# --------------------------------------------------------------------------- audit log


@scoped
def audit_list(request):
    require(request.user, PLATFORM_MODERATION)
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.restrict(request.user, "view").order_by("-created", "-id")
    if form.is_bound:
        entries = form.filter(entries)
    return render(request, "accounts/moderation/audit_list.html", {"form": form, "page": paginate(request, entries)})
