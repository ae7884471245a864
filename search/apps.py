from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from core.changes import on_change

        from . import index, signals  # noqa: F401  (signals: reindex on save)

        on_change(index.changed)  # bulk paths of the content apps (core.changes.record_change)
