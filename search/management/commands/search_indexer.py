"""`manage.py search_indexer`: the long-running process that keeps this node's search engine
index in step with the database's change log (search/follow.py). One per node. It builds the
index from the database when there is none, or when the log was pruned past its position."""

from __future__ import annotations

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from search import follow

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Follow the search change log into this node's engine index (SEARCH_INDEX_DIR), batch by batch."
    # A long-running follower of the database: it serves no page, so it neither loads every URL
    # module to check them at start-up (slower) nor refuses to start over one of them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(settings.SEARCH_INDEX_DIR), help="The index directory.")
        parser.add_argument("--interval", type=float, default=0.2, help="Seconds between two looks at the log.")
        parser.add_argument("--batch", type=int, default=5000, help="Changes applied per commit.")
        parser.add_argument("--once", action="store_true", help="Apply what is there, then stop.")

    def handle(self, *args, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        engine = follow.open_index(options["path"])
        try:
            # The index's write lock from the start, not from the first change: one indexer per
            # directory, and search_rebuild refuses to swap the directory under this one.
            engine.clear()
            engine.rollback()
        except ValueError as error:
            raise CommandError(f"{options['path']} has a writer already (another search_indexer?). {error}") from error
        try:
            while self.running:
                close_old_connections()
                try:
                    if follow.needs_rebuild(engine):
                        # No index yet, or the log was pruned past it: changes may be gone.
                        self.stdout.write("Building the index from the database...")
                        follow.rebuild(engine)
                    applied = follow.follow(engine, batch=options["batch"])
                except Exception:  # the database away: try again, never die
                    logger.exception("Following the search change log failed; trying again.")
                    applied = 0
                    time.sleep(1)
                if applied:
                    logger.info("Search index: %d changes applied, now at %s.", applied, engine.position())
                if options["once"]:
                    break
                if not applied:
                    time.sleep(options["interval"])
        finally:
            engine.close()

    def _stop(self, *args):
        self.running = False
