from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the jobs' permission table)
        from .api import schema  # noqa: F401  (registers the OpenAPI description of the status)

        # Each app declares its handlers in `<app>/job_handlers.py`: importing them here makes
        # every kind known to the web processes (job_start checks the kind) and to the workers.
        autodiscover_modules("job_handlers")
