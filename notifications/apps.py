from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core.events import on_emitted

        from . import permissions, tasks  # noqa: F401  (permissions: registers the role table)

        on_emitted(tasks.on_emitted)  # the event log tells the pipeline what to dispatch
