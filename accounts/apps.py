from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts and organizations")

    def ready(self) -> None:
        from . import notifying  # noqa: F401  (registers the account events)
        from .api import schema  # noqa: F401  (registers the OpenAPI authentication extensions)
