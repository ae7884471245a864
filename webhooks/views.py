"""The webhooks page of a right holder's admins (under their account pages): the endpoints,
adding one (its secret shown once), deleting, sending a test event, re-enabling, and each
endpoint's recent deliveries. The same services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.audit import client_ip
from core.gate import scoped
from core.permissions import require

from . import selectors, services
from .forms import EndpointForm
from .models import WebhookDelivery
from .permissions import WEBHOOKS_MANAGE

RECENT_DELIVERIES = 10


def _page(request, *, form=None, new_endpoint=None, status=200):
    endpoints = list(selectors.endpoints_for(request.user))
    recent: dict[int, list[WebhookDelivery]] = {endpoint.pk: [] for endpoint in endpoints}
    if endpoints:
        # The latest deliveries of every endpoint in one query (a window over each endpoint).
        from django.db.models import F, Window
        from django.db.models.functions import RowNumber

        ranked = (
            WebhookDelivery.objects.filter(endpoint_id__in=recent)
            .select_related("event")
            .annotate(rank=Window(RowNumber(), partition_by=[F("endpoint_id")], order_by=[F("created").desc()]))
            .order_by("endpoint_id", "rank")
        )
        for delivery in ranked:
            if delivery.rank <= RECENT_DELIVERIES:
                recent[delivery.endpoint_id].append(delivery)
    for endpoint in endpoints:
        endpoint.recent = recent[endpoint.pk]
    context = {"endpoints": endpoints, "form": form or EndpointForm(), "new_endpoint": new_endpoint}
    return render(request, "webhooks/list.html", context, status=status)


@never_cache  # the answer to a create carries the secret
@scoped
def endpoint_list(request):
    require(request.user, WEBHOOKS_MANAGE)
    if request.method != "POST":
        return _page(request)
    form = EndpointForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        endpoint = services.endpoint_create(
            actor=request.user,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data["description"],
            ip=client_ip(request),
        )
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        return _page(request, form=form, status=400)
    return _page(request, new_endpoint=endpoint)


def _endpoint(request, pk: int):
    require(request.user, WEBHOOKS_MANAGE)
    return get_object_or_404(selectors.endpoints_for(request.user), pk=pk)


def _back_to_list(request, message: str):
    """After an action on one endpoint: the list again, saying what was done."""
    messages.success(request, message)
    return redirect("webhooks:list")


@scoped
@require_POST
def endpoint_delete(request, pk: int):
    endpoint = _endpoint(request, pk)
    services.endpoint_delete(actor=request.user, endpoint=endpoint, ip=client_ip(request))
    return _back_to_list(request, _("The webhook to %(url)s is deleted.") % {"url": endpoint.url})


@scoped
@require_POST
def endpoint_test(request, pk: int):
    endpoint = _endpoint(request, pk)
    delivery = services.endpoint_send_test(actor=request.user, endpoint=endpoint)
    delivery.refresh_from_db()
    return _back_to_list(
        request,
        _("A test event is sent to %(url)s: %(status)s.")
        % {"url": endpoint.url, "status": delivery.get_status_display()},
    )


@scoped
@require_POST
def endpoint_enable(request, pk: int):
    endpoint = _endpoint(request, pk)
    services.endpoint_enable(actor=request.user, endpoint=endpoint, ip=client_ip(request))
    return _back_to_list(request, _("The webhook to %(url)s is enabled again.") % {"url": endpoint.url})
