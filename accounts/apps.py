from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts and organizations")

    def ready(self) -> None:
        from . import notifying, permissions, signals  # noqa: F401  (the account events, the role table, cache versions)
        from .api import schema  # noqa: F401  (registers the OpenAPI authentication extensions)
