"""The Celery app. The broker comes from REDIS_URL (see settings); without one, tasks run
in-process (eager) so the embedded default needs no services."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipm_portal.settings")

app = Celery("ipm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_to_start_misconfigured(**kwargs):
    from .startup import require_secret_key

    require_secret_key()
