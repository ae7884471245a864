"""The Celery app. The broker comes from REDIS_URL (see settings); without one, tasks run
in-process (eager) so the embedded default needs no services."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipm_portal.settings")

app = Celery("ipm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Tasks that wait on other people's servers, sent to the queue named by settings.WEBHOOKS_QUEUE.
ISOLATED_TASKS = frozenset({"webhooks.tasks.deliver"})


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router (CELERY_TASK_ROUTES): webhook attempts to their own queue, read at send time
    so that a deployment or a test can name it; every other task to the default queue."""
    if name in ISOLATED_TASKS:
        from django.conf import settings

        return {"queue": settings.WEBHOOKS_QUEUE}
    return None


@worker_init.connect
def _refuse_to_start_misconfigured(**kwargs):
    from core.checks import require_secret_key

    require_secret_key()
