from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "uploads"
    verbose_name = _("Uploads")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .images import configure_pillow

        configure_pillow()
