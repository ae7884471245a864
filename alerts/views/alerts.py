"""Alert pages, under /alerts/: the list (officers: the alerts sent to their country; right
holders: their own), an alert's page (with acknowledgements per country for the owner), the
form, and the publish / withdraw / acknowledge buttons."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.audit import client_ip
from brands.views.common import transport_labels
from core.gate import scoped
from core.views import country_names, paginate, posted

from .. import selectors, services
from ..forms import AlertFilterForm, AlertForm
from ..models import Alert, AlertStatus


def _reader(user) -> None:
    if not (user.is_enforcement or user.is_right_holder or user.is_platform_admin):
        raise PermissionDenied


@scoped
@require_safe
def alert_list(request):
    user = request.user
    _reader(user)
    form = AlertFilterForm(request.GET or None)
    if user.is_enforcement:
        del form.fields["status"]  # officers only ever see published alerts
    alerts = selectors.alerts_for(user)
    if form.is_bound:
        alerts = form.filter(alerts)
    page = paginate(request, alerts)
    selectors.decorate_alerts(user, page.object_list)
    context = {"form": form, "page": page, "can_write": services.can_write_alerts(user)}
    return render(request, "alerts/alert_list.html", context)


def _visible(user, pk) -> Alert:
    return get_object_or_404(selectors.alerts_for(user), pk=pk)


@scoped
@require_safe
def alert_detail(request, pk):
    user = request.user
    alert = selectors.decorate_alerts(user, [_visible(user, pk)])[0]
    can_edit = Alert.objects.restrict(user, "change").filter(pk=alert.pk).exists()
    context = {
        "alert": alert,
        "can_edit": can_edit,
        "can_acknowledge": user.is_enforcement and not alert.acknowledged,
        "target_names": list(zip(alert.target_countries, country_names(alert.target_countries), strict=True)),
        "origin_names": country_names(alert.origin_countries),
        "transport_labels": transport_labels(alert.transport_modes),
        "ack_rows": [
            (name, alert.ack_counts.get(code, 0))
            for code, name in zip(alert.target_countries, country_names(alert.target_countries), strict=True)
        ]
        if alert.ack_counts is not None
        else None,
    }
    return render(request, "alerts/alert_detail.html", context)


def _form_page(request, form, alert=None, status=200):
    context = {"form": form, "alert": alert, "brands": form.fields["brand"].queryset}
    return render(request, "alerts/alert_form.html", context, status=status)


@scoped
def alert_create(request):
    user = request.user
    if not services.can_write_alerts(user):
        raise PermissionDenied
    form = AlertForm(*posted(request), user=user, brand=request.GET.get("brand"))
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.alert_create(actor=user, data=form.service_data())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The alert is saved as a draft. Publish it to send it."))
            return redirect("alerts:detail", alert.pk)
    return _form_page(request, form, status=400 if form.is_bound and form.errors else 200)


@scoped
def alert_edit(request, pk):
    user = request.user
    alert = _visible(user, pk)
    if not Alert.objects.restrict(user, "change").filter(pk=alert.pk).exists():
        raise PermissionDenied
    if alert.status != AlertStatus.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("alerts:detail", alert.pk)
    form = AlertForm(*posted(request), user=user, alert=alert)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        data.pop("brand", None)
        try:
            services.alert_update(actor=user, alert=alert, data=data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("alerts:detail", alert.pk)
    return _form_page(request, form, alert, status=400 if form.is_bound and form.errors else 200)


def _action(request, pk, do, done: str):
    alert = _visible(request.user, pk)
    try:
        do(alert)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("alerts:detail", alert.pk)


@scoped
@require_POST
def alert_publish(request, pk):
    return _action(
        request,
        pk,
        lambda alert: services.alert_publish(actor=request.user, alert=alert, ip=client_ip(request)),
        _("The alert is published: the officers of the target countries are told."),
    )


@scoped
@require_POST
def alert_withdraw(request, pk):
    return _action(
        request,
        pk,
        lambda alert: services.alert_withdraw(actor=request.user, alert=alert, ip=client_ip(request)),
        _("The alert is withdrawn."),
    )


@scoped
@require_POST
def alert_acknowledge(request, pk):
    return _action(
        request,
        pk,
        lambda alert: services.alert_acknowledge(actor=request.user, alert=alert),
        _("Acknowledged: the brand owner sees that your administration has the alert."),
    )
