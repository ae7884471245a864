"""Alert pages, under /alerts/: the list (officers: the alerts sent to their kind of agency in
their jurisdiction; right holders: their own), an alert's page (with acknowledgements per
country for the owner), the form, and the publish / withdraw / acknowledge buttons."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from accounts.audit import client_ip
from brands.models import Brand, Product
from brands.views.common import transport_labels
from core.gate import may, scoped
from core.permissions import allowed, require
from core.scope import CHANGE, VIEW
from core.views import country_names, posted

from .. import selectors, services
from ..forms import AlertFilterForm, AlertForm
from ..models import AlertStatus
from ..permissions import ALERT_DRAFT, ALERTS_READ, CASE_OPEN
from .common import list_page, post_on, press


@scoped
@require_safe
def alert_list(request):
    user = request.user
    form, page = list_page(request, ALERTS_READ, AlertFilterForm, selectors.alerts_for, user=user)
    selectors.decorate_alerts(user, page.object_list)
    context = {"form": form, "page": page, "can_write": allowed(user, ALERT_DRAFT)}
    return render(request, "alerts/alert_list.html", context)


@scoped
@require_safe
def alert_detail(request, pk):
    user = request.user
    alert = selectors.decorate_alerts(user, [selectors.alert_for(user, pk)])[0]
    products = list(alert.products.all())
    # What the reader may open of what the alert concerns: the alert may reach officers to whom
    # the brand, or one of its products, is not shown (then named, not linked).
    shown = Product.objects.restrict(user, VIEW).filter(pk__in=[product.pk for product in products])
    visible = set(shown.values_list("pk", flat=True))
    context = {
        "alert": alert,
        "products": [(product, product.pk in visible) for product in products],
        "brand_visible": Brand.objects.restrict(user, VIEW).filter(pk=alert.brand_id).exists(),
        "only_product": products[0] if len(products) == 1 and products[0].pk in visible else None,
        "can_open_case": allowed(user, CASE_OPEN),
        "can_edit": may(user, CHANGE, alert),
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
    require(user, ALERT_DRAFT)
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
    alert = selectors.alert_for(user, pk, CHANGE)
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


def _button(done):
    """The view of a button on an alert's page, made from `service_call(request, alert)`: back to
    the page with `done`, or with the service's refusals."""

    def decorate(service_call):
        def handle(request, alert):
            press(request, lambda: service_call(request, alert), done)
            return redirect("alerts:detail", alert.pk)

        return post_on(selectors.alert_for, functools.wraps(service_call)(handle))

    return decorate


@_button(gettext_lazy("The alert is published: the officers of the target agencies and countries are told."))
def alert_publish(request, alert):
    services.alert_publish(actor=request.user, alert=alert, ip=client_ip(request))


@_button(gettext_lazy("The alert is withdrawn."))
def alert_withdraw(request, alert):
    services.alert_withdraw(actor=request.user, alert=alert, ip=client_ip(request))


@_button(gettext_lazy("Acknowledged: the brand owner sees that your administration has the alert."))
def alert_acknowledge(request, alert):
    services.alert_acknowledge(actor=request.user, alert=alert)
