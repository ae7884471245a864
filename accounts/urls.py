from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from .views import account, appointments, auth, moderation

app_name = "accounts"

urlpatterns = [
    # Signing in and out, registering, waiting for approval.
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", auth.register, name="register"),
    path("register/done/", auth.register_done, name="register_done"),
    path("pending/", auth.pending, name="pending"),
    # Proving the e-mail address (open while pending: accounts.middleware).
    path("email/resend/", auth.email_proof_resend, name="email_proof_resend"),
    path("email/<str:token>/", auth.email_proof, name="email_proof"),
    path("language/", auth.set_language, name="set_language"),
    # Password reset by e-mail, and change.
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password-reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    # The person's own account and two-factor.
    path("me/", account.me, name="me"),
    path("me/tokens/", account.token_create, name="token_create"),
    re_path(r"^me/tokens/(?P<token_key>[0-9a-f]+)/revoke/$", account.token_revoke, name="token_revoke"),
    path("two-factor/", account.two_factor, name="two_factor"),
    path("two-factor/turn-off/", account.two_factor_turn_off, name="two_factor_turn_off"),
    # Moderation.
    path("moderation/", moderation.queue, name="moderation"),
    path("organizations/", moderation.organization_list, name="organization_list"),
    path("organizations/<int:pk>/", moderation.organization_detail, name="organization_detail"),
    path(
        "organizations/<int:pk>/jurisdiction/", moderation.organization_jurisdiction, name="organization_jurisdiction"
    ),
    path("organizations/<int:pk>/<slug:action>/", moderation.organization_action, name="organization_action"),
    path("members/", moderation.member_list, name="member_list"),
    path("members/<int:pk>/<slug:action>/", moderation.member_action, name="member_action"),
    path("audit/", moderation.audit_list, name="audit"),
    # Appointments of representatives: the right holder's side and the firm's side.
    path("appointments/", appointments.appointments, name="appointments"),
    path("appointments/<int:pk>/<slug:action>/", appointments.appointment_action, name="appointment_action"),
    path("representatives/", appointments.representatives, name="representatives"),
    path("clients/", appointments.clients, name="clients"),
]
