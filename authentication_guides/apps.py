from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthenticationGuidesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "authentication_guides"
    verbose_name = _("Authentication guides")

    def ready(self) -> None:
        from . import (
            notifying,  # noqa: F401  (registers the guide events)
            permissions,  # noqa: F401  (registers the guides' role table)
        )
