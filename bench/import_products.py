"""Benchmark: import a 50,000-row product CSV into one brand, as the background job does.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipm_bench .venv/bin/python bench/import_products.py [ROWS]

Creates (or empties) the benchmark database's catalogue, writes a CSV with valid, distinct GTINs
to a temporary file, then reads it as a stream and imports it in one transaction (all or
nothing), reporting the time, the peak of Python allocations while importing (tracemalloc) and
the process's peak resident memory. A second run checks that an error in the last row rolls
everything back.
"""

from __future__ import annotations

import contextlib
import csv
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipm_portal.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ipm_bench")
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from stdnum import ean  # noqa: E402

from accounts.models import Membership, Organization, Role, Status, User  # noqa: E402
from brands.importing import import_products  # noqa: E402
from brands.models import Brand, Product  # noqa: E402
from jobs.errors import ErrorList, RowErrors  # noqa: E402
from jobs.readers import iter_rows  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000


def ensure_database() -> None:
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname="postgres", autocommit=True
    ) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def write_csv(path: Path, rows: int, *, broken_last: bool = False) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "name",
                "sku",
                "gtins",
                "hs_code",
                "category",
                "description",
                "price_min",
                "price_max",
                "price_currency",
                "sold_in",
            ]
        )
        for i in range(rows):
            body = f"50{i:010d}"
            gtin = body + ean.calc_check_digit(body)
            if broken_last and i == rows - 1:
                gtin = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
            writer.writerow(
                [
                    f"Bench product {i}",
                    f"B-{i:06d}",
                    gtin,
                    "610910",
                    "apparel",
                    "A plain cotton T-shirt with a printed logo on the chest.",
                    "10.00",
                    "25.00",
                    "EUR",
                    "FR;DE;ES",
                ]
            )


def run(path: Path, brand: Brand, *, trace: bool) -> tuple[float, int, dict | None, int]:
    """Import the file; with `trace`, also the peak of Python allocations (tracemalloc slows
    Python down, so the time is taken from a run without it)."""
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    errors = ErrorList()
    result = None
    with path.open("rb") as stream:
        header, rows = iter_rows(stream, path.name)
        with contextlib.suppress(RowErrors):
            result = import_products(brand=brand, header=header, rows=rows, errors=errors, progress=lambda *a: None)
    elapsed = time.perf_counter() - started
    peak = 0
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, peak, result, errors.count


def main() -> None:
    ensure_database()
    call_command("migrate", verbosity=0)
    owner, _ = Organization.objects.get_or_create(
        kind="right_holder", name="Bench Co", country="CH", defaults={"status": Status.APPROVED}
    )
    user = User.objects.filter(email="bench@bench.example").first() or User.objects.create_user(
        email="bench@bench.example", password="x", full_name="Bench", status=Status.APPROVED
    )
    Membership.objects.get_or_create(user=user, defaults={"organization": owner, "role": Role.EDITOR})
    brand, _ = Brand.objects.get_or_create(owner=owner, name="Bench")
    Product.objects.filter(brand=brand).delete()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "products.csv"
        write_csv(path, ROWS)
        size = path.stat().st_size
        elapsed, _peak, result, _ = run(path, brand, trace=False)
        print(
            f"import of {ROWS:,} rows ({size / 2**20:.1f} MB CSV): {elapsed:.1f} s, {ROWS / elapsed:,.0f} rows/s; "
            f"result {result}"
        )
        assert Product.objects.filter(brand=brand).count() == ROWS

        Product.objects.filter(brand=brand).delete()
        _elapsed, peak, _result, _ = run(path, brand, trace=True)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"memory (second run, under tracemalloc): peak Python allocations {peak / 2**20:.1f} MB, "
            f"process peak RSS {rss:.0f} MB"
        )

        Product.objects.filter(brand=brand).delete()
        write_csv(path, ROWS, broken_last=True)
        elapsed, _peak, _result, count = run(path, brand, trace=False)
        print(
            f"same file with a bad check digit in the last row: {elapsed:.1f} s, {count} error, "
            f"{Product.objects.filter(brand=brand).count()} products kept (all rolled back)"
        )


if __name__ == "__main__":
    main()
