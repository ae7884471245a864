"""Fault matrix: what the notification pipeline delivers when PostgreSQL restarts mid-work.

    .venv/bin/python bench/faults.py [--recipients 60] [--smtp-delay 0.3] [--fanout 5000]
                                     [--lease 5] [--concurrency 1] [--down-seconds 0]
                                     [--worker-log PATH] [--json-only]

Everything runs against private services with real processes; the shared PostgreSQL (5432) and
Redis (6379) are never touched. The script

- creates a private PostgreSQL 15 cluster (initdb into a temporary directory, on a free port; as
  the `postgres` system user when run as root) and a private redis-server on a free port;
- migrates the portal's schema into it (`manage.py migrate`, production settings: DEBUG off, a
  fresh SECRET_KEY) and sets up Django in this process against it;
- starts a slow SMTP server (tests/faults/conftest.py's SlowSMTP: `--smtp-delay` seconds to
  accept each message, recording recipient and event id) and one Celery worker subprocess on the
  private broker and database (`--include tests.notifying_helpers`, in-app chunks of 250,
  NOTIFICATIONS_LEASE_SECONDS=`--lease`);
- runs each scenario with a fresh `test.broadcast` event, emitted in a transaction through
  `core.events.emit` (dispatch enqueued on commit through the private Redis):

  1. PostgreSQL restarted (`pg_ctl stop -m fast`, then `start`) in the middle of an e-mail chunk
     (`--recipients` officers who want e-mail at once), once a few e-mails have reached the SMTP
     server; then the sweeper (`notifications.tasks.sweep`, stale after 0 s) runs in this process
     every second, its own database errors tolerated, until the event is completed. Measured:
     e-mails delivered, duplicated and lost, in-app rows (exactly once each?), and the recovery
     time from the restart to the event's completion.
  2. PostgreSQL restarted in the middle of an in-app fan-out (`--fanout` officers, chunks of 250,
     each chunk slowed by the broadcast's `delay`): in-app rows exactly once, recovery time.
  3. PostgreSQL down while a domain action commits: not measured. The action's own transaction
     fails (the caller gets an error and nothing is promised to anyone); there is nothing for the
     pipeline to deliver. The table says so.

It prints the fault matrix as Markdown rows for docs/RELIABILITY.md
(`| scenario | expected | delivered | duplicates | lost | recovery |`) and then as JSON. Every
process it started and the temporary directory are removed on exit, Ctrl-C and errors included.
The whole run takes about 40 s here.

`--down-seconds` keeps PostgreSQL stopped that long before starting it again (the worker then
fails every queued chunk task, which the sweeper re-enqueues); `--concurrency 2` runs a prefork
worker of two processes, where the sweeper's copy of a chunk can take over a live lease (with a
5 s lease, as long as Lease.RENEW_EVERY, each takeover may resend the e-mail in flight).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.conftest import PrivateRedis, SlowSMTP, free_port  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
DATABASE = "ipm_faults"
IN_APP_CHUNK = 250
HELPERS = "tests.notifying_helpers"


def log(message: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- private services


class PrivatePostgres:
    """A PostgreSQL cluster of this run's own, in `directory`, on a free port; its socket in the
    same directory. Run as the `postgres` system user when this process is root (initdb refuses
    root)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.data = directory / "data"
        self.logfile = directory / "postgres.log"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.running = False

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        if self.as_root:
            command = ("runuser", "-u", "postgres", "--", *command)
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)  # noqa: S603

    def init(self) -> None:
        if self.as_root:
            self.directory.parent.chmod(0o711)  # mkdtemp's 0700 would keep the postgres user out
            shutil.chown(self.directory, "postgres", "postgres")
        self.directory.chmod(0o700)
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        pg_ctl = str(PG_BIN / "pg_ctl")
        self._run(pg_ctl, "-D", str(self.data), "-l", str(self.logfile), "-o", options, "-w", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=mode == "fast")
        self.running = False

    def restart(self, down: float = 0.0) -> float:
        """stop -m fast, `down` seconds without a server, then start: returns the seconds the
        server did not answer."""
        started = time.monotonic()
        self.stop("fast")
        time.sleep(down)
        self.start()
        return time.monotonic() - started

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')


