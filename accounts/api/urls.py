from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import appointments, views

router = SimpleRouter()
router.register("me/tokens", views.MyTokenViewSet, basename="my-token")
router.register("admin/organizations", views.OrganizationAdminViewSet, basename="admin-organization")
router.register("admin/users", views.UserAdminViewSet, basename="admin-user")
router.register("admin/audit", views.AuditViewSet, basename="admin-audit")
router.register("appointments", appointments.AppointmentViewSet, basename="appointment")

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("auth/email/resend/", views.EmailProofRequestView.as_view(), name="email_proof_request"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/clients/", appointments.MyClientsView.as_view(), name="my-clients"),
    path("", include(router.urls)),
]
