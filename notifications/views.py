"""Pages: the inbox, and the forms behind the preference panel (on the person's page) and the
follow button (on a brand's page)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.gate import scoped
from core.views import paginate, safe_next

from . import selectors, services
from .forms import PreferencesForm


@scoped
def inbox(request):
    page = paginate(request, selectors.inbox(user=request.user))
    return render(request, "notifications/inbox.html", {"page": page})


@scoped
@require_POST
def mark_read(request, pk: int):
    notification = get_object_or_404(selectors.inbox(user=request.user), pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if request.POST.get("open") and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)  # a path on this site, never another host
    return redirect(safe_next(request, reverse("notifications:inbox")))


@scoped
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect(reverse("notifications:inbox"))


@scoped
@require_POST
def preferences(request):
    form = PreferencesForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.preferences_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your notification settings are saved."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(safe_next(request, reverse("accounts:me")))


def _visible_brand(request, pk: int):
    from brands.models import Brand

    return get_object_or_404(Brand.objects.restrict(request.user, "view"), pk=pk)


@scoped
@require_POST
def follow(request, pk: int):
    brand = _visible_brand(request, pk)
    try:
        services.brand_follow(actor=request.user, brand=brand)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("You follow %(brand)s: you are told when it publishes a guide.") % {"brand": brand.name}
        )
    return redirect(safe_next(request, reverse("brands:brand_detail", args=[brand.pk])))


@scoped
@require_POST
def unfollow(request, pk: int):
    brand = _visible_brand(request, pk)
    services.brand_unfollow(actor=request.user, brand=brand)
    messages.success(request, _("You no longer follow %(brand)s.") % {"brand": brand.name})
    return redirect(safe_next(request, reverse("brands:brand_detail", args=[brand.pk])))
