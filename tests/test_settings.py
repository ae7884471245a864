"""Production settings: safe defaults when DEBUG is off, and `check --deploy` passes."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7!k2#production-like-secret-for-the-deploy-check-" + "q" * 30,
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


# Set by the test run itself, never in production: the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE
# (tests/browser/conftest.py) would fail the deploy check of a process started after them.
TEST_RUN_ONLY = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_env(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in TEST_RUN_ONLY}
    env.update(env_overrides)
    return env


def run_manage(*args, env_overrides):
    env = run_env(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "ipm_portal.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_off_without_a_secret_key_refuses_to_start():
    """No default key in production: the web process refuses to start and the deploy check
    fails; commands that sign nothing still run (makemigrations for developers and CI)."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    deploy = run_manage("check", "--deploy", env_overrides=env)
    assert deploy.returncode != 0
    assert "SECRET_KEY must be set" in deploy.stdout + deploy.stderr
    web = subprocess.run(
        [sys.executable, "-c", "import ipm_portal.wsgi"],
        cwd=ROOT,
        env={**run_env(env), "DJANGO_SETTINGS_MODULE": "ipm_portal.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert web.returncode != 0 and "SECRET_KEY must be set" in web.stderr
    assert run_manage("makemigrations", "--check", "--dry-run", env_overrides=env).returncode == 0


def test_a_worker_without_a_secret_key_refuses_to_start(settings):
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from ipm_portal.celery import _refuse_to_start_misconfigured

    settings.SECRET_KEY_MISSING = True
    with pytest.raises(ImproperlyConfigured):
        _refuse_to_start_misconfigured()
    settings.SECRET_KEY_MISSING = False
    _refuse_to_start_misconfigured()


def test_production_defaults_are_safe():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS > 0, s.REQUIRE_2FA, s.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = run_manage("shell", "--no-imports", "-c", code, env_overrides=PRODUCTION_ENV)
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "True", "False"], result.stderr


def test_embedded_default_needs_no_services():
    env = {"DEBUG": "true"}
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    result = run_manage("shell", "--no-imports", "-c", code, env_overrides=env)
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"], result.stderr
