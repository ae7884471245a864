"""`manage.py search_rebuild`: this node's search engine index again, from the database."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

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
        building = target.with_name(target.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        started = time.monotonic()
        engine = Engine(building)
        done = follow.rebuild(engine, progress=self._progress)
        engine.close()
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
