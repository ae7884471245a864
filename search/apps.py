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
        self._start_indexer_in_process()

    @staticmethod
    def _start_indexer_in_process() -> None:
        """`make run`: the development server follows the change log itself (a thread), so a
        newcomer starts nothing else. Only in the process that serves (the autoreloader's child)."""
        import os
        import sys

        from django.conf import settings

        if not settings.SEARCH_INDEXER_IN_PROCESS or "runserver" not in sys.argv:
            return
        if os.environ.get("RUN_MAIN") != "true" and "--noreload" not in sys.argv:
            return
        from .follow import start_follower_thread

        start_follower_thread(str(settings.SEARCH_INDEX_DIR))
