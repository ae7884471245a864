from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = _("Applications for action")

    def ready(self) -> None:
        from brands.extensions import product_facts

        from . import notifying, permissions, selectors  # noqa: F401  (permissions: registers the role table)

        notifying.register()
        # Customs readers' products carry application_for_action in the catalogue API.
        product_facts(selectors.product_coverage)
