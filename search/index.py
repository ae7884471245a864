"""Keeping the search index up to date.

`reindex_*` rebuild the documents of the given objects in a bounded number of queries
whatever their number (the catalogue import indexes 50,000 products at once); signals.py calls
them when a brand, product, GTIN, trade mark, supply-chain entry, guide, version or indicator is
saved or deleted, inside the same transaction, so the index never shows what was rolled back.
`rebuild()` (command `manage.py rebuild_search_index`) starts from nothing.

The index holds every brand, product and guide, whoever may see them: its reads of the content
are the `system_*` selectors below (core.scope.SYSTEM_SELECTORS), and each search narrows the
documents to what the person may see (services.visible_documents).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from authentication_guides.models import Guide, GuideVersion
from brands.models import Brand, Product, ProductGTIN, SupplyChainEntry
from core import versions
from core.scope import system_selector

from .models import IndexChange, ResultType, SearchDocument
from .text import key, normalize

BATCH = 2000
# A change-log kind: every document of the brand (its own, its trade marks', products', guides').
BRAND_AND_DEPENDENTS = "brand+"
# A change-log kind: the brand's trade marks (replaced together with the brand's own document).
TRADEMARKS_OF_BRAND = "brand-tm"

EVERY_SCOPE = "the search index holds every brand, product and guide; each search narrows it to the person's scope"


# --------------------------------------------------------------------------- what the index reads


@system_selector(EVERY_SCOPE)
def system_brands(ids: list[int]) -> QuerySet:
    return Brand.objects.filter(pk__in=ids).prefetch_related("trademarks")


@system_selector(EVERY_SCOPE)
def system_all_brand_ids() -> QuerySet:
    return Brand.objects.values_list("pk", flat=True)


@system_selector(EVERY_SCOPE)
def system_brand_ids_of(organization_id: int) -> list[int]:
    return list(Brand.objects.filter(owner_id=organization_id).values_list("pk", flat=True))


@system_selector(EVERY_SCOPE)
def system_products(ids: list[int]) -> QuerySet:
    return (
        Product.objects.filter(pk__in=ids)
        .select_related("brand")
        .prefetch_related(Prefetch("gtin_set", queryset=ProductGTIN.objects.order_by("position")))
    )


@system_selector(EVERY_SCOPE)
def system_product_ids_of(brand_ids: Iterable[int]) -> QuerySet:
    return Product.objects.filter(brand_id__in=brand_ids).values_list("pk", flat=True)


@system_selector(EVERY_SCOPE)
def system_origins(product_ids: list[int], brand_ids: set[int]) -> QuerySet:
    """(brand, product or None, origin countries) of the supply-chain entries of these products
    and of their brands as a whole."""
    return SupplyChainEntry.objects.filter(
        Q(product_id__in=product_ids) | Q(brand_id__in=brand_ids, product__isnull=True)
    ).values_list("brand_id", "product_id", "origin_countries")


@system_selector(EVERY_SCOPE)
def system_guides(ids: list[int]) -> QuerySet:
    return (
        Guide.objects.filter(pk__in=ids)
        .select_related("brand", "product")
        .prefetch_related(
            Prefetch("versions", queryset=GuideVersion.objects.order_by("-number").prefetch_related("indicators"))
        )
    )


@system_selector(EVERY_SCOPE)
def system_guide_ids_of(brand_ids: Iterable[int]) -> list[int]:
    return list(Guide.objects.filter(brand_id__in=brand_ids).values_list("pk", flat=True))


# --------------------------------------------------------------------------- building documents


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def _listed(values: Iterable[str]) -> str:
    values = sorted({v for v in values if v})
    return f",{','.join(values)}," if values else ""


def _keys(values: Iterable[str]) -> str:
    found = {key(v) for v in values if v and v.strip()}
    found.discard("")
    return "|" + "|".join(sorted(found)) + "|" if found else ""


def log_changes(kind: str, ids: Iterable[int]) -> None:
    """Append the objects to the change log (IndexChange) in the caller's transaction."""
    ids = sorted(set(ids))
    if not ids:
        return
    now, tx = timezone.now(), current_transaction()
    IndexChange.objects.bulk_create(
        (IndexChange(tx=tx, kind=kind, object_id=pk, created=now) for pk in ids), batch_size=BATCH
    )
    versions.bump()  # cached answers (search responses, guide lists) are keyed by it
    for listener in list(LOG_LISTENERS):
        listener(kind, ids)


# Called with (kind, ids) as each change is logged, in its transaction: the tests' engine takes
# the change at once (tests/conftest.py); nodes follow the log instead (search/follow.py).
LOG_LISTENERS: list = []


