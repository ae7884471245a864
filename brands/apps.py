from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "brands"
    verbose_name = _("Brands")

    def ready(self) -> None:
        from . import (
            notifying,  # noqa: F401  (registers the catalogue's events)
            permissions,  # noqa: F401  (registers the catalogue's permission table)
        )
