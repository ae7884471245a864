"""Benchmark: the officer's search (GET /api/v1/search/) at 100,000 products, through gunicorn.

    make bench-search                                     # the same as the next line (needs apt-get install wrk)
    .venv/bin/python bench/search.py                      # seed once (about 3 min), then measure (about 6 min)
    .venv/bin/python bench/search.py --reseed             # drop the benchmark database and seed again
    .venv/bin/python bench/search.py --servers sync,gthread --profile --jit on
    .venv/bin/python bench/search.py --engine             # the search engine (Tantivy) instead of the database

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ipm_bench) names the benchmark's own
database: the script creates it, migrates it and seeds it once (2,000 brands of 200 right
holders, some with aliases, some in other scripts, some visible to a few countries only;
100,000 products with valid GTINs, HS codes, categories and descriptions; 5,000 published guides
with indicators), with bulk_create and then `search.index.reindex_brands` by chunks. It drops a
database only if its name contains "bench". A French customs officer with an API token makes
the requests.

Then, in one run:
1. every query of the mix (exact brand, typo, GTIN, free text, no hits; 20 of each) goes once
   through the real endpoint in-process, its SQL captured with `connection.execute_wrapper`;
   those exact statements are then timed alone with psycopg (the database's own time) and the
   slow ones explained (EXPLAIN ANALYZE);
2. gunicorn serves the portal with the production settings (DEBUG off, 2 workers) and `wrk`
   (apt-get install wrk) measures p50/p95/p99 and requests/s of the search for 1 and 16
   clients, and of the trivial /healthz JSON endpoint of the same server; the CPU used by the
   workers, by PostgreSQL, by wrk and by anything else on the machine is sampled from /proc;
3. with --profile, py-spy samples the workers during another run at 16 clients.

With --engine, the searches (in-process and through gunicorn) are answered by the search engine
(issue 15: SEARCH_ENGINE=tantivy, SEARCH_INDEX_DIR=<--out>/search-index), after
`manage.py search_rebuild --path <that dir>` has built the index from the benchmark database
(timed; the index's size is `du -sh`); the captured SQL is then the engine path's (the page's
ids re-checked in the database). Without it, the database backend, as before.

Prints a Markdown report and writes it with the raw figures to --out (default /tmp/ipm-bench-search).
"""

# ruff: noqa: S311, S603, SIM905, RUF005 (seeded pseudo-random data; subprocesses are gunicorn, wrk and py-spy)
from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BRANDS, ORGANIZATIONS, GUIDES = 2000, 200, 5000
QUERIES_PER_KIND = 20
KINDS = ("exact brand", "typo", "GTIN", "free text", "no hits")

# The production settings, for this process and for gunicorn alike.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "ipm_portal.settings",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback: TLS ends at the proxy
    "API_THROTTLE_USER": "10000000/min",  # one person makes every request of the benchmark
    "CONN_MAX_AGE": "600",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--products",
        type=int,
        default=100_000,
        help="products in the data set, a multiple of 2,000 (the brands): 100000 (50 a brand, the default) or "
        "1000000 (500 a brand); each scale has its own database",
    )
    parser.add_argument("--reseed", action="store_true", help="drop the benchmark database and seed it again")
    parser.add_argument("--seed-only", action="store_true", help="seed (if needed) and stop")
    parser.add_argument("--seconds", type=int, default=20, help="length of each measured mix run (default 20)")
    parser.add_argument("--kind-seconds", type=int, default=8, help="length of each per-kind run at 1 client")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="threads per worker for the gthread server")
    parser.add_argument(
        "--servers", default="sync", help="comma-separated gunicorn worker classes to measure: sync, gthread"
    )
    parser.add_argument("--redis", action="store_true", help="use REDIS_URL (or the local Redis, db 15) as cache")
    parser.add_argument("--profile", action="store_true", help="py-spy the workers during an extra run")
    parser.add_argument(
        "--jit",
        choices=("settings", "on", "off"),
        default="settings",
        help="PostgreSQL JIT for the portal's connections: as the settings say (DATABASE_JIT_OFF, off by "
        "default), or forced on (as PostgreSQL ships) or off",
    )
    parser.add_argument(
        "--engine",
        action="store_true",
        help="search with the search engine (SEARCH_ENGINE=tantivy) on an index built into --out/search-index "
        "by `manage.py search_rebuild` (timed) instead of the database backend",
    )
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "ipm-bench-search"))
    return parser.parse_args()


ARGS = parse_args()
if ARGS.products <= 0 or ARGS.products % BRANDS:
    sys.exit(f"--products must be a positive multiple of {BRANDS:,} (the brands).")
PRODUCTS_PER_BRAND = ARGS.products // BRANDS


def default_database_url(products: int) -> str:
    """One database per scale: ipm_bench (100,000 products), ipm_bench_1m (1,000,000), ipm_bench_<n>."""
    if products == 100_000:
        return "postgres://postgres@127.0.0.1:5432/ipm_bench"
    label = f"{products // 1_000_000}m" if products % 1_000_000 == 0 else f"{products // 1000}k"
    return f"postgres://postgres@127.0.0.1:5432/ipm_bench_{label}"


# BENCH_DATABASE_URL, or the scale's own database; never DATABASE_URL (a developer's own database).
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or default_database_url(ARGS.products)
if ARGS.jit != "settings":
    os.environ["DATABASE_JIT_OFF"] = "true" if ARGS.jit == "off" else "false"
