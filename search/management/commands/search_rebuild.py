"""`manage.py search_rebuild`: this node's search engine index again, from the database."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from search import follow
from search.engine import Engine


class Command(BaseCommand):
    help = (
        "Build this node's search engine index (SEARCH_INDEX_DIR) again from the database, with a"
        " progress bar; the index is built beside the current one and takes its place when done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(settings.SEARCH_INDEX_DIR), help="The index directory.")

    def handle(self, *args, **options):
        target = Path(options["path"])
        # The index's write lock, held until the new index takes its place: an indexer at work on
        # it (search_indexer) would go on writing into the directory swapped away, or into the
        # new one over what this command built.
        try:
            current = Engine(target) if (target / "meta.json").exists() else None
        except ValueError as error:
            if follow.SCHEMA_MISMATCH not in str(error):
                raise
            current = None  # written by another version of the portal: replaced below
        if current is not None:
            try:
                current.clear()  # takes the lock; rolled back below, never committed
            except ValueError as error:
                raise CommandError(
                    f"{target} has a writer (search_indexer running?): stop it first, or let it"
                    " rebuild the index itself (it does when the index is missing or the log was pruned"
                    f" past it). {error}"
                ) from error
        building = target.with_name(target.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        started = time.monotonic()
        engine = Engine(building)
        done = follow.rebuild(engine, progress=self._progress)
        engine.close()
        if current is not None:
            current.rollback()
            current.close()
        old = target.with_name(target.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        building.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        self.stdout.write("")
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Search engine index rebuilt: {done} documents in {seconds:.1f} s."))

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        stream = self.stdout if sys.stdout.isatty() else None
        line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if stream is not None:
            stream.write(line, ending="")
            stream.flush()
