from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alerts"
    verbose_name = _("Alerts and cases")

    def ready(self) -> None:
        from . import notifying, permissions  # noqa: F401  (permissions: registers the role table)

        notifying.register()
