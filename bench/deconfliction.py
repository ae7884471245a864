"""Benchmark: deconfliction at 1,000,000 stored case subjects (issue 14).

    make bench-deconfliction                        # the same as the next line
    .venv/bin/python bench/deconfliction.py         # seed once (about 2 min), then measure (about 1 min)
    .venv/bin/python bench/deconfliction.py --reseed --iterations 600

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ipm_bench_deconfliction) names the
benchmark's own database: the script creates it, migrates it and seeds it once with COPY
(psycopg 3): 40 enforcement organizations of 17 countries (customs, police, market surveillance,
anti-fraud, two international bodies), 30 right holders, 200,000 cases over three years (a
quarter open) and 1,000,000 subjects of every kind (companies, people with their dates of birth,
addresses, websites, marketplace shops, phones, e-mail addresses, ISO 6346 containers with valid
check digits, postal tracking numbers, vehicles), written the way officers write them, their
normal forms set by `alerts.subjects.normal_form`. About 7 % of the subjects come from a pool of
40,000 "network" subjects (a forwarder, a shop, a phone) that several organizations meet, each
time spelled differently; the rest are seen once. It drops a database only if its name contains
"bench".

Then, in one run, for each of --iterations saves (after --warmup ones not counted), on a case of
its own among 1,000 open bench cases without subjects (so the data set does not drift; they are
emptied again at the start and the end of every run):
(a) the save as the product does it: `clean_subjects` of 10 {kind, value} never stored before
    (one save in five also carries one or two values of the pool, written another way: some of
    those hit), then `alerts.services.coordination.save_subjects(...)` inside
    `transaction.atomic()`, committed; a hit writes its DeconflictionHit, audit and two events,
    and the commit hands the events to Celery through Redis (a queue of this run's own, with no
    worker, deleted at the end);
(b) the raw index look-up of the same 10 (kind, normal) values: one
    `SELECT ... FROM alerts_casesubject WHERE (kind, normal) IN (...)` on the same connection.
The two alternate which goes first. Then --profile-iterations more saves run with every
statement timed (`connection.execute_wrapper`: the statements `connection.queries` lists with
DEBUG), grouped by what they do, the service's match statement beside the raw look-up of the
same values; and EXPLAIN (ANALYZE, BUFFERS) of the raw look-up and of that match statement.

Production settings (DEBUG off); REDIS_URL as given, or the local Redis, db 15. Prints a Markdown
report and writes it with the raw figures to --out (default /tmp/ipm-bench-deconfliction).
"""

# ruff: noqa: S311, S608, SIM905 (seeded pseudo-random data; SQL built from our own table names and placeholders)
from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ipm_bench_deconfliction"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
CASES, SUBJECTS, POOL, POOL_SHARE, BENCH_CASES = 200_000, 1_000_000, 40_000, 0.07, 1_000
SUBJECTS_PER_SAVE = 10
MARKER = "Bench Deconfliction Marker"  # the right holder whose existence says "seeded"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed", action="store_true", help="drop the benchmark database and seed it again")
    parser.add_argument("--seed-only", action="store_true", help="seed (if needed) and stop")
    parser.add_argument("--iterations", type=int, default=400, help="measured saves (default 400)")
    parser.add_argument("--warmup", type=int, default=40, help="saves before the measured ones, not counted")
    parser.add_argument("--profile-iterations", type=int, default=120, help="saves with their statements captured")
    parser.add_argument(
        "--cprofile", action="store_true", help="run the profiled saves under cProfile too (cprofile.txt in --out)"
    )
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "ipm-bench-deconfliction"))
    return parser.parse_args()