class TimedSMTP(SlowSMTP):
    """SlowSMTP that also notes when each message was accepted: `.accepted` lists (recipient,
    event id, time.monotonic()) in order of acceptance, beside SlowSMTP's `.received`."""

    def __init__(self, delay: float):
        super().__init__(delay)
        self.accepted: list[tuple[str, str, float]] = []

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        import email
        from email import policy

        await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        now = time.monotonic()
        for recipient in envelope.rcpt_tos:
            self.received.append((recipient, message["X-IPM-Event-Id"]))
            self.accepted.append((recipient, message["X-IPM-Event-Id"], now))
        return "250 OK"

    def for_event(self, event_id: str) -> list[str]:
        return [recipient for recipient, event in list(self.received) if event == event_id]


class Worker:
    """One Celery worker subprocess with the production settings on the private services; its
    log goes to a file, so that the task failures a restart causes can be counted."""

    def __init__(self, queue: str, logfile: Path, concurrency: int, env: dict):
        self.queue, self.logfile, self.concurrency, self.env = queue, logfile, concurrency, env
        self.name = f"{queue}@{os.uname().nodename}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        from ipm_portal.celery import app

        pool = ["--pool=solo"] if self.concurrency == 1 else ["--pool=prefork", f"--concurrency={self.concurrency}"]
        with open(self.logfile, "ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "celery", "-A", "ipm_portal", "worker", *pool, "-Q", self.queue,
                 "-n", f"{self.queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "-l", "INFO", "--include", HELPERS],
                cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker exited ({self.process.returncode}); see {self.logfile}.")
            if app.control.ping(destination=[self.name], timeout=0.5):
                return
        raise RuntimeError("The worker did not answer a ping within 60 s.")

    def failures(self) -> int:
        """Tasks that raised so far (Celery's 'raised unexpected' lines)."""
        try:
            return self.logfile.read_text(errors="replace").count("raised unexpected")
        except OSError:
            return 0

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


# --------------------------------------------------------------------------- measuring


def reset_connections() -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(Exception):  # a connection to a server that went away
            connection.close()


def query(function, default=None):
    """`function()`, or `default` while the database does not answer (the connection is reset,
    so that the next call connects again)."""
    from django.db import DatabaseError, InterfaceError

    try:
        return function()
    except (DatabaseError, InterfaceError):
        reset_connections()
        return default


def sweep_once() -> bool:
    """The beat's sweeper, in this process, as if every chunk had been enqueued long ago; False
    when it could not run (PostgreSQL down)."""
    from notifications import tasks

    try:
        tasks.sweep.apply(kwargs={"stale_after_seconds": 0})
    except Exception:
        reset_connections()
        return False
    return True


def completed(event_id) -> bool:
    from core.models import Event

    return bool(query(lambda: Event.objects.filter(pk=event_id, completed_at__isnull=False).exists(), False))


def sweep_until_completed(event_id, seconds: float) -> tuple[bool, int]:
    """Sweeper every second until the event is completed; (completed, sweeper runs that failed)."""
    deadline = time.monotonic() + seconds
    failed = 0
    next_sweep = time.monotonic()
    while time.monotonic() < deadline:
        if completed(event_id):
            return True, failed
        if time.monotonic() >= next_sweep:
            failed += not sweep_once()
            next_sweep = time.monotonic() + 1.0
        time.sleep(0.1)
    return completed(event_id), failed


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def in_app(event_id) -> tuple[int, int]:
    """(rows, distinct recipients) of the event's in-app notifications."""
    from notifications.models import Notification

    rows = list(Notification.objects.filter(event_id=event_id).values_list("recipient_id", flat=True))
    return len(rows), len(set(rows))


def chunk_claims(event_id) -> int:
    from django.db.models import Sum

    from notifications.models import EventChunk

    return EventChunk.objects.filter(event_id=event_id).aggregate(total=Sum("attempts"))["total"] or 0


# --------------------------------------------------------------------------- scenarios


def email_chunk_restart(pg, smtp, worker, organization, people, args) -> list[dict]:
    from django.db.models import Sum

    from notifications.models import Channel, DeliveryStatus, EmailDelivery, EventChunk
    from tests.test_notifications_worker import broadcast

    addresses = {person.email for person in people}
    failures_before = worker.failures()
    event = broadcast(organization, text="PostgreSQL restarted mid e-mail chunk")
    event_id = str(event.pk)
    emitted = time.monotonic()
    if not wait_for(lambda: len(smtp.for_event(event_id)) >= args.emails_before, 60):
        raise RuntimeError("The e-mail chunk never started.")
    before = len(smtp.for_event(event_id))
    restarted = time.monotonic()
    down = pg.restart(args.down_seconds)
    log(f"e-mail scenario: restarted PostgreSQL after {before} e-mails ({down:.2f} s without a server)")
    done, sweeps_failed = sweep_until_completed(event_id, args.timeout)
    recovery = time.monotonic() - restarted
    time.sleep(1.0)  # a straggling task, if it sends anything more, has sent it by now
    received = smtp.for_event(event_id)
    accepted = [at for _recipient, event, at in list(smtp.accepted) if event == event_id]
    gaps = [later - earlier for earlier, later in itertools.pairwise(accepted) if later > restarted]
    stalled = max(gaps, default=0.0) - args.smtp_delay
    # From the first accepted e-mail to the last, against one SMTP exchange per recipient.
    extra = (accepted[-1] - accepted[0]) - (len(accepted) - 1) * args.smtp_delay if accepted else 0.0
    rows, distinct = query(lambda: in_app(event_id), (0, 0))
    sent_rows = query(lambda: EmailDelivery.objects.filter(event_id=event_id, status=DeliveryStatus.SENT).count(), 0)
    undisturbed = len(addresses) * args.smtp_delay
    email_claims = query(
        lambda: EventChunk.objects.filter(event_id=event_id, channel=Channel.EMAIL).aggregate(n=Sum("attempts"))["n"],
        0,
    )
    common = {
        "sending_stalled_seconds": round(stalled, 1),
        "completed": done,
        "restart_after_seconds": round(restarted - emitted, 1),
        "server_down_seconds": round(down, 2),
        "worker_task_failures": worker.failures() - failures_before,
        "sweeper_runs_failed": sweeps_failed,
    }
    lease_note = f"lease {args.lease} s, sweeper every second, {args.concurrency}-process worker"
    if args.down_seconds:
        lease_note += f", {down:.1f} s without a server"
    return [
        {
            "scenario": (
                f"PostgreSQL restarted (stop -m fast, start) in the middle of an e-mail chunk "
                f"({len(addresses)} recipients, SMTP {args.smtp_delay} s a message, {before} sent before) — e-mail"
            ),
            "expected": len(addresses),
            "delivered": len(set(received) & addresses),
            "duplicates": len(received) - len(set(received)),
            "lost": len(addresses - set(received)),
            "recovery_seconds": round(recovery, 1),
            "note": (
                f"{lease_note}; sending stalled {stalled:.1f} s; the last e-mail {extra:.1f} s later than "
                f"undisturbed (the chunk alone takes {undisturbed:.0f} s); {sent_rows} deliveries recorded as sent; "
                f"the e-mail chunk claimed {email_claims} times"
            ),
            **common,
        },
        {
            "scenario": "the same event, PostgreSQL restarted during its e-mail chunk — in-app",
            "expected": len(people),
            "delivered": distinct,
            "duplicates": rows - distinct,
            "lost": len(people) - distinct,
            "recovery_seconds": None,
            "note": "written before the restart (the in-app chunk is quick); exactly once each"
            if rows == distinct == len(people)
            else "NOT exactly once",
            **common,
        },
    ]


def fan_out_restart(pg, worker, organization, people, args) -> list[dict]:
    from notifications.models import Notification
    from tests.test_notifications_worker import broadcast

    failures_before = worker.failures()
    chunks = -(-len(people) // IN_APP_CHUNK)
    event = broadcast(organization, text="PostgreSQL restarted mid fan-out", delay=args.chunk_delay)
    event_id = str(event.pk)
    threshold = max(IN_APP_CHUNK, len(people) // 10)
    if not wait_for(lambda: Notification.objects.filter(event_id=event_id).count() >= threshold, 60):
        raise RuntimeError("The fan-out never started.")
    before = Notification.objects.filter(event_id=event_id).count()
    restarted = time.monotonic()
    down = pg.restart(args.down_seconds)
    log(f"fan-out scenario: restarted PostgreSQL after {before} rows ({down:.2f} s without a server)")
    done, sweeps_failed = sweep_until_completed(event_id, args.timeout)
    recovery = time.monotonic() - restarted
    rows, distinct = query(lambda: in_app(event_id), (0, 0))
    claims = query(lambda: chunk_claims(event_id), 0)
    return [
        {
            "scenario": (
                f"PostgreSQL restarted (stop -m fast, start) in the middle of a {len(people):,}-recipient "
                f"in-app fan-out ({chunks} chunks of {IN_APP_CHUNK}, {before:,} rows written before) — in-app"
            ),
            "expected": len(people),
            "delivered": distinct,
            "duplicates": rows - distinct,
            "lost": len(people) - distinct,
            "recovery_seconds": round(recovery, 1),
            "note": (
                f"lease {args.lease} s, sweeper every second, {down:.1f} s without a server; "
                f"{claims} chunk claims for {chunks} chunks; "
                f"{args.chunk_delay} s per chunk spent in the title"
            ),
            "completed": done,
            "server_down_seconds": round(down, 2),
            "worker_task_failures": worker.failures() - failures_before,
            "sweeper_runs_failed": sweeps_failed,
        }
    ]


NOT_MEASURED = {
    "scenario": "PostgreSQL down while a domain action commits",
    "expected": None,
    "delivered": None,
    "duplicates": None,
    "lost": None,
    "recovery_seconds": None,
    "note": (
        "not measured: the action's own transaction fails (the event row is written in it), the caller "
        "gets an error and nothing was promised to anyone; there is nothing for the pipeline to deliver"
    ),
}


def markdown(row: dict) -> str:
    if row["expected"] is None:
        return f"| {row['scenario']} | — | — | — | — | {row['note']} |"
    recovery = "—" if row["recovery_seconds"] is None else f"{row['recovery_seconds']} s"
    if row.get("completed") is False:
        recovery = f"not completed within {recovery}"
    return (
        f"| {row['scenario']} | {row['expected']} | {row['delivered']} | {row['duplicates']} | "
        f"{row['lost']} | {recovery} |"
    )


# --------------------------------------------------------------------------- main


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--recipients", type=int, default=60, help="officers who get the e-mail (scenario 1)")
    parser.add_argument("--smtp-delay", type=float, default=0.3, help="seconds the SMTP server takes per message")
    parser.add_argument("--emails-before", type=int, default=5, help="e-mails to wait for before the restart")
    parser.add_argument("--fanout", type=int, default=5000, help="officers of the in-app fan-out (scenario 2)")
    parser.add_argument("--chunk-delay", type=float, default=0.15, help="seconds each in-app chunk is slowed by")
    parser.add_argument("--lease", type=int, default=5, help="NOTIFICATIONS_LEASE_SECONDS of the worker")
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes (1: solo pool)")
    parser.add_argument("--down-seconds", type=float, default=0.0, help="seconds between stop and start")
    parser.add_argument("--timeout", type=float, default=90, help="seconds to wait for a scenario's completion")
    parser.add_argument("--worker-log", type=Path, help="copy the worker's log there at the end")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON")
    return parser.parse_args()


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    args = parse()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    started = time.monotonic()
    directory = Path(tempfile.mkdtemp(prefix="ipm-faults-"))
    pg = PrivatePostgres(directory / "pg")
    redis: PrivateRedis | None = None
    smtp: TimedSMTP | None = None
    worker: Worker | None = None
    try:
        pg.directory.mkdir()
        pg.init()
        pg.start()
        pg.create_database(DATABASE)
        (directory / "redis").mkdir()
        redis = PrivateRedis(directory / "redis")
        redis.start()
        smtp = TimedSMTP(args.smtp_delay)
        smtp.start()
        queue = f"faults-{uuid.uuid4().hex[:8]}"
        # Before Django and Celery are imported: this process's settings and broker are private.
        os.environ.update(
            DJANGO_SETTINGS_MODULE="ipm_portal.settings",
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(40),
            DATABASE_URL=pg.url(DATABASE),
            REDIS_URL=redis.url,
            CELERY_QUEUE=queue,
            WEBHOOKS_QUEUE=f"{queue}-webhooks",
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
            NOTIFICATIONS_LEASE_SECONDS=str(args.lease),
            NOTIFICATIONS_CHUNK_SIZE=str(IN_APP_CHUNK),
            LOG_LEVEL="WARNING",
        )
        log(f"PostgreSQL on {pg.port}, Redis on {redis.port}, SMTP on {smtp.port}: migrating")
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if migrate.returncode:
            raise RuntimeError(f"migrate failed:\n{migrate.stdout[-3000:]}\n{migrate.stderr[-3000:]}")

        import logging

        import django

        django.setup()
        # The in-process sweeper's failures while PostgreSQL is down are expected and counted.
        logging.getLogger("celery.app.trace").setLevel(logging.CRITICAL)

        from accounts.models import Organization, OrganizationKind, Status
        from notifications.models import EmailMode
        from tests.test_notifications_worker import officers

        def customs(name: str) -> Organization:
            return Organization.objects.create(
                kind=OrganizationKind.CUSTOMS, name=name, country="FR", status=Status.APPROVED
            )

        mail_org = customs("Faults E-mail Customs")
        mail_people = officers(mail_org, args.recipients, email=EmailMode.IMMEDIATE)
        fan_org = customs("Faults Fan-out Customs")
        fan_people = officers(fan_org, args.fanout)
        log(f"{args.recipients} + {args.fanout} officers created; starting the worker")

        worker = Worker(queue, directory / "worker.log", args.concurrency, dict(os.environ))
        worker.start()

        rows = email_chunk_restart(pg, smtp, worker, mail_org, mail_people, args)
        rows += fan_out_restart(pg, worker, fan_org, fan_people, args)
        rows.append(NOT_MEASURED)

        if not args.json_only:
            print("| scenario | expected | delivered | duplicates | lost | recovery |")
            print("|---|---|---|---|---|---|")
            for row in rows:
                print(markdown(row))
            print()
        print(
            json.dumps(
                {
                    "options": vars(args),
                    "postgresql": "15 (private cluster, default settings)",
                    "run_seconds": round(time.monotonic() - started, 1),
                    "rows": rows,
                },
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
        return 0
    finally:
        log("cleaning up")
        if worker is not None:
            worker.stop()
            if args.worker_log is not None and worker.logfile.exists():
                shutil.copyfile(worker.logfile, args.worker_log)
        if "django" in sys.modules:
            reset_connections()
        if smtp is not None:
            smtp.stop()
        if redis is not None:
            redis.stop()
        if (pg.data / "postmaster.pid").exists():
            try:
                pg.stop("immediate")
            except Exception as error:
                log(f"could not stop the private PostgreSQL: {error}")
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
