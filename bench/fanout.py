"""Benchmark: one event to 20,000 officers through the notification pipeline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipm_bench_fanout \\
    REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/python bench/fanout.py [RECIPIENTS] [EMAILS]

Sets up (once) a customs administration with RECIPIENTS officers (20,000 by default) following a
brand with a published guide, starts 2 Celery worker processes on PostgreSQL and Redis, and emits
`guide.published` the way the guide service does (event row in a transaction, dispatch on
commit). It reports the time from the emit until every in-app row is written and the rate, then,
in the same run and on the same database, the raw rate of inserting the same rows with one bulk
INSERT (and with one Django `bulk_create`), and the ratio. Then EMAILS officers (2,000 by
default) who want e-mail immediately get the event of a second brand, sent to a local SMTP sink
(aiosmtpd in this process): time until the sink has them all, and e-mails per second.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipm_portal.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ipm_bench_fanout")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
QUEUE = f"bench-fanout-{uuid.uuid4().hex[:8]}"
os.environ["CELERY_QUEUE"] = QUEUE

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Organization, OrganizationKind, Role, Status, User  # noqa: E402
from authentication_guides.models import Guide, GuideStatus, GuideVersion, VersionStatus  # noqa: E402
from bench import workers as workers_  # noqa: E402
from brands.models import Brand, BrandFollow  # noqa: E402
from core.events import emit  # noqa: E402
from core.models import Event  # noqa: E402
from notifications.models import EmailDelivery, EmailMode, EventChunk, Notification, Preference  # noqa: E402

RECIPIENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
EMAILS = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
WORKERS = 2


def ensure_database() -> None:
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname="postgres", autocommit=True
    ) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def published_guide(brand: Brand, title: str) -> Guide:
    guide = Guide.objects.filter(brand=brand).first()
    if guide is None:
        guide = Guide.objects.create(brand=brand, language="en", status=GuideStatus.PUBLISHED)
        version = GuideVersion.objects.create(
            guide=guide, number=1, title=title, status=VersionStatus.PUBLISHED, published_at=timezone.now()
        )
        guide.published_version = version
        guide.save(update_fields=["published_version"])
    return guide


def setup() -> tuple[Guide, Guide, list[int], list[int]]:
    owner, _ = Organization.objects.get_or_create(
        kind=OrganizationKind.RIGHT_HOLDER, name="Bench Watches", country="CH", defaults={"status": Status.APPROVED}
    )
    customs, _ = Organization.objects.get_or_create(
        kind=OrganizationKind.CUSTOMS, name="Bench Customs", country="FR", defaults={"status": Status.APPROVED}
    )
    brand, _ = Brand.objects.get_or_create(owner=owner, name="Lumina")
    mail_brand, _ = Brand.objects.get_or_create(owner=owner, name="Orbis")
    have = User.objects.filter(membership__organization=customs).count()
    if have < RECIPIENTS:
        people = User.objects.bulk_create(
            User(
                email=f"officer{index}@bench.example",
                full_name=f"Officer {index}",
                status=Status.APPROVED,
                language=("en", "fr", "es")[index % 3],
                password="!",
            )
            for index in range(have, RECIPIENTS)
        )
        Membership.objects.bulk_create(Membership(user=p, organization=customs, role=Role.OFFICER) for p in people)
    officers = list(
        User.objects.filter(membership__organization=customs).order_by("pk").values_list("pk", flat=True)[:RECIPIENTS]
    )
    # Everyone follows Lumina and reads the inbox only (e-mail off while in-app is measured);
    # the first EMAILS also follow Orbis, and switch to e-mail for the e-mail run.
    Preference.objects.filter(user_id__in=officers).delete()
    Preference.objects.bulk_create(Preference(user_id=pk, email=EmailMode.OFF) for pk in officers)
    BrandFollow.objects.filter(brand__in=[brand, mail_brand]).delete()
    BrandFollow.objects.bulk_create(BrandFollow(user_id=pk, brand=brand) for pk in officers)
    BrandFollow.objects.bulk_create(BrandFollow(user_id=pk, brand=mail_brand) for pk in officers[:EMAILS])
    guides = published_guide(brand, "Lumina Chrono"), published_guide(mail_brand, "Orbis Diver")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics after the bulk load, as autovacuum would
    return *guides, officers


def clear() -> None:
    with connection.cursor() as cursor:
        for model in (Notification, EmailDelivery, EventChunk, Event):
            cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")


def start_workers(email_url: str) -> list[subprocess.Popen]:
    return workers_.start_workers(QUEUE, WORKERS, EMAIL_URL=email_url)


def publish(guide: Guide) -> Event:
    with transaction.atomic():
        return emit(
            "guide.published",
            subject=guide,
            organization=guide.brand.owner,
            data={"version": 1, "title": guide.published_version.title, "brand": guide.brand.name},
        )


def wait(predicate, seconds: float = 300) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > seconds:
            raise SystemExit("Timed out.")
        time.sleep(0.01)
    return time.monotonic()


def in_app(guide: Guide, expected: int) -> dict:
    clear()
    started = time.monotonic()
    event = publish(guide)
    ended = wait(lambda: Notification.objects.filter(event=event).count() >= expected)
    seconds = ended - started
    count = Notification.objects.filter(event=event).count()
    assert count == expected, (count, expected)
    event.refresh_from_db()
    first_row = Notification.objects.filter(event=event).order_by("created").values_list("created", flat=True)[0]
    return {
        "event": event,
        "seconds": seconds,
        "rate": count / seconds,
        "dispatched": (event.dispatched_at - event.created).total_seconds(),
        "first_row": (first_row - event.created).total_seconds(),
        "chunks": EventChunk.objects.filter(event=event).count(),
    }


def raw_insert(event: Event, officers: list[int]) -> dict:
    Notification.objects.filter(event=event).delete()
    with connection.cursor() as cursor:
        started = time.monotonic()
        cursor.execute(
            f"INSERT INTO {Notification._meta.db_table} (event_id, recipient_id, title, link, created) "
            "SELECT %s, unnest(%s::bigint[]), %s, %s, now()",
            [event.pk, officers, "New guide for Lumina: Lumina Chrono", f"/guides/{event.subject_id}/"],
        )
        sql_seconds = time.monotonic() - started
    Notification.objects.filter(event=event).delete()
    now = timezone.now()
    rows = [
        Notification(event=event, recipient_id=pk, title="New guide for Lumina: Lumina Chrono", link="/", created=now)
        for pk in officers
    ]
    started = time.monotonic()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    orm_seconds = time.monotonic() - started
    return {"sql_rate": len(officers) / sql_seconds, "orm_rate": len(officers) / orm_seconds}


def smtp_sink():
    import logging
    import socket

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    from aiosmtpd.controller import Controller

    class Count:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Count.received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, Count, port


def main() -> None:
    ensure_database()
    call_command("migrate", verbosity=0)
    guide, mail_guide, officers = setup()
    controller, sink, port = smtp_sink()
    workers = start_workers(f"smtp://127.0.0.1:{port}")
    try:
        in_app(guide, len(officers))  # warm-up: connections, imports, caches
        runs = [in_app(guide, len(officers)) for _ in range(3)]
        best = min(runs, key=lambda run: run["seconds"])
        raw = raw_insert(runs[-1]["event"], officers)  # the last run's event still exists
        print(f"In-app: {len(officers)} recipients, {WORKERS} worker processes, PostgreSQL and Redis")
        for number, run in enumerate(runs, 1):
            print(
                f"  run {number}: {run['seconds']:.2f} s from emit to the last row, "
                f"{run['rate']:,.0f} notifications/s "
                f"(recipients recorded in {run['chunks']} chunks after {run['dispatched']:.2f} s, "
                f"first rows after {run['first_row']:.2f} s)"
            )
        print(f"  raw: one INSERT ... SELECT unnest(ids) {raw['sql_rate']:,.0f} rows/s")
        print(f"  raw: one Django bulk_create {raw['orm_rate']:,.0f} rows/s")
        print(f"  pipeline / raw INSERT: {best['rate'] / raw['sql_rate']:.0%} (best run)")

        clear()
        Preference.objects.filter(user_id__in=officers[:EMAILS]).update(email=EmailMode.IMMEDIATE)
        sink.received = 0
        started = time.monotonic()
        publish(mail_guide)
        ended = wait(lambda: sink.received >= EMAILS, seconds=600)
        seconds = ended - started
        print(f"E-mail: {EMAILS} recipients to a local SMTP sink (aiosmtpd), {WORKERS} worker processes")
        print(f"  {seconds:.2f} s from emit to the last message received, {EMAILS / seconds:,.0f} e-mails/s")
        wait(lambda: EmailDelivery.objects.filter(status="sent").count() >= EMAILS)
        sent = EmailDelivery.objects.filter(status="sent").count()
        print(f"  delivery rows: {sent} sent; messages received: {sink.received}")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=20)
        controller.stop()


if __name__ == "__main__":
    main()
