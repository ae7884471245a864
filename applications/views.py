"""Application pages, under /applications/: the list of the applications a person sees, "new
application" and the draft's edit form (the holder's admins and editors), and an application's
page with its status and history, where the holder submits and asks for an extension and the
addressed customs coordinators grant or reject.

Who sees an application is `Application.objects.restrict(user, "view")` (404 for anyone else);
who acts on it is the services' checks (403), asked before a form is read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.audit import client_ip
from core.gate import may, object_or_404, scoped
from core.permissions import allowed, require
from core.scope import CHANGE, scope_of
from core.views import paginate, posted

from . import selectors, services
from .forms import ApplicationForm, GrantForm, RejectForm
from .models import DECIDE, Application, ApplicationStatus
from .permissions import APPLICATION_FILE


def _application(user: Any, pk: int) -> Application:
    return object_or_404(user, selectors.applications_for(user), pk)  # type: ignore[no-any-return]


@scoped
@require_safe
def application_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status") or ""
    if status not in ApplicationStatus.values:
        status = ""
    page = paginate(request, selectors.applications_for(user, status=status or None))
    context = {
        "page": page,
        "status": status,
        "statuses": ApplicationStatus.choices,
        "can_file": allowed(user, APPLICATION_FILE),
        "shows_holder": not scope_of(user).is_owner,
    }
    return render(request, "applications/application_list.html", context)


def _form_page(
    request: HttpRequest, form: ApplicationForm, application: Application | None, status: int
) -> HttpResponse:
    context = {"form": form, "application": application}
    return render(request, "applications/application_form.html", context, status=status)


@scoped
def application_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, APPLICATION_FILE)
    form = ApplicationForm(*posted(request), user=user, holder_id=scope_of(user).organization_id)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(actor=user, data=form.service_data(), ip=client_ip(request))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The application is saved as a draft: submit it when it is complete."))
            return redirect("applications:detail", application.pk)
    return _form_page(request, form, None, 400 if form.is_bound and form.errors else 200)


@scoped
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = _application(user, pk)
    services.require_holder_writer(user, application)
    if application.status != ApplicationStatus.DRAFT:
        messages.error(request, _("Only a draft is edited."))
        return redirect("applications:detail", application.pk)
    initial = {
        "country": application.country_code,
        "brands": list(application.brands.all()),
        "products": list(application.products.all()),
        "trademarks": list(application.trademarks.all()),
    }
    form = ApplicationForm(*posted(request), user=user, holder_id=application.right_holder_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                actor=user, application=application, data=form.service_data(), ip=client_ip(request)
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("applications:detail", application.pk)
    return _form_page(request, form, application, 400 if form.is_bound and form.errors else 200)


def _detail(
    request: HttpRequest,
    application: Application,
    *,
    grant_form: Any = None,
    reject_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    writes = may(user, CHANGE, application)
    decides = may(user, DECIDE, application)
    extending = application.status == ApplicationStatus.GRANTED and application.extension_requested
    context = {
        "application": application,
        "history": selectors.application_history(application),
        "can_edit": writes and application.status == ApplicationStatus.DRAFT,
        "can_submit": writes and application.status == ApplicationStatus.DRAFT,
        "can_request_extension": writes
        and application.status == ApplicationStatus.GRANTED
        and not application.extension_requested,
        "can_decide": decides and (application.status == ApplicationStatus.SUBMITTED or extending),
        "extending": extending,
        "grant_form": grant_form or GrantForm(),
        "reject_form": reject_form or RejectForm(),
    }
    return render(request, "applications/application_detail.html", context, status=status)


@scoped
@require_safe
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _application(request.user, pk))


STEPS = ("submit", "request-extension", "grant", "reject")


@scoped
@require_POST
def application_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """The buttons of an application's page: the holder submits and asks for an extension; the
    addressed coordinators grant or reject."""
    if step not in STEPS:
        raise Http404
    user = request.user
    application = _application(user, pk)
    ip = client_ip(request)
    grant_form = reject_form = None
    try:
        if step == "submit":
            services.application_submit(actor=user, application=application, ip=ip)
            messages.success(request, _("The application is submitted to the customs administration."))
        elif step == "request-extension":
            services.application_request_extension(actor=user, application=application, ip=ip)
            messages.success(request, _("The extension is asked for."))
        elif step == "grant":
            services.require_decider(user, application)
            grant_form = GrantForm(request.POST)
            if not grant_form.is_valid():
                return _detail(request, application, grant_form=grant_form, status=400)
            services.application_grant(
                actor=user, application=application, valid_until=grant_form.cleaned_data["valid_until"], ip=ip
            )
            messages.success(request, _("The application is granted."))
        else:
            services.require_decider(user, application)
            reject_form = RejectForm(request.POST)
            if not reject_form.is_valid():
                return _detail(request, application, reject_form=reject_form, status=400)
            services.application_reject(
                actor=user, application=application, reason=reject_form.cleaned_data["reason"], ip=ip
            )
            messages.success(request, _("The decision is recorded."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("applications:detail", application.pk)
