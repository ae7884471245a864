"""The test settings on SQLite: CI runs the search tests a second time with these
(`pytest tests/test_search.py --ds=ipm_portal.settings_test_sqlite`), so the embedded
default's FTS5 backend is held to the same relevance and scoping tests."""

from .settings_test import *  # noqa: F403

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:", "TEST": {"NAME": ":memory:"}}}
