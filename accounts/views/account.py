"""The person's own account: name and language, API tokens, two-factor."""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from core.gate import scoped
from core.views import country_names

from .. import services
from ..audit import client_ip
from ..forms import ProfileForm, TokenCreateForm, TwoFactorCodeForm
from ..models import ApiToken
from ..permissions import GO_WITHOUT_TWO_FACTOR
from ..tokens import api_token_issue, api_token_revoke
from ..two_factor import (
    qr_code_svg,
    readable_secret,
    second_factor_required,
    setup_device,
    two_factor_disable,
    two_factor_enable,
)
from .common import safe_next


def _account_page(request, *, profile_form=None, token_form=None, disable_form=None, new_token=None, status=200):
    user = request.user
    context = {
        "profile_form": profile_form or ProfileForm(initial={"full_name": user.full_name, "language": user.language}),
        "token_form": token_form or TokenCreateForm(),
        "disable_form": disable_form or TwoFactorCodeForm(),
        "tokens": ApiToken.objects.filter(user=user).order_by("-created"),
        "new_token": new_token,
        "two_factor_enabled": user_has_device(user, confirmed=True),
        "two_factor_required": second_factor_required(user),
        # Where an officer acts (an international body: several countries), by name.
        "jurisdiction_names": country_names(user.organization.jurisdiction_countries) if user.organization else [],
    }
    return render(request, "accounts/me.html", context, status=status)


@scoped
def me(request):
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if not form.is_valid():
            return _account_page(request, profile_form=form, status=400)
        services.user_update_profile(
            user=request.user, full_name=form.cleaned_data["full_name"], language=form.cleaned_data["language"]
        )
        messages.success(request, _("Your account is saved."))
        return redirect("accounts:me")
    return _account_page(request)


@never_cache  # the response carries the token itself
@scoped
@require_POST
def token_create(request):
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _account_page(request, token_form=form, status=400)
    _instance, token = api_token_issue(user=request.user, name=form.cleaned_data["name"], ip=client_ip(request))
    # Only a hash is stored: the token is shown in this response and never again.
    return _account_page(request, new_token=token)


@scoped
@require_POST
def token_revoke(request, token_key):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), token_key=token_key)
    name = token.name or token.token_key
    api_token_revoke(actor=request.user, token=token, ip=client_ip(request))
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": name})
    return redirect("accounts:me")


@never_cache  # the set-up page carries the secret
@scoped
def two_factor(request):
    """Set up two-factor (no confirmed device yet), or prove it for this session."""
    user = request.user
    next_url = safe_next(request, reverse("home"))
    if user_has_device(user, confirmed=True):
        if user.is_verified():
            return redirect(next_url)
        return _two_factor_verify(request, next_url)
    return _two_factor_setup(request, next_url)


THROTTLED = _lazy("Too many wrong codes in a row: wait a few seconds, then enter the code shown at that time.")


def _throttled(devices) -> bool:
    """Whether every device refuses codes for now after repeated wrong ones (django-otp's
    throttling), so the person is told to wait rather than that a right code is wrong."""
    devices = list(devices)
    return bool(devices) and all(not device.verify_is_allowed()[0] for device in devices)


def _two_factor_verify(request, next_url):
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _throttled(django_otp.devices_for_user(request.user)):
        form.add_error("code", THROTTLED)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            return redirect(next_url)
        form.add_error("code", _("This code is wrong or has expired. Wait for the next one and try again."))
    status = 400 if form.errors else 200
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url}, status=status)


def _two_factor_setup(request, next_url):
    user = request.user
    device = setup_device(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _throttled([device]):
        form.add_error("code", THROTTLED)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            two_factor_enable(user=user, device=device, ip=client_ip(request))
            django_otp.login(request, device)
            messages.success(request, _("Two-factor is on. You will enter a code each time you sign in."))
            return redirect(next_url)
        form.add_error("code", _("This code is wrong or has expired. Check your phone's clock and try again."))
    context = {
        "form": form,
        "next": next_url,
        "qr_code": qr_code_svg(device),
        "secret": readable_secret(device),
        "required": second_factor_required(user),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200)


@scoped
@require_POST
def two_factor_turn_off(request):
    user = request.user
    if second_factor_required(user):
        messages.error(request, GO_WITHOUT_TWO_FACTOR.message)
        return redirect("accounts:me")
    if not user_has_device(user, confirmed=True):
        return redirect("accounts:me")
    form = TwoFactorCodeForm(request.POST)
    if form.is_valid() and _throttled(django_otp.devices_for_user(user)):
        form.add_error("code", THROTTLED)
    if form.is_valid() and django_otp.match_token(user, form.cleaned_data["code"]) is not None:
        two_factor_disable(user=user, ip=client_ip(request))
        messages.success(request, _("Two-factor is off."))
        return redirect("accounts:me")
    if form.is_valid():
        form.add_error("code", _("This code is wrong or has expired."))
    return _account_page(request, disable_form=form, status=400)
