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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.gate import scoped
from core.permissions import allowed, require

from .. import services
from ..audit import client_ip
from ..forms import AuditFilterForm, MemberActionForm, MemberFilterForm, OrganizationFilterForm, ReasonForm
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


def _service_error(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --------------------------------------------------------------------------- the queue


@scoped
def queue(request):
    """Pending organizations (with their founding member) and people asking to join."""
    require(request.user, PLATFORM_MODERATION)
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
    people_page = paginate(request, people, param="people_page")
    _with_role_choices(people_page)
    context = {
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
    organization = get_object_or_404(
        Organization.objects.annotate(member_count=Count("memberships")).prefetch_related(_founders()), pk=pk
    )
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
    }
    return render(request, "accounts/moderation/organization_detail.html", context)


@scoped
@require_POST
def organization_action(request, pk, action):
    require(request.user, PLATFORM_MODERATION)
    if action not in ORGANIZATION_ACTIONS:
        raise Http404
    service, done = ORGANIZATION_ACTIONS[action]
    organization = get_object_or_404(Organization, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
    else:
        try:
            service(
                actor=request.user,
                organization=organization,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            _service_error(request, error)
        else:
            messages.success(request, done % {"name": organization.name})
    return redirect(safe_next(request, reverse("accounts:organization_detail", args=[organization.pk])))


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
    if action not in MEMBER_ACTIONS:
        raise Http404
    actor = request.user
    person = get_object_or_404(User.objects.restrict(actor, "moderate").with_organization(), pk=pk)
    form = MemberActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect(safe_next(request, reverse("accounts:member_list")))
    reason, role = form.cleaned_data["reason"], form.cleaned_data["role"]
    ip = client_ip(request)
    try:
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
    except ValidationError as error:
        _service_error(request, error)
    else:
        messages.success(request, MEMBER_ACTIONS[action] % {"name": person.full_name or person.email})
    return redirect(safe_next(request, reverse("accounts:member_list")))


# --------------------------------------------------------------------------- audit log


@scoped
def audit_list(request):
    require(request.user, PLATFORM_MODERATION)
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.restrict(request.user, "view").order_by("-created", "-id")
    if form.is_bound:
        entries = form.filter(entries)
    return render(request, "accounts/moderation/audit_list.html", {"form": form, "page": paginate(request, entries)})