ARGS = parse_args()
if ARGS.iterations + ARGS.warmup + ARGS.profile_iterations > BENCH_CASES:
    sys.exit(f"At most {BENCH_CASES} saves a run (iterations + warmup + profile-iterations).")
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
QUEUE = f"bench-deconfliction-{uuid.uuid4().hex[:8]}"
os.environ.update(
    DJANGO_SETTINGS_MODULE="ipm_portal.settings",
    DEBUG="false",
    ALLOWED_HOSTS="127.0.0.1,localhost",
    CELERY_QUEUE=QUEUE,  # no worker reads it: the dispatch tasks wait there and are deleted at the end
    CACHE_KEY_PREFIX="ipm-bench-deconfliction",
)
os.environ.setdefault("STATIC_ROOT", str(Path(ARGS.out) / "static"))
Path(os.environ["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))


from benchdb import ensure_database  # noqa: E402

ensure_database(ARGS.reseed)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from stdnum import iso6346  # noqa: E402

from accounts.models import AuditEntry, Membership, Organization, OrganizationKind, Role, Status, User  # noqa: E402
from alerts.models import Case, CaseStatus, CaseSubject, DeconflictionHit, Procedure  # noqa: E402
from alerts.services.coordination import save_subjects  # noqa: E402
from alerts.subjects import SubjectKind, clean_subjects, normal_form  # noqa: E402
from core.models import Event  # noqa: E402

# --------------------------------------------------------------------------- organizations

# kind, name, country, jurisdiction (international bodies), weight (how many cases it opens)
ORGANIZATIONS = [
    *[
        (OrganizationKind.CUSTOMS, name, country, [], weight)
        for name, country, weight in [
            ("Direction générale des douanes et droits indirects", "FR", 12),
            ("Generalzolldirektion", "DE", 12),
            ("Agencia Tributaria – Vigilancia Aduanera", "ES", 9),
            ("Agenzia delle Dogane e dei Monopoli", "IT", 10),
            ("Douane Nederland", "NL", 9),
            ("Administration générale des douanes et accises", "BE", 6),
            ("Krajowa Administracja Skarbowa – Służba Celno-Skarbowa", "PL", 6),
            ("Autoridade Tributária e Aduaneira", "PT", 4),
            ("Zollamt Österreich", "AT", 4),
            ("Tullverket", "SE", 3),
            ("Revenue – Customs Service", "IE", 3),
            ("Independent Authority for Public Revenue – Customs", "GR", 4),
            ("Celní správa České republiky", "CZ", 3),
            ("Autoritatea Vamală Română", "RO", 3),
            ("Nemzeti Adó- és Vámhivatal", "HU", 2),
            ("Toldstyrelsen", "DK", 2),
            ("Tulli", "FI", 2),
        ]
    ],
    *[
        (OrganizationKind.POLICE, name, country, [], weight)
        for name, country, weight in [
            ("Police nationale – OCLDI", "FR", 5),
            ("Gendarmerie nationale", "FR", 4),
            ("Bundeskriminalamt", "DE", 4),
            ("Landeskriminalamt Hamburg", "DE", 2),
            ("Policía Nacional – UDEF", "ES", 4),
            ("Guardia Civil", "ES", 3),
            ("Guardia di Finanza", "IT", 6),
            ("Politie – Landelijke Eenheid", "NL", 3),
            ("Police fédérale", "BE", 2),
            ("Policja – Centralne Biuro Śledcze", "PL", 2),
            ("Polícia Judiciária", "PT", 2),
            ("An Garda Síochána – Economic Crime Bureau", "IE", 1),
            ("Policie České republiky", "CZ", 1),
        ]
    ],
    *[
        (OrganizationKind.MARKET_SURVEILLANCE, name, country, [], weight)
        for name, country, weight in [
            ("DGCCRF", "FR", 3),
            ("Bundesnetzagentur – Marktüberwachung", "DE", 2),
            ("Agencia Española de Consumo", "ES", 2),
            ("Autoriteit Consument & Markt", "NL", 1),
            ("Urząd Ochrony Konkurencji i Konsumentów", "PL", 1),
        ]
    ],
    *[
        (OrganizationKind.ANTI_FRAUD, name, country, [], weight)
        for name, country, weight in [
            ("Service d'enquêtes judiciaires des finances", "FR", 2),
            ("Fiscale Inlichtingen- en Opsporingsdienst", "NL", 1),
            ("Servizio Centrale Investigazione Criminalità Organizzata", "IT", 2),
        ]
    ],
    (OrganizationKind.INTERNATIONAL, "European Anti-Counterfeiting Coordination Office", "BE", ["BE", "DE", "FR"], 2),
    (OrganizationKind.INTERNATIONAL, "Mediterranean Customs Cooperation Desk", "IT", ["ES", "GR", "IT", "PT"], 1),
]
assert len(ORGANIZATIONS) == 40

RIGHT_HOLDERS = [
    ("Lumina Watches", "CH"), ("Atlas Sportswear", "DE"), ("Maison Verel", "FR"), ("Castellano Moda", "IT"),
    ("Nordic Outdoor", "SE"), ("Kaiser Autoteile", "DE"), ("Solenne Parfums", "FR"), ("Toyland Group", "DK"),
    ("PharmaNova", "CH"), ("Iberia Calzados", "ES"), ("Orbis Electronics", "NL"), ("Vinea Spirits", "FR"),
    ("Helvetia Chronos", "CH"), ("Bella Pelle", "IT"), ("Stride Athletics", "US"), ("Zenith Audio", "JP"),
    ("Aurelia Cosmetics", "FR"), ("Polar Gear", "FI"), ("Motorwerk", "DE"), ("Golden Leaf Tobacco", "GB"),
    ("Cerveza Sol Dorado", "ES"), ("Milano Occhiali", "IT"), ("Kinder Spiel", "AT"), ("Dutch Bloom", "NL"),
    ("Tagus Cortiça", "PT"), ("Vistula Amber", "PL"), ("Danube Crystal", "CZ"), ("Aegean Olive", "GR"),
    ("Celtic Knitwear", "IE"), (MARKER, "CH"),
]  # fmt: skip

# --------------------------------------------------------------------------- subject values

CN_CITIES = "Shenzhen Guangzhou Yiwu Ningbo Xiamen Dongguan Shantou Quanzhou Wenzhou Foshan Putian Jinjiang".split()
OTHER_CITIES = (
    "Istanbul Dubai Marseille Antwerpen Rotterdam Hamburg Valencia Napoli Gdansk Piraeus Algeciras Lyon "
    "Milano Madrid Warszawa Lisboa Wien Praha Tanger Casablanca Bratislava Sofia Bucuresti Lodz"
).split()
PINYIN = "hua xing jin feng da long tian hai sheng li mei xin rui bao kang tai fu yuan hong an chang cheng".split()
PINYIN += "guang ming wei zhong jia he yi tong sen lin".split()
EURO_WORDS = (
    "Euro Global Star Atlantic Nordic Medi Prime Delta Orion Alpha Trans Unity Royal Golden Silver Smart Best "
    "Top Nova Vista Sirius Polaris Mistral Sirocco Baltic Adria Iberica Alpina Danubia Luxe Urban Express"
).split()
INDUSTRIES = [
    "Trading", "Import & Export", "Electronics", "Textile", "Logistics", "Garment", "Watch", "Cosmetics",
    "Auto Parts", "Sporting Goods", "Toys", "Leather", "Packaging", "Technology", "Commerce", "Freight",
    "Footwear", "Optical", "Perfume", "Pharma Supply",
]  # fmt: skip
CN_SUFFIXES = ["Co., Ltd.", "Trading Co., Ltd.", "Industrial Co., Ltd.", "Limited", "(HK) Limited", "Group Co., Ltd."]
EU_SUFFIXES = [
    "GmbH", "SARL", "SAS", "S.r.l.", "S.L.", "B.V.", "Sp. z o.o.", "Ltd", "Lda.", "SRL", "AB", "s.r.o.",
    "LLC", "FZE", "Dis Ticaret Ltd. Sti.", "EOOD", "Kft.", "ApS",
]  # fmt: skip
GIVEN = (
    "Lei Jing Wei Na Min Yan Jun Hui Mehmet Ayse Mustafa Fatma Jean-Pierre Sophie Nicolas Camille Thomas "
    "Anna Lukas Stefan Katarzyna Piotr Marco Giulia Luca Ana Javier Lucia Miguel Joao Ines Youssef Fatima "
    "Karim Nadia Ahmed Chinedu Ngozi Andrei Elena Dimitrios Maria Jan Eva Pavel Olga"
).split()
FAMILY = (
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Yilmaz Kaya Demir Sahin Martin Bernard Dubois Moreau "
    "Muller Schmidt Schneider Fischer Kowalski Nowak Wisniewski Rossi Russo Ferrari Esposito Garcia Lopez "
    "Martinez Sanchez Silva Santos Ferreira Amrani Benali Okafor Popescu Ionescu Papadopoulos Dejong "
    "Jansen Novak Svoboda Horvath Nagy"
).split()
STREETS = {
    "FR": ["rue de la République", "avenue Jean Jaurès", "boulevard Gambetta", "rue du Port", "quai de la Joliette"],
    "DE": ["Hafenstraße", "Industriestraße", "Bahnhofstraße", "Am Sandtorkai", "Lagerweg"],
    "ES": ["Calle Mayor", "Avenida del Puerto", "Polígono Industrial Norte, nave", "Calle de Alcalá"],
    "IT": ["Via Roma", "Via del Porto", "Corso Garibaldi", "Via dell'Industria"],
    "NL": ["Havenstraat", "Waalhaven Zuidzijde", "Industrieweg", "Kade"],
    "CN": ["Futian Road", "Jiangbei Industrial Park, Block", "Nanshan Avenue", "Binjiang Road"],
    "TR": ["Atatürk Caddesi", "Liman Yolu", "Organize Sanayi Bölgesi, Sokak"],
    "AE": ["Jebel Ali Free Zone, Warehouse", "Al Quoz Industrial Area", "Sheikh Zayed Road"],
}
CITIES = {
    "FR": ["Marseille", "Le Havre", "Lyon", "Roissy-en-France", "Lille"],
    "DE": ["Hamburg", "Bremerhaven", "Frankfurt am Main", "Duisburg", "Leipzig"],
    "ES": ["Valencia", "Algeciras", "Madrid", "Barcelona", "Zaragoza"],
    "IT": ["Napoli", "Genova", "Milano", "Prato", "Gioia Tauro"],
    "NL": ["Rotterdam", "Amsterdam", "Venlo", "Tilburg"],
    "CN": CN_CITIES,
    "TR": ["Istanbul", "Mersin", "Izmir", "Bursa"],
    "AE": ["Dubai", "Sharjah", "Ajman"],
}
POSTCODE = {"FR": "{:05d}", "DE": "{:05d}", "ES": "{:05d}", "IT": "{:05d}", "NL": "{:04d} AB", "CN": "{:06d}"}
TLDS = ["com", "shop", "store", "top", "online", "xyz", "net", "fr", "de", "es", "it", "eu", "site", "vip"]
SHOP_WORDS = "lux watch deal outlet brand style shoe bag perfume sport trend vip cheap top fashion replica".split()
MARKETS = ["marketplace.example", "bazaar.example", "souk.example", "mercado.example", "basar.example"]
OWNER_CODES = "MSCU MEDU MAEU MSKU CMAU CGMU HLXU HLBU COSU CSQU OOLU EGHU EISU TGHU TCLU SEGU TRHU BMOU GESU FCIU"
OWNER_CODES = OWNER_CODES.split()
S10_SERVICES = ["RR", "RB", "LX", "LP", "CP", "EE", "UA", "UB"]
S10_COUNTRIES = ["CN", "HK", "SG", "TR", "MY", "TH"]
PHONE_FORMATS = {
    # country code, the national number's pattern (# a digit), the first digits
    "FR": ("33", "# ## ## ## ##", ["6", "7"]),
    "DE": ("49", "1## ########", ["15", "16", "17"]),
    "ES": ("34", "### ### ###", ["6", "7"]),
    "IT": ("39", "3## ### ####", ["3"]),
    "NL": ("31", "6 ########", ["6"]),
    "PL": ("48", "### ### ###", ["5", "6", "7", "8"]),
    "CN": ("86", "1## #### ####", ["13", "15", "18"]),
    "HK": ("852", "#### ####", ["5", "6", "9"]),
    "TR": ("90", "5## ### ## ##", ["5"]),
    "AE": ("971", "5# ### ####", ["5"]),
    "MA": ("212", "6## ## ## ##", ["6"]),
}
PLATES = [
    lambda r: f"{_letters(r, 2)}-{r.randint(100, 999)}-{_letters(r, 2)}",  # France
    lambda r: f"{r.choice(['HH', 'B', 'M', 'HB', 'K', 'F'])}-{_letters(r, 2)} {r.randint(10, 9999)}",  # Germany
    lambda r: f"{r.randint(1000, 9999)} {_letters(r, 3, 'BCDFGHJKLMNPRSTVWXYZ')}",  # Spain
    lambda r: f"{_letters(r, 2)} {r.randint(100, 999)} {_letters(r, 2)}",  # Italy
    lambda r: f"{r.choice(['WX', 'GD', 'PO', 'KR'])} {r.randint(10000, 99999)}",  # Poland
    lambda r: f"{r.randint(1, 99)}-{_letters(r, 3)}-{r.randint(1, 9)}",  # the Netherlands
    lambda r: f"34 {_letters(r, 2)} {r.randint(100, 999)}",  # a Turkish truck
]


def _letters(rng: random.Random, count: int, alphabet: str = "ABCDEFGHJKLMNPQRSTUVWXYZ") -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


def _digits(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randint(0, 9)) if c == "#" else c for c in pattern)


def _s10(rng: random.Random) -> str:
    """A UPU S10 postal item number with its check digit (weights 8 6 4 2 3 5 9 7)."""
    serial = f"{rng.randint(0, 99_999_999):08d}"
    check = 11 - sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"{rng.choice(S10_SERVICES)}{serial}{check}{rng.choice(S10_COUNTRIES)}"


def company(rng: random.Random) -> str:
    if rng.random() < 0.55:
        name = "".join(rng.choice(PINYIN) for _ in range(rng.choice((2, 3)))).capitalize()
        return f"{rng.choice(CN_CITIES)} {name} {rng.choice(INDUSTRIES)} {rng.choice(CN_SUFFIXES)}"
    words = rng.choice(EURO_WORDS) + rng.choice(EURO_WORDS).lower()
    place = f" {rng.choice(OTHER_CITIES)}" if rng.random() < 0.6 else ""
    return f"{words}{place} {rng.choice(INDUSTRIES)} {rng.choice(EU_SUFFIXES)}"


def person(rng: random.Random) -> str:
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 52))
    return f"{rng.choice(FAMILY).upper()} {rng.choice(GIVEN)} (born {born.isoformat()})"