def current_transaction() -> int:
    """PostgreSQL's id of the running transaction (0 on SQLite)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return int(cursor.fetchone()[0])


def _replace(kind: str, ids: list[int], documents: list[SearchDocument]) -> None:
    with transaction.atomic():
        SearchDocument.objects.filter(type=kind, object_id__in=ids).delete()
        SearchDocument.objects.bulk_create(documents, batch_size=BATCH)
        log_changes(kind, ids)


def _chunks(ids: Iterable[int]):
    ids = sorted(set(ids))
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def reindex_brands(ids: Iterable[int], *, dependents: bool = True) -> None:
    """The brands' own documents and their trade marks; with `dependents`, also their products
    and guides (which carry the brand's name)."""
    for chunk in _chunks(ids):
        brands = list(system_brands(chunk))
        now = timezone.now()
        documents, trademarks, trademark_ids = [], [], []
        for brand in brands:
            aliases = [a for a in brand.aliases or [] if isinstance(a, str)]
            documents.append(
                SearchDocument(
                    type=ResultType.BRAND,
                    object_id=brand.pk,
                    brand_id=brand.pk,
                    title=brand.name,
                    body=_join(", ".join(aliases), brand.description),
                    names=normalize(" ".join([brand.name, *aliases])),
                    text=normalize(brand.description),
                    keys=_keys([brand.name, *aliases]),
                    categories=_listed(brand.categories or []),
                    updated=now,
                )
            )
            for mark in brand.trademarks.all():
                trademark_ids.append(mark.pk)
                trademarks.append(
                    SearchDocument(
                        type=ResultType.TRADEMARK,
                        object_id=mark.pk,
                        brand_id=brand.pk,
                        title=f"{mark.office} {mark.number}",
                        body=brand.name,
                        names=normalize(f"{mark.number} {key(mark.number)} {mark.office}"),
                        text=normalize(brand.name),
                        keys=_keys([mark.number]),
                        updated=now,
                    )
                )
        _replace(ResultType.BRAND, chunk, documents)
        SearchDocument.objects.filter(type=ResultType.TRADEMARK, brand_id__in=chunk).delete()
        SearchDocument.objects.bulk_create(trademarks, batch_size=BATCH)
        log_changes(TRADEMARKS_OF_BRAND, chunk)
        if dependents:
            reindex_products(system_product_ids_of(chunk))
            reindex_guides(system_guide_ids_of(chunk))


def reindex_products(ids: Iterable[int]) -> None:
    for chunk in _chunks(ids):
        products = list(system_products(chunk))
        origins: dict[tuple, set] = defaultdict(set)
        for brand_id, product_id, countries in system_origins(chunk, {p.brand_id for p in products}):
            origins[(brand_id, product_id)].update(c for c in countries or [] if isinstance(c, str))
        now = timezone.now()
        documents = []
        for product in products:
            gtins = list(product.gtin_set.all())
            numbers = [g.gtin for g in gtins] + [g.gtin.lstrip("0") for g in gtins] + [g.entered for g in gtins]
            countries = origins[(product.brand_id, product.pk)] | origins[(product.brand_id, None)]
            documents.append(
                SearchDocument(
                    type=ResultType.PRODUCT,
                    object_id=product.pk,
                    brand_id=product.brand_id,
                    title=product.name,
                    body=_join(product.description, product.packaging_notes),
                    names=normalize(" ".join([product.name, product.sku, key(product.sku), product.brand.name])),
                    text=normalize(
                        " ".join([product.description, product.packaging_notes, product.hs_code, *numbers])
                    ),
                    keys=_keys([product.sku, *numbers]),
                    hs_code=product.hs_code,
                    categories=_listed([product.category]),
                    origins=_listed(countries),
                    updated=now,
                )
            )
        _replace(ResultType.PRODUCT, chunk, documents)


def reindex_guides(ids: Iterable[int]) -> None:
    for chunk in _chunks(ids):
        guides = list(system_guides(chunk))
        now = timezone.now()
        documents = []
        for guide in guides:
            versions = list(guide.versions.all())
            if not versions:
                continue
            newest = versions[0]
            published = next((v for v in versions if v.pk == guide.published_version_id), None)
            for version, public, latest in (
                [(newest, True, True)]
                if published is not None and published.pk == newest.pk
                else [(newest, False, True)] + ([(published, True, False)] if published else [])
            ):
                indicators = list(version.indicators.all())
                indicator_text = " ".join(f"{i.title} {i.description} {i.location}" for i in indicators)
                product = guide.product
                documents.append(
                    SearchDocument(
                        type=ResultType.GUIDE,
                        object_id=guide.pk,
                        brand_id=guide.brand_id,
                        public=public,
                        latest=latest,
                        title=version.title,
                        body=_join(version.summary, *(f"{i.title}: {i.description}" for i in indicators)),
                        names=normalize(f"{version.title} {guide.brand.name}"),
                        text=normalize(f"{version.summary} {indicator_text} {product.name if product else ''}"),
                        keys=_keys([version.title]),
                        hs_code=product.hs_code if product else "",
                        categories=_listed([guide.category or (product.category if product else "")]),
                        language=guide.language,
                        updated=now,
                    )
                )
        _replace(ResultType.GUIDE, chunk, documents)


def forget(kind: str, ids: Iterable[int]) -> None:
    ids = list(ids)
    SearchDocument.objects.filter(type=kind, object_id__in=ids).delete()
    log_changes(kind, ids)


def forget_brand(brand_id: int) -> None:
    SearchDocument.objects.filter(brand_id=brand_id).delete()
    log_changes(BRAND_AND_DEPENDENTS, [brand_id])


def rebuild(stdout=None) -> dict[str, int]:
    """Drop every document and index everything again, brand by brand chunk."""
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        reindex_brands(system_all_brand_ids())
    rows = SearchDocument.objects.values("type").annotate(n=Count("pk")).values_list("type", "n")
    return dict(rows)


def changed(kind: str, ids: list[int]) -> None:
    """Subscribed to core.changes: reindex what a bulk path of a content app changed."""
    reindex = {"brand": reindex_brands, "product": reindex_products, "guide": reindex_guides}.get(kind)
    if reindex is not None:
        reindex(ids)
