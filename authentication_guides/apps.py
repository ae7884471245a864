from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthenticationGuidesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "authentication_guides"
    verbose_name = _("Authentication guides")
