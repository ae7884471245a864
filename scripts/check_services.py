#!/usr/bin/env python3
"""Check that the services the test suite needs answer, before pytest starts.

PostgreSQL at DATABASE_URL and Redis at REDIS_URL (the same defaults as
ipm_portal/settings_test.py: the local servers). Exit 0 when both answer; otherwise print
ONE line saying which is unreachable and how to start it, and exit 2.

Run with the project's virtual environment (it needs psycopg and redis):
    .venv/bin/python scripts/check_services.py
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ipm_portal"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
TIMEOUT = 3  # seconds, for each connection attempt
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}

# How to start each service: its docker compose service name and the Debian command.
START = {
    "PostgreSQL": ("db", "pg_ctlcluster 15 main start"),
    "Redis": ("redis", "redis-server --daemonize yes"),
}


def start_hint(names: list[str]) -> str:
    services = " ".join(START[name][0] for name in names)
    commands = " and ".join(f"`{START[name][1]}`" for name in names)
    pronoun = "them" if len(names) > 1 else "it"
    return f"start {pronoun} with `docker compose up -d {services}`, or on Debian {commands}"


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def first_line(error: BaseException) -> str:
    """The gist of a driver error: its first line, without libpq's "connection to ... failed:" preamble."""
    text = str(error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    return line.rsplit(" failed: ", 1)[-1].strip()


def is_down(reason: str) -> bool:
    """True when nothing answers (as opposed to a server that answers and refuses us)."""
    markers = (
        "refused",
        "timeout",
        "timed out",
        "could not translate host",
        "name or service not known",
        "no route",
        "unreachable",
        "no such file",
        "error 111",
        "error 113",
        "ssl negotiation",
    )
    return any(marker in reason.lower() for marker in markers)


def check_postgres(url: str) -> str | None:
    """None when the server answers, else a short reason."""
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        return f"DATABASE_URL must point to PostgreSQL for the test suite (got a {parts.scheme or 'bare'} URL)"
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(urlunsplit(parts._replace(scheme="postgresql")))
    target = params.get("dbname")
    # The test run creates its own databases, so only the server matters: try the maintenance
    # database first, then the one named in the URL (a user may be barred from `postgres`).
    reasons = []
    for dbname in dict.fromkeys(["postgres", target]):
        if not dbname:
            continue
        try:
            with psycopg.connect(**{**params, "dbname": dbname}, connect_timeout=TIMEOUT) as connection:
                connection.execute("SELECT 1")
            return None
        except psycopg.Error as error:
            reasons.append(first_line(error))
    return reasons[0] if reasons else "no database to connect to"


def check_redis(url: str) -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as error:
        return first_line(error)
    return None


def main() -> int:
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    failures = []
    down_services = []
    for name, url, check in (("PostgreSQL", database_url, check_postgres), ("Redis", redis_url, check_redis)):
        reason = check(url)
        if reason is None:
            continue
        down = is_down(reason)
        if down:
            down_services.append(name)
        state = "unreachable" if down else "refuses the connection"
        if name == "PostgreSQL" and reason.startswith("DATABASE_URL"):
            failures.append(reason)
        else:
            failures.append(f"{name} at {redact(url)} {state} ({reason})")
    if failures:
        hint = f"; {start_hint(down_services)}" if down_services else ""
        print(f"Cannot run the tests: {' and '.join(failures)}{hint}.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
