"""Standing personas and API clients shared by every test module.

Acme (a right holder in CH): acme_admin, acme_editor, acme_viewer. Globex, another right
holder: other_rightholder. French customs: coordinator_fr, officer_fr. German customs:
coordinator_de, officer_de. The platform: platform_admin (a superuser).
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken, OrganizationKind, Role, User

from .factories import PASSWORD, OrganizationFactory, member


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test gets its own cache namespace on the real Redis: throttle counters never leak
    from one test to the next."""
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"t-{uuid.uuid4().hex}"
    settings.CACHES = caches


@contextmanager
def _engine_fed_by_the_log():
    """An in-memory search engine answering the searches, which takes each change as it is
    logged (its transaction included)."""
    from search import follow, index
    from search.engine import Engine
    from search.engine_search import use_engine

    engine = Engine.in_memory()

    def take(kind, ids):
        follow.apply_now(engine, kind, ids)

    index.LOG_LISTENERS.append(take)
    use_engine(engine)
    try:
        yield engine
    finally:
        use_engine(None)
        index.LOG_LISTENERS.remove(take)


@pytest.fixture(autouse=True)
def _search_engine(settings):
    """With SEARCH_ENGINE=tantivy (make test's third run of the search tests), every test gets
    its own engine (autouse: made before the fixtures that write)."""
    if settings.SEARCH_ENGINE != "tantivy":
        yield None
        return
    with _engine_fed_by_the_log() as engine:
        yield engine


@pytest.fixture
def search_engine(settings, _search_engine):
    """The search engine answers this test's searches whatever SEARCH_ENGINE says. Name it
    before the fixtures that write: it takes only the changes made after it."""
    if _search_engine is not None:
        yield _search_engine
        return
    settings.SEARCH_ENGINE = "tantivy"
    with _engine_fed_by_the_log() as engine:
        yield engine


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def acme(db):
    return OrganizationFactory(name="Acme Watches", kind=OrganizationKind.RIGHT_HOLDER, country="CH")


@pytest.fixture
def globex(db):
    return OrganizationFactory(name="Globex Apparel", kind=OrganizationKind.RIGHT_HOLDER, country="IT")


@pytest.fixture
def customs_fr(db):
    return OrganizationFactory(name="Douane française", kind=OrganizationKind.CUSTOMS, country="FR")


@pytest.fixture
def customs_de(db):
    return OrganizationFactory(name="Zoll", kind=OrganizationKind.CUSTOMS, country="DE")


@pytest.fixture
def platform_admin(db) -> User:
    return User.objects.create_superuser(email="admin@example.org", password=PASSWORD, full_name="Platform Admin")


@pytest.fixture
def acme_admin(acme) -> User:
    return member(acme, Role.ADMIN, is_founder=True, email="alice@acme.example")


@pytest.fixture
def acme_editor(acme) -> User:
    return member(acme, Role.EDITOR, email="eddie@acme.example")


@pytest.fixture
def acme_viewer(acme) -> User:
    return member(acme, Role.VIEWER, email="vera@acme.example")


@pytest.fixture
def other_rightholder(globex) -> User:
    return member(globex, Role.ADMIN, is_founder=True, email="gina@globex.example")


@pytest.fixture
def coordinator_fr(customs_fr) -> User:
    return member(customs_fr, Role.COORDINATOR, is_founder=True, email="claire@douane.example")


@pytest.fixture
def officer_fr(customs_fr) -> User:
    return member(customs_fr, Role.OFFICER, email="olivier@douane.example")


@pytest.fixture
def coordinator_de(customs_de) -> User:
    return member(customs_de, Role.COORDINATOR, is_founder=True, email="klaus@zoll.example")


@pytest.fixture
def officer_de(customs_de) -> User:
    return member(customs_de, Role.OFFICER, email="otto@zoll.example")


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def api():
    """api(user) -> an APIClient that authenticates with a real API token of that user."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            _instance, token = ApiToken.objects.create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return make


# --------------------------------------------------------------------------- real services


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port; `.messages` collects what arrives."""
    import email
    from email import policy

    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            message = email.message_from_bytes(envelope.original_content, policy=policy.default)
            self.messages.append((envelope.rcpt_tos, message))
            return "250 OK"

    import socket

    with socket.socket() as probe:  # aiosmtpd needs a concrete port: take a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    handler.port = port
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def smtp(settings, smtp_server):
    """This process's e-mail goes over SMTP to `smtp_server` (the test settings keep it in memory)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server


@pytest.fixture
def celery_worker(transactional_db, settings):
    """start(**env) -> a real Celery worker process on its own queue, with the production
    settings, the test database and the given environment (e.g. EMAIL_URL). Tasks sent by this
    process go through the real Redis broker to that worker. `include=("tests.module",)` makes
    the worker import extra modules (e.g. test-only notification kinds)."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.db import connection

    from ipm_portal.celery import app

    queue = f"test-{uuid.uuid4().hex[:10]}"
    # Webhook attempts have a queue of their own (ipm_portal.celery.route_task): this test's too.
    settings.WEBHOOKS_QUEUE = f"{queue}-webhooks"
    processes = []
    saved = (app.conf.task_always_eager, app.conf.task_default_queue)

    def start(include=(), queues=("default", "webhooks"), concurrency=1, **extra_env):
        """`queues`: which of this test's queues the worker serves ("default", "webhooks");
        `concurrency` above 1: a prefork pool of that many processes instead of solo."""
        names = {"default": queue, "webhooks": settings.WEBHOOKS_QUEUE}
        node = f"{queue}-{len(processes)}"
        db = connection.settings_dict
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="ipm_portal.settings",
            DEBUG="false",
            SECRET_KEY="worker-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            # This process's broker: the shared Redis, or a fault test's own.
            REDIS_URL=app.conf.broker_url,
            CELERY_QUEUE=queue,
            WEBHOOKS_QUEUE=settings.WEBHOOKS_QUEUE,
        )
        env.update(extra_env)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ipm_portal",
                "worker",
                *(["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"--concurrency={concurrency}"]),
                "-Q",
                ",".join(names[name] for name in queues),
                "-n",
                f"{node}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "INFO",
                *(["--include", ",".join(include)] if include else []),
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("The Celery worker exited:\n" + process.stdout.read())
            if app.control.ping(destination=[f"{node}@{os.uname().nodename}"], timeout=0.5):
                break
        else:
            raise RuntimeError("The Celery worker did not answer within 60 s.")
        app.conf.task_always_eager = False
        app.conf.task_default_queue = queue
        return process

    yield start
    app.conf.task_always_eager, app.conf.task_default_queue = saved
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
