from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = _("Applications for action")

    def ready(self) -> None:
        from . import notifying, permissions  # noqa: F401  (permissions: registers the role table)

        notifying.register()
