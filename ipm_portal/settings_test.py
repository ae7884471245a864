"""Test settings: the production settings, on PostgreSQL and Redis, with what tests need.

DATABASE_URL and REDIS_URL default to the local servers; each pytest-xdist worker gets its
own test database (pytest-django) and its own cache key prefix.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ipm_portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:25")
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ.setdefault("CACHE_KEY_PREFIX", f"ipm-test-{_worker}")

from .settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# In-process tests run tasks eagerly; tests marked `celery_worker` start a real worker with the
# production settings instead.
CELERY_TASK_ALWAYS_EAGER = True
CONN_MAX_AGE = 0
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
REQUIRE_2FA = False
# The database backend unless SEARCH_ENGINE says otherwise: `make test` runs the search tests
# again on the engine (tests/conftest.py gives each test its own in-memory index).
SEARCH_ENGINE = os.environ.get("SEARCH_ENGINE", "database")
# Serve static files from the app directories, as in development: no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
