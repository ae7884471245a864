from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from core.event_types import on_dispatch

        from . import notifying, permissions, services  # noqa: F401  (permissions: registers the table)

        notifying.register()
        on_dispatch(services.deliveries_record)
