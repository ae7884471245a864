"""What the benchmarks that seed their own PostgreSQL database share (imported as `benchdb`: each
script runs as `python bench/<name>.py`, so this folder is on the path)."""

from __future__ import annotations

import os
import sys


def ensure_database(reseed: bool) -> None:
    """Create DATABASE_URL's database, or drop and create it again (only a database named *bench*)."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"].split("?")[0])
    name = config["NAME"]
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            if "bench" not in name:
                sys.exit(f"Refusing to drop {name!r}: --reseed drops only a database whose name contains 'bench'.")
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
