"""Background work for search: thin tasks."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def prune_change_log() -> int:
    """Delete the search change log's rows older than SEARCH_CHANGE_LOG_DAYS: a node that far
    behind rebuilds its index from the database instead (search.follow.needs_rebuild)."""
    from django.conf import settings

    from .follow import prune_log

    return prune_log(days=settings.SEARCH_CHANGE_LOG_DAYS)
