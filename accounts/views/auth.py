"""Signing in, registering, proving the e-mail address, waiting for approval, and the language
switcher."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views import i18n
from django.views.decorators.http import require_GET, require_POST

from core.gate import public, scoped

from .. import services
from ..audit import client_ip
from ..email_proof import ExpiredProof, InvalidProof, read_token
from ..forms import PasswordResetForm, RegistrationForm, SignInForm
from ..tokens import api_tokens_revoke_all
from .common import throttle_posts


@public("signing in")
@method_decorator(throttle_posts, name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@public("asking for a password reset link")
@method_decorator(throttle_posts, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    form_class = PasswordResetForm
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class RevokeTokensOnNewPassword:
    """Whoever knew the old password may have made API tokens with it: a new password revokes
    them all."""

    token_revocation_cause: str

    def form_valid(self, form):
        response = super().form_valid(form)
        api_tokens_revoke_all(user=form.user, cause=self.token_revocation_cause, ip=client_ip(self.request))
        return response


@public("following a password reset link: the link itself is the proof")
class PasswordResetConfirmView(RevokeTokensOnNewPassword, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    token_revocation_cause = "password_reset"
    success_url = reverse_lazy("accounts:password_reset_complete")


@scoped
class PasswordChangeView(RevokeTokensOnNewPassword, auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    token_revocation_cause = "password_change"
    success_url = reverse_lazy("accounts:password_change_done")


@public("registering")
@throttle_posts
def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.is_valid():
            user = form.register(ip=client_ip(request))
            if user is not None:
                # The same page for a new organization and a request to join one: whether an
                # organization is on the portal is not for anyone registering to learn.
                return redirect("accounts:register_done")
    else:
        form = RegistrationForm(initial={"language": request.LANGUAGE_CODE})
    return render(request, "accounts/register.html", {"form": form})


@public("the page shown after registering: it names nobody")
def register_done(request):
    return render(request, "accounts/register_done.html")


@public("following the link that proves an e-mail address: the signed link itself is the proof")
@require_GET
def email_proof(request, token):
    """Mark the address in the link as proven. A link altered or for an address the account no
    longer has: 400; one past its age: 410, with a button sending a new one. Nothing changes then."""
    try:
        user, _proven_now = services.email_proof_confirm(token=token, ip=client_ip(request))
    except ExpiredProof:
        return render(request, "accounts/email_proof_expired.html", {"token": token}, status=410)
    except InvalidProof:
        return render(request, "accounts/email_proof_invalid.html", status=400)
    return render(request, "accounts/email_proof_done.html", {"proven_email": user.email})


@public("asking for a new link proving an e-mail address: by the expired link, or signed in")
@require_POST
@throttle_posts
def email_proof_resend(request):
    """A new link, to the address of an expired link (its signature still genuine) or to the
    signed-in person's address. Throttled per address (429 with Retry-After)."""
    email = None
    token = request.POST.get("token", "")
    if token:
        try:
            read_token(token)
        except ExpiredProof as expired:
            email = expired.claim.email
        except InvalidProof:
            pass
        else:
            # Still good: no new link is needed; following it proves the address.
            return redirect("accounts:email_proof", token)
    elif request.user.is_authenticated:
        email = request.user.email
    if email is None:
        return render(request, "accounts/email_proof_invalid.html", status=400)
    wait = services.email_proof_request(email=email)
    if wait is not None:
        seconds = int(wait + 0.999)
        response = render(request, "accounts/email_proof_wait.html", {"retry_after": seconds}, status=429)
        response["Retry-After"] = str(seconds)
        return response
    return render(request, "accounts/email_proof_sent.html", {"email": email})


@scoped
def pending(request):
    """What a signed-in person whose account or organization awaits approval sees, whatever
    page they ask for (the access middleware sends them here)."""
    user = request.user
    if user.has_access:
        return redirect("home")
    # Nothing of the organization (its name as stored, whether it existed, whether it is
    # approved): the same page for a founder and for a request to join.
    return render(request, "accounts/pending.html")


@public("choosing the language of the pages")
@require_POST
def set_language(request):
    """The header's language switcher: Django's set_language (cookie and redirect), and for a
    signed-in person, the language saved on their account, which takes precedence on every page."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_update_profile(user=request.user, language=language)
    return i18n.set_language(request)