os.environ.setdefault("STATIC_ROOT", str(Path(ARGS.out) / "static"))  # no collected files needed
Path(os.environ["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.update(SERVER_ENV)
ENGINE_INDEX_DIR = Path(ARGS.out).resolve() / "search-index"
if ARGS.engine:
    os.environ["SEARCH_ENGINE"] = "tantivy"
    os.environ["SEARCH_INDEX_DIR"] = str(ENGINE_INDEX_DIR)
else:
    os.environ["SEARCH_ENGINE"] = "database"
if ARGS.redis:
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("CACHE_KEY_PREFIX", "ipm-bench")
else:
    os.environ.pop("REDIS_URL", None)  # local-memory cache, tasks in-process


from benchdb import ensure_database  # noqa: E402

ensure_database(ARGS.reseed)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from stdnum import ean  # noqa: E402

from accounts.models import ApiToken, Membership, Organization, OrganizationKind, Role, Status, User  # noqa: E402
from authentication_guides.models import (  # noqa: E402
    Guide,
    GuideCountry,
    GuideStatus,
    GuideVersion,
    Importance,
    Indicator,
    VersionStatus,
)
from brands.models import (  # noqa: E402
    Brand,
    BrandAgency,
    BrandCountry,
    Product,
    ProductGTIN,
    SupplyChainEntry,
    SupplyChainRole,
    TrademarkRegistration,
)
from search import index  # noqa: E402
from search.models import SearchDocument  # noqa: E402
from search.text import normalize  # noqa: E402

# --------------------------------------------------------------------------- the data set

SYLLABLES = (
    "ka lo mi ra ven tor lu na zen ar del sol vi tra no bel qui fa ro sen mar ti ga li "
    "pe do ru sa cor val nix ter bra mon kel fi ose dra ul vo ta ne si ber gol an"
).split()
ACCENTED = {"e": "é", "o": "ô", "a": "à", "u": "ü", "i": "ï"}
SUFFIXES = ["", "", "", "", " Paris", " Milano", " & Co", " Labs", " Sport", " Maison"]
CATEGORY_ITEMS = {
    "apparel": ["Polo Shirt", "Hoodie", "T-Shirt", "Denim Jacket", "Track Pants", "Cap", "Scarf"],
    "footwear": ["Running Shoe", "Sneaker", "Leather Boot", "Sandal", "Trail Shoe"],
    "leather_goods": ["Handbag", "Wallet", "Belt", "Card Holder", "Tote Bag"],
    "watches_jewellery": ["Chronograph", "Diver Watch", "Bracelet", "Ring", "Pendant"],
    "cosmetics_perfume": ["Eau de Parfum", "Lipstick", "Face Cream", "Mascara", "Serum"],
    "pharmaceuticals": ["Tablets 500 mg", "Capsules 20 mg", "Syrup", "Inhaler", "Injection Pen"],
    "electronics": ["Wireless Earbuds", "Charger", "Power Bank", "Phone Case", "Headphones"],
    "automotive_parts": ["Brake Pad Set", "Oil Filter", "Spark Plug", "Air Filter", "Wiper Blade"],
    "toys": ["Building Set", "Plush Bear", "Action Figure", "Puzzle", "Model Car"],
    "tobacco": ["Cigarettes", "Rolling Tobacco", "Cigarillos"],
    "alcohol_beverages": ["Vodka 70 cl", "Single Malt", "Champagne Brut", "Cognac VSOP", "Gin"],
    "food": ["Chocolate Bar", "Olive Oil", "Coffee Beans", "Infant Formula", "Honey"],
    "household": ["Razor Blades", "Detergent", "Batteries AA", "Light Bulb", "Kettle"],
    "media_software": ["Game Cartridge", "Blu-ray Box", "Licence Card"],
    "sporting_goods": ["Football", "Tennis Racket", "Golf Balls", "Cycling Helmet", "Yoga Mat"],
}
HS_CODES = {
    "apparel": ["6105100000", "6109100010", "6110200000", "6203423100", "6505009000"],
    "footwear": ["6403990000", "6404110000", "6402190000"],
    "leather_goods": ["4202210000", "4202310000", "4203300000"],
    "watches_jewellery": ["9102110000", "7113190000", "9101210000"],
    "cosmetics_perfume": ["3303001000", "3304990000", "3304100000"],
    "pharmaceuticals": ["3004900000", "3004200000"],
    "electronics": ["8517130000", "8518300000", "8504403000", "8507600000"],
    "automotive_parts": ["8708301000", "8421230000", "8511100000"],
    "toys": ["9503007000", "9503002100", "9503004100"],
    "tobacco": ["2402200000", "2403191000"],
    "alcohol_beverages": ["2208601100", "2208301100", "2204109300"],
    "food": ["1806320000", "1509200000", "0901210000"],
    "household": ["8212200000", "3402500000", "8506101100"],
    "media_software": ["8523492000", "9504500000"],
    "sporting_goods": ["9506620000", "9506510000", "9506320000"],
}
ADJECTIVES = (
    "Classic Organic Premium Sport Ultra Heritage Pro Lite Limited Signature Urban Original "
    "Deluxe Eco Vintage Carbon Aqua Nova Prime Essential"
).split()
FEATURES = [
    "Embroidered logo on the chest",
    "Holographic security label inside",
    "Laser-engraved serial number",
    "Even stitching, eight stitches per centimetre",
    "Batch code printed on the base",
    "Tamper-evident seal on the cap",
    "Micro-text around the logo",
    "UV-reactive ink on the label",
    "QR code linking to the verification page",
    "Metal hardware stamped with the logo",
    "Care label sewn in two languages",
    "Leather lining with embossed monogram",
    "Blister foil printed with the lot number",
    "Rubber sole moulded with the size grid",
]
PACKAGING = [
    "a rigid box with a magnetic lid",
    "a blister pack",
    "a shrink-wrapped carton",
    "a dust bag",
    "a recycled paper sleeve",
    "a tin case",
]
INDICATORS = [
    ("Hologram label", "The hologram shifts from silver to green when tilted; fakes show a flat print."),
    ("Serial number", "Engraved, not printed; the digits are evenly spaced and match the box."),
    ("Logo embroidery", "Dense satin stitch without loose threads; fakes use fewer stitches."),
    ("Stitching", "Eight stitches per centimetre in a straight line; fakes wander."),
    ("Batch code", "Printed in dot matrix on the base and repeated on the carton."),
    ("Barcode label", "The GTIN on the label matches the one on the carton."),
    ("Font of the printing", "A narrow sans-serif; counterfeits use a wider font."),
    ("Tamper seal", "Breaks into a VOID pattern when lifted."),
    ("Weight", "Within two grams of the reference weight."),
    ("Zip puller", "Stamped with the logo, matt finish."),
    ("Care label", "Sewn in, two languages, the factory code on the back."),
    ("Cap and crimp", "The crimp is even and the cap turns without play."),
]
LOCATIONS = ["inside left seam", "base of the box", "back of the case", "under the cap", "on the tongue"]
COUNTRIES = ["FR", "DE", "IT", "ES", "NL", "BE", "PL"]
ORIGINS = ["CN", "VN", "BD", "IN", "TR", "PT", "IT", "MA", "TH", "ID"]
CJK = "路明纳雅思兰蔻华美达宝诗龙凯迪拉克丽星光之源泰富安"
ARABIC = dict(zip("abcdefghijklmnopqrstuvwxyz", "ابكدفغهيجكلمنوبقرستويوكسيز", strict=True))
CYRILLIC = dict(zip("abcdefghijklmnopqrstuvwxyz", "абцдефгхийклмнопкрстуввксз", strict=True))
GUIDE_TITLE = {
    "en": "How to verify {brand} {item}",
    "fr": "Vérifier un article {brand} : {item}",
    "es": "Cómo verificar {brand} {item}",
}
GUIDE_SUMMARY = {
    "en": "Check the label, the stitching and the packaging before anything else.",
    "fr": "Contrôlez d'abord l'étiquette, les coutures et l'emballage.",
    "es": "Compruebe primero la etiqueta, las costuras y el embalaje.",
}


def brand_names(rng: random.Random) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < BRANDS:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
        if rng.random() < 0.1:  # some with accents: "lancome" must find "Lancôme"
            i = next((i for i, c in enumerate(word) if c in ACCENTED), None)
            if i is not None:
                word = word[:i] + ACCENTED[word[i]] + word[i + 1 :]
        name = word.capitalize() + rng.choice(SUFFIXES)
        names.setdefault(name, None)
    return list(names)


def aliases_for(name: str, rng: random.Random) -> list[str]:
    word = normalize(name).split()[0]
    roll = rng.random()
    if roll < 0.05:
        return ["".join(rng.choice(CJK) for _ in range(rng.choice((2, 3))))]
    if roll < 0.08:
        return ["".join(ARABIC.get(c, "") for c in word)]
    if roll < 0.12:
        return ["".join(CYRILLIC.get(c, "") for c in word).capitalize()]
    if roll < 0.35:
        return [
            word.upper()[:3] + " " + rng.choice(["Group", "International", "Original"]),
            f"{word}-{rng.randint(1, 9)}",
        ]
    return []


def gtin(body: str) -> str:
    return body + ean.calc_check_digit(body)


def seed(rng: random.Random) -> dict:
    started = time.perf_counter()
    timings = {}
    with transaction.atomic():
        organizations = Organization.objects.bulk_create(
            Organization(
                kind=OrganizationKind.RIGHT_HOLDER,
                name=f"Bench Right Holder {i:03d}",
                country=rng.choice(["CH", "FR", "IT", "DE", "US", "JP"]),
                status=Status.APPROVED,
            )
            for i in range(ORGANIZATIONS)
        )
        categories = list(CATEGORY_ITEMS)
        brands = []
        for i, name in enumerate(brand_names(rng)):
            brand_categories = rng.sample(categories, rng.choice((1, 1, 2)))
            brands.append(
                Brand(
                    owner=organizations[i % ORGANIZATIONS],
                    name=name,
                    aliases=aliases_for(name, rng),
                    description=f"{name} makes {CATEGORY_ITEMS[brand_categories[0]][0].lower()}s and more.",
                    categories=brand_categories,
                    visible_to_all=rng.random() >= 0.25,
                )
            )
        brands = Brand.objects.bulk_create(brands, batch_size=1000)
        BrandCountry.objects.bulk_create(
            BrandCountry(brand=brand, country=country)
            for brand in brands
            if not brand.visible_to_all
            for country in rng.sample(COUNTRIES, rng.randint(1, 3))
        )
        TrademarkRegistration.objects.bulk_create(
            TrademarkRegistration(
                brand=brand,
                office=rng.choice(["EUIPO", "WIPO", "INPI", "USPTO"]),
                number=f"0{rng.randint(10_000_000, 19_999_999)}",
                nice_classes=[rng.randint(1, 45)],
            )
            for brand in brands
        )
        SupplyChainEntry.objects.bulk_create(
            SupplyChainEntry(
                brand=brand,
                role=SupplyChainRole.MANUFACTURER,
                name=f"{brand.name} Manufacturing",
                origin_countries=rng.sample(ORIGINS, rng.randint(1, 3)),
            )
            for brand in brands
        )
        timings["brands"] = time.perf_counter() - started

        products, gtins = [], []
        for b, brand in enumerate(brands):
            category = brand.categories[0]
            for p in range(PRODUCTS_PER_BRAND):
                item = rng.choice(CATEGORY_ITEMS[category])
                adjective = rng.choice(ADJECTIVES)
                products.append(
                    Product(
                        brand=brand,
                        name=f"{brand.name} {adjective} {item}",
                        sku=f"{normalize(brand.name)[:3].upper()}-{b:04d}-{p:03d}",
                        hs_code=rng.choice(HS_CODES[category]),
                        category=category,
                        description=(
                            f"{adjective} {item.lower()} by {brand.name}. {rng.choice(FEATURES)}. "
                            f"{rng.choice(FEATURES)}. Packed in {rng.choice(PACKAGING)}."
                        ),
                        packaging_notes=rng.choice(["", "", f"Carton of {rng.choice((6, 12, 24))}."]),
                        sold_in=rng.sample(COUNTRIES, 2),
                    )
                )
        products = Product.objects.bulk_create(products, batch_size=5000)
        for n, product in enumerate(products):
            body = f"40{n // PRODUCTS_PER_BRAND:05d}{n % PRODUCTS_PER_BRAND:05d}"  # GTIN-13, unique
            first = gtin(body)
            gtins.append(ProductGTIN(product=product, gtin=first.zfill(14), entered=first, position=0))
            if n % 5 == 0:  # a case GTIN-14 for some
                case = gtin("1" + body)
                gtins.append(ProductGTIN(product=product, gtin=case, entered=case, position=1))
        ProductGTIN.objects.bulk_create(gtins, batch_size=5000)
        timings["products"] = time.perf_counter() - started - timings["brands"]

        mark = time.perf_counter()
        by_brand = defaultdict(list)
        for product in products:
            by_brand[product.brand_id].append(product)
        guides, plans = [], []
        for g in range(GUIDES):
            brand = brands[g % BRANDS]
            product = rng.choice(by_brand[brand.pk]) if rng.random() < 0.6 else None
            language = rng.choices(["en", "fr", "es"], weights=[5, 3, 2])[0]
            guide = Guide(
                brand=brand,
                product=product,
                category=brand.categories[0],
                language=language,
                visible_to_all=rng.random() >= 0.15,
                status=GuideStatus.PUBLISHED,
            )
            if g >= BRANDS and rng.random() < 0.2:  # a translation of the brand's first guide
                guide.translation_group = guides[g % BRANDS].translation_group
            guides.append(guide)
            item = product.name.split(" ", 1)[1] if product else CATEGORY_ITEMS[brand.categories[0]][0]
            plans.append((language, brand.name, item))
        guides = Guide.objects.bulk_create(guides, batch_size=2000)
        GuideCountry.objects.bulk_create(
            GuideCountry(guide=guide, country=country)
            for guide in guides
            if not guide.visible_to_all
            for country in rng.sample(COUNTRIES, rng.randint(1, 2))
        )
        now = timezone.now()
        versions = GuideVersion.objects.bulk_create(
            (
                GuideVersion(
                    guide=guide,
                    number=1,
                    status=VersionStatus.PUBLISHED,
                    title=GUIDE_TITLE[language].format(brand=name, item=item),
                    summary=GUIDE_SUMMARY[language],
                    published_at=now,
                )
                for guide, (language, name, item) in zip(guides, plans, strict=True)
            ),
            batch_size=2000,
        )
        for guide, version in zip(guides, versions, strict=True):
            guide.published_version = version
        Guide.objects.bulk_update(guides, ["published_version"], batch_size=2000)
        Indicator.objects.bulk_create(
            (
                Indicator(
                    version=version,
                    title=title,
                    description=description,
                    location=rng.choice(LOCATIONS),
                    importance=rng.choice(list(Importance.values)),
                    order=order,
                    genuine_image="guides/bench/genuine.jpg",
                    counterfeit_image="guides/bench/counterfeit.jpg",
                )
                for version in versions
                for order, (title, description) in enumerate(rng.sample(INDICATORS, rng.randint(3, 5)))
            ),
            batch_size=5000,
        )
        timings["guides"] = time.perf_counter() - mark

    mark = time.perf_counter()
    ids = [brand.pk for brand in brands]
    step = max(1, 5000 // PRODUCTS_PER_BRAND)  # about 5,000 products a transaction
    with without_gin_indexes(SearchDocument._meta.db_table):
        for start in range(0, len(ids), step):
            with transaction.atomic():
                index.reindex_brands(ids[start : start + step])
        timings["index"] = time.perf_counter() - mark
        mark = time.perf_counter()
    timings["gin_indexes"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum_analyze"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return timings


@contextmanager
def without_gin_indexes(table: str):
    """The table's GIN indexes dropped while it is loaded and built again after (much faster than
    maintaining them row by row), with the same definitions (pg_get_indexdef)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_am am ON am.oid = i.relam WHERE x.indrelid = %s::regclass AND am.amname = 'gin'",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET synchronous_commit = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = on")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")


def dataset() -> dict:
    return {
        "brands": Brand.objects.count(),
        "brands_limited_visibility": Brand.objects.filter(visible_to_all=False).count(),
        "brands_with_aliases": Brand.objects.exclude(aliases=[]).count(),
        "products": Product.objects.count(),
        "gtins": ProductGTIN.objects.count(),
        "guides": Guide.objects.filter(status=GuideStatus.PUBLISHED).count(),
        "indicators": Indicator.objects.count(),
        "search_documents": SearchDocument.objects.count(),
        "search_table_size": _scalar("SELECT pg_size_pretty(pg_total_relation_size('search_searchdocument'))"),
    }


def _scalar(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def seeded() -> bool:
    return (
        Brand.objects.count() == BRANDS
        and Product.objects.count() == BRANDS * PRODUCTS_PER_BRAND
        and Guide.objects.count() == GUIDES
        and SearchDocument.objects.filter(type="product").count() == BRANDS * PRODUCTS_PER_BRAND
    )


def share_with_agencies() -> int:
    """Every brand without a visibility agency (a database seeded before brands were shared by
    enforcement kind, issue 12) shared with customs, and one in three with the police as well:
    otherwise the officer sees no brand. Visibility is read at search time (no reindexing)."""
    rng = random.Random(12)
    missing = list(Brand.objects.filter(visibility_agencies__isnull=True).order_by("pk").values_list("pk", flat=True))
    rows = [BrandAgency(brand_id=pk, kind=OrganizationKind.CUSTOMS) for pk in missing]
    rows += [BrandAgency(brand_id=pk, kind=OrganizationKind.POLICE) for pk in missing if rng.random() < 1 / 3]
    BrandAgency.objects.bulk_create(rows, batch_size=1000)
    if rows:
        with connection.cursor() as cursor:  # else the planner loops over "no" agencies (minutes a search)
            cursor.execute(f"ANALYZE {BrandAgency._meta.db_table}")
    return len(missing)


def officer_with_token() -> tuple[User, str]:
    """An approved officer of an approved French customs administration, with a fresh token."""
    customs, _ = Organization.objects.get_or_create(
        kind=OrganizationKind.CUSTOMS,
        name="Bench Douane",
        country="FR",
        defaults={"status": Status.APPROVED},
    )
    officer = User.objects.filter(email="bench-officer@douane.example").first()
    if officer is None:
        officer = User.objects.create_user(
            email="bench-officer@douane.example",
            password=secrets.token_urlsafe(16),
            full_name="Bench Officer",
            status=Status.APPROVED,
            language="fr",
        )
        Membership.objects.create(user=officer, organization=customs, role=Role.OFFICER)
    ApiToken.objects.filter(user=officer).delete()
    _instance, token = ApiToken.objects.create(user=officer, name="bench")
    return officer, token


# --------------------------------------------------------------------------- the query mix


def typo(word: str, rng: random.Random) -> str:
    """One edit inside the word: a swap of two letters, a doubled letter or a dropped one."""
    i = rng.randint(1, len(word) - 3)
    operation = rng.choice(("swap", "double", "drop"))
    if operation == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if operation == "double":
        return word[: i + 1] + word[i] + word[i + 1 :]
    return word[:i] + word[i + 1 :]


def query_mix(officer: User, rng: random.Random) -> dict[str, list[str]]:
    from search.services import search

    visible = list(Brand.objects.restrict(officer, "view").order_by("pk").values_list("name", "aliases"))
    exact = [name if rng.random() < 0.7 else normalize(name) for name, _ in rng.sample(visible, QUERIES_PER_KIND - 4)]
    exact += [aliases[0] for _, aliases in visible if aliases and not aliases[0].isascii()][:4]  # other scripts
    latin = [normalize(name).split()[0] for name, _ in visible if len(normalize(name).split()[0]) >= 6]
    typos = [typo(word, rng) for word in rng.sample(latin, QUERIES_PER_KIND)]
    numbers = rng.sample(
        list(
            ProductGTIN.objects.filter(product__brand__in=Brand.objects.restrict(officer, "view"))
            .order_by("pk")
            .values_list("entered", flat=True)
        ),
        QUERIES_PER_KIND,
    )
    gtins = [f"{n[0]} {n[1:7]} {n[7:]}" if i % 4 == 0 else n for i, n in enumerate(numbers)]
    free = [
        "hologram label",
        "laser engraved serial",
        "tamper seal",
        "stitching",
        "blister foil lot",
        "embroidered logo",
        "uv ink label",
        "batch code base",
        "magnetic lid",
        "care label languages",
        "serial number",
        "running shoe",
        "eau de parfum",
        "leather lining monogram",
        "vérifier coutures",
        "micro text logo",
        "rubber sole",
        "cognac",
        "chronograph",
        "wireless earbuds charger",
    ]
    nothing = []
    while len(nothing) < QUERIES_PER_KIND:
        candidate = "".join(rng.choice("qwxzjkvyp") + rng.choice("aeiou") for _ in range(rng.randint(3, 5)))
        if not search(officer, candidate).count():  # a queryset, or the engine's answer (issue 15)
            nothing.append(candidate)
    return dict(zip(KINDS, [exact, typos, gtins, free, nothing], strict=True))


def path_of(text: str) -> str:
    return "/api/v1/search/?" + urllib.parse.urlencode({"q": text})


# --------------------------------------------------------------------------- the database's own time


def capture(token: str, mix: dict[str, list[str]]) -> dict:
    """Each query once through the real endpoint in-process (the same middleware, authentication,
    view, pagination and serializer as under gunicorn), with every SQL statement it runs."""
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    client.get(path_of("warm up"))  # the token's last_used is written once, not per request
    captured = {}
    for kind, texts in mix.items():
        for text in texts:
            statements = []

            def record(execute, sql, params, many, context, statements=statements):
                statements.append((sql, params))
                return execute(sql, params, many, context)

            started = time.perf_counter()
            with connection.execute_wrapper(record):
                response = client.get(path_of(text))
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (text, response.status_code, response.content[:300])
            body = response.json()
            captured[text] = {
                "kind": kind,
                "statements": statements,
                "count": body["count"],
                "first": body["results"][0]["title"] if body["results"] else None,
                "first_type": body["results"][0]["type"] if body["results"] else None,
                "in_process_ms": elapsed * 1000,
            }
    # In-process time again, warm (the first call of each query paid for imports and plans).
    for text, entry in captured.items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            client.get(path_of(text))
            times.append(time.perf_counter() - started)
        entry["in_process_ms"] = statistics.median(times) * 1000
    return captured


def database_time(captured: dict, repeats: int = 5) -> None:
    """Run each request's statements alone with psycopg (client-side binding, as Django does),
    in order on one connection, `repeats` times: the median is the database's own time for that
    request, round trips on the loopback included."""
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        options=settings["OPTIONS"].get("options", ""),
        autocommit=True,
        cursor_factory=psycopg.ClientCursor,
    ) as db:
        db.execute("SET TIME ZONE 'UTC'")
        for entry in captured.values():
            totals, per_statement = [], defaultdict(list)
            for _ in range(repeats):
                total = 0.0
                for n, (sql, params) in enumerate(entry["statements"]):
                    started = time.perf_counter()
                    db.execute(sql, params).fetchall() if sql.lstrip().upper().startswith("SELECT") else db.execute(
                        sql, params
                    )
                    spent = time.perf_counter() - started
                    per_statement[n].append(spent)
                    total += spent
                totals.append(total)
            entry["db_ms"] = statistics.median(totals) * 1000
            entry["statement_ms"] = [statistics.median(per_statement[n]) * 1000 for n in sorted(per_statement)]


def explain(captured: dict, mix: dict[str, list[str]]) -> str:
    """EXPLAIN ANALYZE of the slow statements of the first query of each kind."""
    import psycopg

    settings = connection.settings_dict
    out = []
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        options=settings["OPTIONS"].get("options", ""),
        autocommit=True,
        cursor_factory=psycopg.ClientCursor,
    ) as db:
        for kind, texts in mix.items():
            entry = captured[texts[0]]
            for (sql, params), spent in zip(entry["statements"], entry["statement_ms"], strict=True):
                if sql.lstrip().upper().startswith("SELECT SET_CONFIG"):
                    db.execute(sql, params)  # the threshold the next statements depend on
                    continue
                if spent < 1.0 or not sql.lstrip().upper().startswith("SELECT"):
                    continue
                plan = db.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
                out.append(f"-- {kind}: q={texts[0]!r} ({spent:.2f} ms alone)\n{db.cursor().mogrify(sql, params)}\n")
                out.append("\n".join(row[0] for row in plan) + "\n")
    return "\n".join(out)


# --------------------------------------------------------------------------- load through gunicorn

WRK_SCRIPT = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local token = os.getenv("BENCH_TOKEN")
local count = 0
local created = 0
function setup(thread)
  thread:set("offset", created * 7919)
  created = created + 1
end
function init(args)
  count = offset or 0
  if token and token ~= "" then wrk.headers["Authorization"] = "Token " .. token end
end
function request()
  count = count + 1
  return wrk.format("GET", paths[(count % #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"mean_ms": %.3f, "p50_ms": %.3f, "p90_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def cpu_ticks(pids) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total


def machine_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


class Server:
    def __init__(self, worker_class: str, port: int, workers: int, threads: int):
        self.worker_class, self.port = worker_class, port
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "ipm_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ]
        if worker_class == "gthread":
            command += ["--threads", str(threads)]
        self.label = f"gunicorn {workers} × {worker_class}" + (
            f" ({threads} threads)" if worker_class == "gthread" else ""
        )
        self.process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)

    def drain(self, limit: float = 30.0) -> None:
        """Wait until the server answers /healthz at once: requests a load generator abandoned
        when its run ended may still sit in the listen queue of sync workers."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            started = time.monotonic()
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=limit) as answer:
                answer.read()
            if time.monotonic() - started < 0.02:
                return
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def backend_pids() -> list[int]:
    """The PostgreSQL backends serving the benchmark database, except this process's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def wrk(server: Server, paths: list[str], token: str, *, clients: int, seconds: int, workdir: Path) -> dict:
    paths_file = workdir / f"paths-{len(paths)}-{abs(hash(tuple(paths)))}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = workdir / "mix.lua"
    script.write_text(WRK_SCRIPT)
    threads = min(2, clients)
    env = dict(os.environ, BENCH_PATHS=str(paths_file), BENCH_TOKEN=token)
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    command.append(f"http://127.0.0.1:{server.port}/")
    server.drain()
    load_before = os.getloadavg()[0]
    workers = server.worker_pids()
    backends = backend_pids()
    before = (cpu_ticks(workers), cpu_ticks(backends), machine_ticks(), time.monotonic())
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    output, _ = process.communicate()
    after = (cpu_ticks(workers), cpu_ticks(backends), machine_ticks(), time.monotonic())
    wrk_usage = resource_children_delta()
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed: {output}")
    result = json.loads(output.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["load_average"] = [load_before, os.getloadavg()[0]]
    hertz = os.sysconf("SC_CLK_TCK")
    wall = after[3] - before[3]
    busy = (after[2][0] - before[2][0]) / hertz / wall
    result["cpu"] = {
        "gunicorn_workers": (after[0] - before[0]) / hertz / wall,
        "postgresql": (after[1] - before[1]) / hertz / wall,
        "wrk": wrk_usage / wall,
        "machine_busy": busy,
    }
    result["cpu"]["everything_else"] = max(
        0.0, busy - result["cpu"]["gunicorn_workers"] - result["cpu"]["postgresql"] - result["cpu"]["wrk"]
    )
    return result


_children_cpu = [0.0]


def resource_children_delta() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    now = usage.ru_utime + usage.ru_stime
    delta, _children_cpu[0] = now - _children_cpu[0], now
    return delta


def profile(server: Server, paths: list[str], token: str, seconds: int, workdir: Path) -> dict:
    """py-spy (every thread, idle included: a sync worker waiting on PostgreSQL is idle in
    the driver) on each worker while 16 clients run the mix."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    spies = []
    for pid in server.worker_pids():
        output = workdir / f"py-spy-{pid}.txt"
        spies.append(
            (
                output,
                subprocess.Popen(
                    [spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "250", "--format"]
                    + ["raw", "--idle", "--nonblocking", "--output", str(output)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    time.sleep(1)
    wrk(server, paths, token, clients=16, seconds=seconds - 2, workdir=workdir)
    inclusive, own, total = Counter(), Counter(), 0
    for output, process in spies:
        _, errors = process.communicate()
        if process.returncode != 0 or not output.exists():
            return {"error": errors.strip()[-500:]}
        for line in output.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            count = int(count)
            frames = [
                f for f in stack.split(";") if f and not f.startswith("process ") and not f.startswith("thread ")
            ]
            if not frames:
                continue
            total += count
            for name in {_frame(f) for f in frames}:
                inclusive[name] += count
            own[_frame(frames[-1])] += count
    return {
        "samples": total,
        "inclusive": [(name, 100 * n / total) for name, n in inclusive.most_common(45)],
        "own": [(name, 100 * n / total) for name, n in own.most_common(25)],
        "buckets": _buckets([output for output, _ in spies]),
    }


def _frame(frame: str) -> str:
    """'execute (django/db/backends/utils.py:105)' -> 'django/db/backends/utils.py:execute'."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", str(ROOT) + "/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{path}:{name}"


BUCKETS = [  # the first bucket with a matching frame anywhere in the stack decides (order matters)
    ("PostgreSQL round trips (driver, waiting)", ("psycopg/",)),
    (
        "Django ORM: building and compiling the queries",
        ("django/db/models/sql/compiler.py:SQLCompiler.as_sql", "django/db/models/sql/query.py"),
    ),
    ("search.text.highlight (snippets)", ("search/text.py:highlight",)),
    ("DRF serializers", ("rest_framework/serializers.py", "rest_framework/fields.py")),
    ("JSON rendering", ("rest_framework/renderers.py",)),
    ("authentication (knox token)", ("knox/", "accounts/authentication.py")),
    ("throttling (cache)", ("rest_framework/throttling.py",)),
]
IDLE = ("selectors.py:", "queue.py:", "threading.py:")  # a leaf here: a worker or thread waiting for work


def _buckets(outputs: list[Path]) -> list[tuple[str, float]]:
    counts, total = Counter(), 0
    for output in outputs:
        for line in output.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [_frame(f) for f in stack.split(";") if f and " (" in f]
            total += int(count)
            label = "other (middleware, Django request handling, gunicorn I/O)"
            if frames and any(idle in frames[-1] for idle in IDLE) and not any("psycopg/" in f for f in frames):
                label = "idle: waiting for a request"
            for bucket, needles in [] if label.startswith("idle") else BUCKETS:
                if any(needle in frame for frame in frames for needle in needles):
                    label = bucket
                    break
            counts[label] += int(count)
    return [(label, 100 * n / total) for label, n in counts.most_common()] if total else []


# --------------------------------------------------------------------------- the report


def ms(value: float) -> str:
    return f"{value:.1f}"


def report(results: dict) -> str:
    lines = [
        f"Machine: {os.cpu_count()} cores ({results['cpu_model']}), PostgreSQL {results['postgresql']}, "
        f"Python {sys.version.split()[0]}; cache: {results['cache']}; search: {results['search']}.",
        f"Data set: {json.dumps(results['dataset'])}",
    ]
    if results.get("seeding"):
        lines.append(
            "Seeding: " + ", ".join(f"{k} {v:.1f} s" for k, v in results["seeding"].items()) + " (once; reused after)"
        )
    if results.get("engine_index"):
        index_built = results["engine_index"]
        lines.append(
            f"Search engine index: `manage.py search_rebuild` {index_built['rebuild_s']:.1f} s, "
            f"{index_built['size']} (du -sh {index_built['path']})"
        )
    lines += ["", "Database's own time per request (the endpoint's captured statements run alone with psycopg):", ""]
    lines += ["| query kind | statements | hits (median) | DB time median ms | in-process request ms |"]
    lines += ["|---|---|---|---|---|"]
    for kind, row in results["db"].items():
        lines.append(
            f"| {kind} | {row['statements']} | {row['hits']} | {ms(row['db_ms'])} | {ms(row['in_process_ms'])} |"
        )
    for server in results["servers"]:
        lines += ["", f"Through {server['label']} with wrk (loopback, the same 2 cores):", ""]
        lines += [
            "| load | clients | req/s | p50 ms | p95 ms | p99 ms | non-2xx "
            "| CPU workers | CPU PostgreSQL | CPU wrk | CPU other | load avg |"
        ]
        lines += ["|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for run in server["runs"]:
            cpu = run["cpu"]
            lines.append(
                f"| {run['name']} | {run['clients']} | {run['rps']:.0f} | {ms(run['p50_ms'])} | {ms(run['p95_ms'])} "
                f"| {ms(run['p99_ms'])} | {run['non_2xx'] + run['socket_errors']} | {cpu['gunicorn_workers']:.2f} "
                f"| {cpu['postgresql']:.2f} | {cpu['wrk']:.2f} | {cpu['everything_else']:.2f} "
                f"| {run['load_average'][0]:.1f} |"
            )
        lines += ["", "Ratios:"]
        for name, value in server["ratios"].items():
            lines.append(f"- {name}: {value}")
        if server.get("profile"):
            prof = server["profile"]
            if "error" in prof:
                lines += ["", f"py-spy failed: {prof['error']}"]
            else:
                lines += [
                    "",
                    f"py-spy, {prof['samples']} samples of both workers at 16 clients (share of samples):",
                    "",
                ]
                lines += [f"- {label}: {share:.1f} %" for label, share in prof["buckets"]]
                lines += ["", "Top functions, inclusive:", ""]
                lines += [f"    {share:5.1f} %  {name}" for name, share in prof["inclusive"]]
                lines += ["", "Top functions, own time:", ""]
                lines += [f"    {share:5.1f} %  {name}" for name, share in prof["own"]]
    return "\n".join(lines)


def build_engine_index() -> dict:
    """`manage.py search_rebuild --path ENGINE_INDEX_DIR` against the benchmark database, timed."""
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "search_rebuild", "--path", str(ENGINE_INDEX_DIR)],
        cwd=ROOT,
        env=os.environ.copy(),
        check=True,
    )
    seconds = time.monotonic() - started
    du = shutil.which("du") or "/usr/bin/du"
    size = subprocess.run([du, "-sh", str(ENGINE_INDEX_DIR)], capture_output=True, text=True, check=True)
    from search import engine_search

    if engine_search.open_engine() is None:
        sys.exit(f"The search engine index at {ENGINE_INDEX_DIR} is not usable.")
    return {"path": str(ENGINE_INDEX_DIR), "rebuild_s": seconds, "size": size.stdout.split()[0]}


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    out = Path(ARGS.out)
    out.mkdir(parents=True, exist_ok=True)
    if not shutil.which("wrk") and not ARGS.seed_only:
        sys.exit("wrk is needed: apt-get install -y wrk")
    results: dict = {
        "cache": "Redis" if ARGS.redis else "local memory (no REDIS_URL)",
        "search": "search engine (SEARCH_ENGINE=tantivy)" if ARGS.engine else "database backend",
    }
    call_command("migrate", verbosity=0)
    if not seeded():
        if Brand.objects.exists():
            sys.exit("The database holds other data: run again with --reseed (drops and recreates it).")
        print(f"Seeding {BRANDS:,} brands, {ARGS.products:,} products, {GUIDES:,} guides...", flush=True)
        results["seeding"] = seed(random.Random(2026))
        print("Seeded:", {k: round(v, 1) for k, v in results["seeding"].items()}, flush=True)
    shared = share_with_agencies()
    if shared:
        print(f"Shared {shared} brands with customs (and some with the police).", flush=True)
    results["dataset"] = dataset()
    print("Data set:", results["dataset"], flush=True)
    if ARGS.seed_only:
        return
    if ARGS.engine:
        print(f"Building the search engine index in {ENGINE_INDEX_DIR} (manage.py search_rebuild)...", flush=True)
        results["engine_index"] = build_engine_index()
        print(
            f"Index rebuilt in {results['engine_index']['rebuild_s']:.1f} s, {results['engine_index']['size']}",
            flush=True,
        )
    results["postgresql"] = _scalar("SHOW server_version") + f" (jit {_scalar('SHOW jit')})"
    results["cpu_model"] = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    officer, token = officer_with_token()
    mix = query_mix(officer, random.Random(7))
    (out / "queries.json").write_text(json.dumps(mix, ensure_ascii=False, indent=1))

    print("Capturing the endpoint's SQL and timing it alone...", flush=True)
    captured = capture(token, mix)
    database_time(captured)
    results["db"] = {}
    for kind in KINDS:
        entries = [captured[text] for text in mix[kind]]
        results["db"][kind] = {
            "statements": statistics.median(len(e["statements"]) for e in entries),
            "hits": statistics.median(e["count"] for e in entries),
            "db_ms": statistics.median(e["db_ms"] for e in entries),
            "db_mean_ms": statistics.fmean(e["db_ms"] for e in entries),
            "in_process_ms": statistics.median(e["in_process_ms"] for e in entries),
        }
    results["db_mix_mean_ms"] = statistics.fmean(e["db_ms"] for e in captured.values())
    (out / "captured.json").write_text(
        json.dumps(
            {
                text: {k: v for k, v in e.items() if k != "statements"}
                | {"sql": [connection.ops.compose_sql(sql, params) for sql, params in e["statements"]]}
                for text, e in captured.items()
            },
            ensure_ascii=False,
            indent=1,
            default=str,
        )
    )
    (out / "explain.txt").write_text(explain(captured, mix))

    all_paths = [path_of(text) for kind in KINDS for text in mix[kind]]
    random.Random(3).shuffle(all_paths)
    results["servers"] = []
    resource_children_delta()
    for worker_class in ARGS.servers.split(","):
        server = Server(worker_class.strip(), ARGS.port or free_port(), ARGS.workers, ARGS.threads)
        print(f"Measuring {server.label}...", flush=True)
        try:
            runs = []

            def run(name, paths, clients, seconds, server=server, runs=runs):
                result = wrk(server, paths, token, clients=clients, seconds=seconds, workdir=out)
                result.update(name=name, clients=clients)
                runs.append(result)
                print(
                    f"  {name:<22} c={clients:<3} {result['rps']:7.0f} req/s  p50 {result['p50_ms']:6.1f}  "
                    f"p95 {result['p95_ms']:6.1f}  p99 {result['p99_ms']:6.1f} ms",
                    flush=True,
                )
                return result

            wrk(server, all_paths, token, clients=16, seconds=3, workdir=out)  # warm-up, not reported
            wrk(server, ["/healthz"], "", clients=16, seconds=2, workdir=out)
            health_1 = run("/healthz (trivial)", ["/healthz"], 1, ARGS.kind_seconds)
            health_16 = run("/healthz (trivial)", ["/healthz"], 16, ARGS.seconds)
            per_kind = {
                kind: run(f"search: {kind}", [path_of(t) for t in mix[kind]], 1, ARGS.kind_seconds) for kind in KINDS
            }
            mix_1 = run("search: mix", all_paths, 1, ARGS.seconds)
            mix_16 = run("search: mix", all_paths, 16, ARGS.seconds)
            db = results["db"]
            ratios = {
                "end-to-end / database's own time, mix at 1 client (mean latency / mean DB time)": (
                    f"{mix_1['mean_ms']:.1f} ms / {results['db_mix_mean_ms']:.1f} ms = "
                    f"{mix_1['mean_ms'] / results['db_mix_mean_ms']:.2f}"
                ),
            }
            for kind in KINDS:
                ratios[f"end-to-end p50 / DB median, {kind}"] = (
                    f"{per_kind[kind]['p50_ms']:.1f} / {db[kind]['db_ms']:.1f} = "
                    f"{per_kind[kind]['p50_ms'] / db[kind]['db_ms']:.2f}"
                )
            ratios["search throughput / trivial endpoint throughput, 16 clients"] = (
                f"{mix_16['rps']:.0f} / {health_16['rps']:.0f} = {mix_16['rps'] / health_16['rps']:.3f}"
            )
            ratios["search throughput / trivial endpoint throughput, 1 client"] = (
                f"{mix_1['rps']:.0f} / {health_1['rps']:.0f} = {mix_1['rps'] / health_1['rps']:.3f}"
            )
            entry = {"label": server.label, "runs": runs, "ratios": ratios}
            if ARGS.profile:
                print("  profiling with py-spy...", flush=True)
                entry["profile"] = profile(server, all_paths, token, max(ARGS.seconds, 10), out)
            results["servers"].append(entry)
        finally:
            server.stop()

    text = report(results)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    (out / "report.md").write_text(text + "\n")
    print("\n" + text)
    print(f"\nWritten to {out}/ (report.md, results.json, captured.json with the SQL, explain.txt, queries.json)")


if __name__ == "__main__":
    main()