def address(rng: random.Random) -> str:
    country = rng.choice(list(STREETS))
    street = f"{rng.randint(1, 240)} {rng.choice(STREETS[country])}"
    if country in ("DE", "NL", "ES", "IT", "TR"):
        street = f"{rng.choice(STREETS[country])} {rng.randint(1, 240)}"
    digits = {"NL": 4, "CN": 6}.get(country, 5)
    postcode = POSTCODE.get(country, "{:05d}").format(rng.randint(10 ** (digits - 1), 10**digits - 1))
    city = rng.choice(CITIES[country])
    return f"{street}, {postcode} {city}, {country}"


def website(rng: random.Random) -> str:
    host = "".join(rng.sample(SHOP_WORDS, rng.choice((2, 2, 3))))
    host += rng.choice(["", "-", "-store-", "-outlet-"]) + str(rng.randint(1, 9999))
    path = rng.choice(["", "", "/shop", f"/products/{rng.choice(SHOP_WORDS)}-{rng.randint(1, 9999)}"])
    return f"https://www.{host}.{rng.choice(TLDS)}{path}"


def marketplace_shop(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"https://{rng.choice(MARKETS)}/store/{rng.randint(10**8, 10**10)}"
    words = "".join(w.capitalize() for w in rng.sample(SHOP_WORDS, 2))
    return f"{words} {rng.choice(['Official Store', 'Outlet', 'Shop', 'Trading', 'Boutique'])} {rng.randint(1, 9999)}"


def phone(rng: random.Random) -> str:
    code, pattern, starts = PHONE_FORMATS[rng.choice(list(PHONE_FORMATS))]
    start = rng.choice(starts)
    number = start + _digits(rng, pattern)[len(start) :]
    return f"+{code} {number}"


def email(rng: random.Random) -> str:
    local = rng.choice(["sales", "info", "export", "service", "order", "kefu", "trade"])
    if rng.random() < 0.5:
        local = f"{rng.choice(GIVEN).lower()}.{rng.choice(FAMILY).lower()}"
    domain = "".join(rng.sample(PINYIN + SHOP_WORDS, 2)) + str(rng.randint(1, 9999))
    return f"{local}{rng.randint(1, 99)}@{domain}.{rng.choice(['com', 'cn', 'net', 'hk', 'com.tr', 'ae'])}"


def container(rng: random.Random) -> str:
    body = f"{rng.choice(OWNER_CODES)}{rng.randint(0, 999_999):06d}"
    return body + iso6346.calc_check_digit(body)


def tracking_number(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return _s10(rng)
    if roll < 0.8:
        return f"1Z{_letters(rng, 3, 'ABCDEFGHJKLMNPRSTVWXY0123456789')}{rng.randint(10**12, 10**13 - 1)}"
    return str(rng.randint(10**11, 10**12 - 1))


def vehicle(rng: random.Random) -> str:
    return rng.choice(PLATES)(rng)


GENERATORS = {
    SubjectKind.COMPANY: (company, 18),
    SubjectKind.PERSON: (person, 12),
    SubjectKind.ADDRESS: (address, 10),
    SubjectKind.WEBSITE: (website, 10),
    SubjectKind.MARKETPLACE_SHOP: (marketplace_shop, 7),
    SubjectKind.PHONE: (phone, 14),
    SubjectKind.EMAIL: (email, 10),
    SubjectKind.CONTAINER: (container, 7),
    SubjectKind.TRACKING_NUMBER: (tracking_number, 8),
    SubjectKind.VEHICLE: (vehicle, 4),
}
KINDS = [str(kind) for kind in GENERATORS]
KIND_WEIGHTS = [weight for _, weight in GENERATORS.values()]


def respell(kind: str, value: str, rng: random.Random) -> str:
    """The same subject as another officer writes it (the same normal form)."""
    roll = rng.random()
    if kind == SubjectKind.PHONE:
        compact = "".join(c for c in value if c.isdigit())
        return rng.choice([f"00{compact}", f"+{compact}", value])
    if kind in (SubjectKind.WEBSITE,) or (kind == SubjectKind.MARKETPLACE_SHOP and "://" in value):
        bare = value.split("://", 1)[1].removeprefix("www.")
        return rng.choice([bare, f"http://{bare}/", value.upper(), f"https://{bare}"])
    if kind == SubjectKind.CONTAINER:
        return rng.choice([f"{value[:4]} {value[4:10]}-{value[10]}", f"{value[:4]} {value[4:10]} {value[10]}", value])
    if kind == SubjectKind.EMAIL:
        return value.upper() if roll < 0.3 else f" {value} "
    if roll < 0.3:
        return value.upper()
    if roll < 0.6:
        return value.lower().replace(",", "").replace(".", "")
    return value.replace(" ", "  ", 1)


def pool() -> list[tuple[str, str]]:
    """The network subjects several organizations meet (the same list for the seed and the saves)."""
    rng = random.Random(1)
    return [(kind, GENERATORS[kind][0](rng)) for kind in rng.choices(KINDS, KIND_WEIGHTS, k=POOL)]


# --------------------------------------------------------------------------- seeding


def copy_rows(table: str, columns: list[str], rows) -> None:
    """COPY rows into a table on Django's own connection (in its transaction)."""
    raw = connection.connection
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def seed(rng: random.Random) -> dict:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    now = timezone.now()
    with transaction.atomic():
        holders = Organization.objects.bulk_create(
            Organization(kind=OrganizationKind.RIGHT_HOLDER, name=name, country=country, status=Status.APPROVED)
            for name, country in RIGHT_HOLDERS
        )
        agencies = Organization.objects.bulk_create(
            Organization(kind=kind, name=name, country=country, jurisdiction=jurisdiction, status=Status.APPROVED)
            for kind, name, country, jurisdiction, _weight in ORGANIZATIONS
        )
        people = []
        for index, organization in enumerate(agencies):
            for role, count in ((Role.COORDINATOR, 2), (Role.OFFICER, 3)):
                for n in range(count):
                    people.append(
                        (
                            organization,
                            role,
                            User(
                                email=f"{role}{n}.org{index}@bench.example",
                                full_name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                                status=Status.APPROVED,
                                language="en",
                                password="!",
                            ),
                        )
                    )
        users = User.objects.bulk_create(user for _, _, user in people)
        Membership.objects.bulk_create(
            Membership(user=user, organization=org, role=role)
            for (org, role, _), user in zip(people, users, strict=True)
        )
        officers = defaultdict(list)
        for (org, role, _), user in zip(people, users, strict=True):
            if role == Role.OFFICER:
                officers[org.pk].append(user.pk)
        timings["organizations and people"] = time.perf_counter() - started

        # Cases: three years of them; those older than about two months are mostly closed.
        step = time.perf_counter()
        weights = [weight for *_rest, weight in ORGANIZATIONS]
        case_orgs = rng.choices(agencies, weights, k=CASES)
        meta = []  # (organization id, country) per case, in insertion order

        def case_rows():
            for organization in case_orgs:
                country = organization.jurisdiction[0] if organization.jurisdiction else organization.country.code
                created = now - datetime.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
                age = (now - created).days
                closed = (age > 60 and rng.random() < 0.92) or (age > 20 and rng.random() < 0.3)
                closed_at = created + datetime.timedelta(days=rng.randint(5, min(age, 120))) if closed else None
                customs = organization.kind == OrganizationKind.CUSTOMS
                procedure = Procedure.DETENTION if customs and rng.random() < 0.8 else Procedure.VERIFICATION
                deadline = (created + datetime.timedelta(days=14)).date()
                holder = rng.choice(holders[:-1])
                meta.append((organization.pk, country))
                yield (
                    None,
                    f"Brand of {holder.name}",
                    holder.pk,
                    "",
                    organization.pk,
                    rng.choice(officers[organization.pk]),
                    country,
                    procedure,
                    deadline if procedure == Procedure.VERIFICATION else None,
                    "Goods suspected to infringe the brand: see the subjects.",
                    rng.randint(1, 5000),
                    rng.choice(["Port", "Airport", "Postal hub", "Warehouse", "Road check", "Online test purchase"]),
                    rng.choice(["CN", "CN", "CN", "HK", "TR", "AE", "VN", "IN", ""]),
                    False,
                    CaseStatus.CLOSED if closed else CaseStatus.OPEN,
                    "destroyed" if closed else "",
                    "",
                    deadline,
                    deadline - datetime.timedelta(days=2),
                    False,
                    False,
                    False,
                    created,
                    closed_at or created,
                    closed_at,
                    procedure == Procedure.DETENTION,
                )

        columns = [
            "brand_id", "brand_name", "owner_id", "product_name", "organization_id", "opened_by_id", "country",
            "procedure", "requested_deadline", "description", "quantity", "location", "declared_origin",
            "perishable", "status", "outcome", "outcome_note", "deadline", "remind_on", "reminded", "overdue",
            "extended", "created", "updated", "closed_at", "share_subjects",
        ]  # fmt: skip
        copy_rows(Case._meta.db_table, columns, case_rows())
        case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
        assert len(case_ids) == len(meta) == CASES
        timings["200,000 cases (COPY)"] = time.perf_counter() - step

        # Subjects: 1 to 10 a case, 5 on average, exactly SUBJECTS in all.
        step = time.perf_counter()
        counts = rng.choices(range(1, 11), [6, 9, 12, 13, 13, 12, 11, 10, 8, 6], k=CASES)
        while (total := sum(counts)) != SUBJECTS:
            i = rng.randrange(CASES)
            counts[i] = max(1, min(10, counts[i] + (1 if total < SUBJECTS else -1)))
        network = pool()
        normal_cache: dict[tuple[str, str, str], str] = {}
        stats = Counter()

        def normal(kind: str, value: str, country: str) -> str:
            key = (kind, value, country if kind == SubjectKind.PHONE else "")
            if key not in normal_cache:
                normal_cache[key] = normal_form(kind, value, country)
            return normal_cache[key]

        def subject_rows():
            for case_id, (organization_id, country), count in zip(case_ids, meta, counts, strict=True):
                seen = set()
                position = 0
                while position < count:
                    if rng.random() < POOL_SHARE:
                        kind, value = network[min(POOL - 1, int(POOL * rng.random() ** 1.3))]
                        value = respell(kind, value, rng)
                        source = "pool"
                    else:
                        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
                        value = GENERATORS[kind][0](rng)
                        source = "own"
                    form = normal(kind, value, country) if source == "pool" else normal_form(kind, value, country)
                    if not form or (kind, form) in seen:
                        continue
                    seen.add((kind, form))
                    stats[source] += 1
                    yield (case_id, organization_id, kind, value, form, position)
                    position += 1

        copy_rows(
            CaseSubject._meta.db_table,
            ["case_id", "organization_id", "kind", "value", "normal", "position"],
            subject_rows(),
        )
        timings["1,000,000 subjects (COPY, normal forms computed)"] = time.perf_counter() - step

        # The cases the saves write to: open, no subjects, spread over the organizations.
        step = time.perf_counter()
        bench = []
        for index in range(BENCH_CASES):
            organization = agencies[index % len(agencies)]
            bench.append(
                Case(
                    brand_name="Bench brand",
                    owner=holders[index % (len(holders) - 1)],
                    organization=organization,
                    opened_by_id=officers[organization.pk][0],
                    country=organization.jurisdiction[0] if organization.jurisdiction else organization.country,
                    procedure=Procedure.VERIFICATION,
                    description="The benchmark saves this case's subjects.",
                    quantity=10,
                    location="Bench",
                    deadline=now.date() + datetime.timedelta(days=30),
                    remind_on=now.date() + datetime.timedelta(days=28),
                )
            )
        Case.objects.bulk_create(bench, batch_size=1000)
        timings["1,000 bench cases"] = time.perf_counter() - step
    step = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["VACUUM ANALYZE"] = time.perf_counter() - step
    with connection.cursor() as cursor:  # how many subjects another organization's case shares
        cursor.execute(
            "SELECT count(*), sum(n), sum(n) FILTER (WHERE organizations > 1), "
            "count(*) FILTER (WHERE organizations > 1) "
            "FROM (SELECT count(*) AS n, count(DISTINCT organization_id) AS organizations "
            f"FROM {CaseSubject._meta.db_table} GROUP BY kind, normal) AS g"
        )
        values, rows, shared_rows, shared_values = cursor.fetchone()
    stats.update(values=values, rows=rows, shared_rows=shared_rows, shared_values=shared_values)
    timings["total"] = time.perf_counter() - started
    return {"timings": timings, "subjects": dict(stats)}


def bench_cases() -> list[Case]:
    return list(Case.objects.filter(location="Bench").select_related("owner", "organization").order_by("pk"))


def reset(cases: list[Case]) -> dict[str, int]:
    """Empty the bench cases again: their subjects, hits, the events and audit entries saves wrote."""
    ids = [case.pk for case in cases]
    with transaction.atomic():
        removed = {
            "subjects": CaseSubject.objects.filter(case_id__in=ids).delete()[0],
            "hits": DeconflictionHit.objects.filter(first_id__in=ids).delete()[0]
            + DeconflictionHit.objects.filter(second_id__in=ids).delete()[0],
            "events": Event.objects.filter(kind="deconfliction.hit").delete()[0],
            "audit": AuditEntry.objects.filter(action__in=["case.subjects_changed", "deconfliction.hit"]).delete()[0],
        }
    return removed


# --------------------------------------------------------------------------- measuring


def fresh_sets(count: int, rng: random.Random) -> list[tuple[list[dict], int]]:
    """`count` lists of 10 {kind, value}, none stored before; one in five also carries one or two
    values of the pool, spelled another way (planned hits: whether they hit depends on the stored
    cases: other organizations', open or closed within 12 months). Pool values are not reused."""
    network = pool()
    network_rng = random.Random(2)
    order = list(range(POOL))
    network_rng.shuffle(order)
    sets = []
    for index in range(count):
        raw = []
        planned = (1 if index % 10 else 2) if index % 5 == 0 else 0
        for _ in range(planned):
            kind, value = network[order.pop()]
            raw.append({"kind": kind, "value": respell(kind, value, rng)})
        while len(raw) < SUBJECTS_PER_SAVE:
            kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
            raw.append({"kind": kind, "value": GENERATORS[kind][0](rng)})
        sets.append((raw, planned))
    # Fresh means never stored, and once in the run: draw again any that is (a query a round, not timed).
    while True:
        seen: set[tuple[str, str]] = set()
        again = []
        for raw, planned in sets:
            for i in range(planned, len(raw)):
                pair = (raw[i]["kind"], normal_form(raw[i]["kind"], raw[i]["value"], "FR"))
                if pair in seen:
                    again.append((raw, i))
                seen.add(pair)
        stored = set(
            CaseSubject.objects.filter(kind__in=KINDS, normal__in={n for _, n in seen}).values_list("kind", "normal")
        )
        for raw, planned in sets:
            for i in range(planned, len(raw)):
                if (raw[i]["kind"], normal_form(raw[i]["kind"], raw[i]["value"], "FR")) in stored:
                    again.append((raw, i))
        if not again:
            break
        for raw, i in again:
            raw[i] = {"kind": raw[i]["kind"], "value": GENERATORS[raw[i]["kind"]][0](rng)}
    return sets


def raw_lookup(pairs: list[tuple[str, str]]) -> tuple[float, int]:
    sql = (
        f"SELECT case_id, kind, normal FROM {CaseSubject._meta.db_table} WHERE (kind, normal) IN ("
        + ", ".join(["(%s, %s)"] * len(pairs))
        + ")"
    )
    params = [x for pair in pairs for x in pair]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return (time.perf_counter() - started) * 1000, len(rows)


def save(case: Case, actor: User, raw: list[dict]) -> dict:
    started = time.perf_counter()
    subjects = clean_subjects(raw, case.country.code)
    cleaned = time.perf_counter()
    with transaction.atomic():
        hits = save_subjects(actor=actor, case=case, subjects=subjects)
        body = time.perf_counter()
    done = time.perf_counter()
    return {
        "save_ms": (done - started) * 1000,
        "clean_ms": (cleaned - started) * 1000,
        "body_ms": (body - cleaned) * 1000,
        "commit_ms": (done - body) * 1000,
        "hits": len(hits),
        "pairs": sorted({(s.kind, s.normal) for s in subjects}),
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": statistics.median(values),
        "p95": percentile(values, 95),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


STATEMENT_KINDS = [
    (r'^SELECT .*FROM "alerts_casesubject" WHERE "alerts_casesubject"\."case_id" =', "read the case's subjects"),
    (r'^DELETE FROM "alerts_casesubject"', "delete the case's subjects"),
    (r'^INSERT INTO "alerts_casesubject"', "insert the subjects"),
    (r'^INSERT INTO "accounts_auditentry"', "audit entry"),
    (r"pg_advisory_xact_lock", "advisory locks on the values"),
    (r'FROM "alerts_casesubject"( s)? (INNER )?JOIN "alerts_case"', "the match"),
    (r'^INSERT INTO "alerts_deconflictionhit"', "record the new pairs (one INSERT … ON CONFLICT DO NOTHING)"),
    (r'^SELECT .*FROM "alerts_deconflictionhit"', "hits already known (a query, older code)"),
    (r"^SAVEPOINT|^RELEASE SAVEPOINT|^ROLLBACK TO SAVEPOINT", "savepoint (older code: one per hit insert)"),
    (r'^SELECT .*FROM "alerts_case"', "the other cases (in_bulk)"),
    (r'^INSERT INTO "notifications_event"', "insert an event (two per hit)"),
    (r'^SELECT .*FROM "accounts_user"', "an organization's coordinators (event data, once a save)"),
]


def statement_kind(sql: str) -> str:
    for pattern, label in STATEMENT_KINDS:
        if re.search(pattern, sql, re.S):
            return label
    return sql[:60]


class Recorder:
    """An execute wrapper: every statement of the connection with its own time (perf_counter, the
    statements Django's debug cursor would list in `connection.queries`)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, list | tuple | None, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, (time.perf_counter() - started) * 1000))


def profile(cases: list[Case], actors: dict[int, User], sets) -> dict:
    """The same saves with every statement timed, beside the raw look-up of the same values."""
    per_save: dict[str, list] = {"no hit": [], "hit": []}
    match_statement = None
    match_ms, raw_ms = [], []
    for case, (raw, _planned) in zip(cases, sets, strict=True):
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            result = save(case, actors[case.organization_id], raw)
        raw_ms.append(raw_lookup(result["pairs"])[0])
        statements = [(statement_kind(sql), ms) for sql, _params, ms in recorder.statements]
        statements.append(("COMMIT (and the on_commit hand-over to Redis)", result["commit_ms"]))
        per_save["hit" if result["hits"] else "no hit"].append({"result": result, "statements": statements})
        for sql, params, ms in recorder.statements:
            if statement_kind(sql) == "the match":
                match_ms.append(ms)
                if result["hits"] and match_statement is None:
                    match_statement = (sql, params)
    table = {}
    for outcome, saves in per_save.items():
        if not saves:
            continue
        counts, times = defaultdict(list), defaultdict(list)
        for entry in saves:
            by_kind = defaultdict(list)
            for label, ms in entry["statements"]:
                by_kind[label].append(ms)
            for label, values in by_kind.items():
                counts[label].append(len(values))
                times[label].append(sum(values))
        table[outcome] = {
            "saves": len(saves),
            "statements_per_save": statistics.median(len(e["statements"]) - 1 for e in saves),
            "statements_max": max(len(e["statements"]) - 1 for e in saves),
            "sql_ms_per_save": statistics.median(sum(ms for _, ms in e["statements"]) for e in saves),
            "save_ms": statistics.median(e["result"]["save_ms"] for e in saves),
            "hits_per_save": statistics.median(e["result"]["hits"] for e in saves),
            "by_kind": {
                label: {
                    "count": sum(counts[label]) / len(saves),
                    "ms_p50": statistics.median(times[label]),
                    "ms_p95": percentile(times[label], 95),
                }
                for label in sorted(counts, key=lambda label: -sum(times[label]))
            },
        }
    return {
        "table": table,
        "match_statement": match_statement,
        "match": summary(match_ms),
        "raw": summary(raw_ms),
    }


def explain(sql: str, params: list | None = None) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def machine() -> dict:
    info = {"cores": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        info["cpu"] = model
        kb = int(
            next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
        )
        info["memory_gb"] = round(kb / 1024 / 1024)
    except (OSError, StopIteration):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info["postgresql"] = cursor.fetchone()[0]
        for name in ("shared_buffers", "work_mem", "jit", "synchronous_commit"):
            cursor.execute(f"SHOW {name}")
            info[name] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_relation_size('case_subject_match')), "
            f"pg_size_pretty(pg_total_relation_size('{CaseSubject._meta.db_table}'))"
        )
        info["index_size"], info["table_size"] = cursor.fetchone()
    return info


def queue_length() -> int:
    import redis

    return int(redis.Redis.from_url(os.environ["REDIS_URL"]).llen(QUEUE))


def delete_queue() -> None:
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(QUEUE)


def report(results: dict) -> str:
    m = results["machine"]
    save_s, raw_s = results["save"], results["raw"]
    ratio = save_s["p95"] / raw_s["p95"]
    lines = [
        f"Machine: {m['cores']} cores ({m.get('cpu', '?')}), {m.get('memory_gb', '?')} GB, PostgreSQL "
        f"{m['postgresql']} (shared_buffers {m['shared_buffers']}, work_mem {m['work_mem']}, jit {m['jit']}, "
        f"synchronous_commit {m['synchronous_commit']}), Python {m['python']}; load average "
        f"{results['load_before'][0]:.1f} before, {results['load_after'][0]:.1f} after.",
        f"Data: {results['counts']['subjects']:,} subjects in {results['counts']['cases']:,} cases of "
        f"{results['counts']['organizations']} enforcement organizations; index case_subject_match "
        f"{m['index_size']}, table with indexes {m['table_size']}.",
        "",
        f"{save_s['n']} saves of 10 subjects, {results['planned_saves']} with pool values "
        f"({results['hitting_saves']} of them hit, {results['unplanned_hitting_saves']} without a pool value: "
        f"{results['hits_total']} hits in all, at most {results['hits_max']} in one save; "
        f"{results['queued']} dispatch tasks handed to Redis on commit), each beside the raw look-up of "
        "the same 10 values:",
        "",
        "| measure | p50 | p95 | max | mean |",
        "|---|---|---|---|---|",
    ]
    for label, key in [
        ("save: clean + save_subjects + commit", "save"),
        ("… of which clean_subjects (normal forms)", "clean"),
        ("… of which save_subjects (in the transaction)", "body"),
        ("… of which the commit (and on_commit hand-over)", "commit"),
        ("save, saves without a hit", "save_no_hit"),
        ("save, saves with a hit", "save_hit"),
        ("raw look-up: one SELECT … WHERE (kind, normal) IN (10 pairs)", "raw"),
    ]:
        s = results[key]
        if s:
            figures = f"{s['p50']:.2f} ms | {s['p95']:.2f} ms | {s['max']:.2f} ms | {s['mean']:.2f} ms"
            lines.append(f"| {label} (n={s['n']}) | {figures} |")
    lines += [
        "",
        f"Save p95 / raw look-up p95 = {save_s['p95']:.2f} / {raw_s['p95']:.2f} = **{ratio:.1f}×** "
        f"(target: save p95 < 20 ms: {'met' if save_s['p95'] < 20 else 'missed'}; < 2× the raw look-up: "
        f"{'met' if ratio < 2 else 'missed'}).",
        "",
        f"Inside the {results['profile']['match']['n']} profiled saves, the service's match statement took "
        f"p50 {results['profile']['match']['p50']:.2f} ms, p95 {results['profile']['match']['p95']:.2f} ms "
        f"(max {results['profile']['match']['max']:.2f}); the raw look-up of the same values p50 "
        f"{results['profile']['raw']['p50']:.2f} ms, p95 {results['profile']['raw']['p95']:.2f} ms "
        f"(max {results['profile']['raw']['max']:.2f}): match p95 / raw p95 = "
        f"{results['profile']['match']['p95'] / results['profile']['raw']['p95']:.1f}×.",
        "",
        "Statements a save issues (the profiled saves, each statement timed by an execute wrapper; "
        "per save: how many, and their time, p50 and p95):",
        "",
    ]
    for outcome, entry in results["profile"]["table"].items():
        lines += [
            f"*{outcome}* ({entry['saves']} saves, median {entry['hits_per_save']} hits): "
            f"{entry['statements_per_save']} statements (max {entry['statements_max']}), "
            f"{entry['sql_ms_per_save']:.2f} ms in SQL of a {entry['save_ms']:.2f} ms save",
            "",
            "| statement | per save | ms p50 | ms p95 |",
            "|---|---|---|---|",
        ]
        for label, row in entry["by_kind"].items():
            lines.append(f"| {label} | {row['count']:.1f} | {row['ms_p50']:.3f} | {row['ms_p95']:.3f} |")
        lines.append("")
    lines += ["EXPLAIN (ANALYZE, BUFFERS), the raw look-up:", "", "```", results["explain_raw"], "```", ""]
    if results.get("explain_match"):
        lines += ["EXPLAIN (ANALYZE, BUFFERS), the service's match statement:", "", "```"]
        lines += [results["explain_match"], "```"]
    return "\n".join(lines)


def main() -> None:
    out = Path(ARGS.out)
    out.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    results: dict = {"command": " ".join(sys.argv)}
    if not Organization.objects.filter(name=MARKER).exists():
        print("Seeding 200,000 cases and 1,000,000 subjects (once)...", flush=True)
        results["seed"] = seed(random.Random(14))
        for label, seconds in results["seed"]["timings"].items():
            print(f"  {label}: {seconds:.1f} s", flush=True)
        print(f"  subjects: {results['seed']['subjects']}", flush=True)
    if ARGS.seed_only:
        return
    cases = bench_cases()
    seeded = CaseSubject.objects.exclude(case__location="Bench")
    results["counts"] = {
        "subjects": seeded.count(),
        "cases": seeded.values("case_id").distinct().count(),
        "organizations": Organization.objects.exclude(kind=OrganizationKind.RIGHT_HOLDER).count(),
    }
    results["reset_before"] = reset(cases)
    with connection.cursor() as cursor:  # the rows the last run deleted: their space reused, as autovacuum would
        cursor.execute(f"VACUUM {CaseSubject._meta.db_table}, {DeconflictionHit._meta.db_table}")
    actors = {
        m.organization_id: m.user
        for m in Membership.objects.filter(role=Role.OFFICER).select_related("user").order_by("-pk")
    }
    total = ARGS.warmup + ARGS.iterations + ARGS.profile_iterations
    rng = random.Random(time.time_ns())
    print(f"Generating {total} sets of 10 fresh values...", flush=True)
    sets = fresh_sets(total, rng)
    results["machine"] = machine()
    results["load_before"] = os.getloadavg()
    try:
        print(f"Measuring {ARGS.warmup} + {ARGS.iterations} saves beside the raw look-up...", flush=True)
        runs = []
        for index in range(ARGS.warmup + ARGS.iterations):
            case, (raw, planned) = cases[index], sets[index]
            pairs = sorted({(s["kind"], normal_form(s["kind"], s["value"], case.country.code)) for s in raw})
            if index % 2:
                raw_ms, found = raw_lookup(pairs)
                result = save(case, actors[case.organization_id], raw)
            else:
                result = save(case, actors[case.organization_id], raw)
                raw_ms, found = raw_lookup(pairs)
            result.update(raw_ms=raw_ms, raw_rows=found, planned=planned)
            if index >= ARGS.warmup:
                runs.append(result)
        results["load_after"] = os.getloadavg()
        for key in ("save", "clean", "body", "commit", "raw"):
            results[key] = summary([r[f"{key}_ms"] for r in runs])
        results["save_no_hit"] = summary([r["save_ms"] for r in runs if not r["hits"]])
        hitting = [r["save_ms"] for r in runs if r["hits"]]
        results["save_hit"] = summary(hitting) if hitting else None
        results["hitting_saves"] = len(hitting)
        results["planned_saves"] = sum(1 for r in runs if r["planned"])
        results["unplanned_hitting_saves"] = sum(1 for r in runs if r["hits"] and not r["planned"])
        results["hits_total"] = sum(r["hits"] for r in runs)
        results["hits_max"] = max(r["hits"] for r in runs)
        results["queued"] = queue_length()

        print(f"Profiling {ARGS.profile_iterations} more saves...", flush=True)
        first = ARGS.warmup + ARGS.iterations
        if ARGS.cprofile:
            import cProfile
            import io
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        results["profile"] = profile(cases[first:total], actors, sets[first:total])
        if ARGS.cprofile:
            profiler.disable()
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
            (out / "cprofile.txt").write_text(text.getvalue())

        hit_run = next((r for r in runs if r["hits"]), runs[0])
        pairs = hit_run["pairs"]
        raw_sql = (
            f"SELECT case_id, kind, normal FROM {CaseSubject._meta.db_table} WHERE (kind, normal) IN ("
            + ", ".join(["(%s, %s)"] * len(pairs))
            + ")"
        )
        results["explain_raw"] = explain(raw_sql, [x for pair in pairs for x in pair])
        if results["profile"]["match_statement"]:
            results["explain_match"] = explain(*results["profile"]["match_statement"])
        for name in ("explain_raw", "explain_match"):
            if name in results and "case_subject_match" not in results[name]:
                print(f"WARNING: {name} does not use the index case_subject_match", flush=True)
    finally:
        results["reset_after"] = reset(cases)
        delete_queue()
    text = report(results)
    (out / "results.json").write_text(
        json.dumps(
            {k: v for k, v in results.items() if k != "profile"}
            | {"profile": {k: v for k, v in results["profile"].items() if k != "match_statement"}},
            indent=1,
            default=str,
        )
    )
    (out / "report.md").write_text(text + "\n")
    print("\n" + text)
    print(f"\nWritten to {out}/ (report.md, results.json)")


if __name__ == "__main__":
    main()
