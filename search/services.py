"""Searching what a person may see, and remembering the products they opened."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse

from authentication_guides.models import Guide
from brands.models import Brand
from core import versions
from core.scope import scope_of

from . import engine_search
from .backends import Query, backend
from .models import ResultType, SearchDocument
from .text import highlight

if TYPE_CHECKING:
    from typing import TypedDict

    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import WithAnnotations

    from accounts.models import User

    class _Ranked(TypedDict):
        score: float  # backends' matching() annotates it


MAX_QUERY_LENGTH = 200


GUIDE_IDS_TTL = 60  # seconds; a safety net: every change that matters makes a new version at once


def officer_guide_ids(user: User | AnonymousUser) -> list[int]:
    """The ids of the guides an officer may see, one per translation group in their language
    when it exists: the same for every officer of one kind of organization, jurisdiction and
    language (core.scope.Scope.cache_key), so cached per scope under the current cache version
    (core/versions.py), which any change of visibility replaces.
    With Redis away the cache is a miss and the ids come from the database every time."""
    version = versions.current(user)
    if version is None:  # inside a transaction that changed something: its own view
        return _visible_guide_ids(user)
    key = f"search:guides:{version}:{scope_of(user).cache_key}"
    ids = cache.get(key)
    if ids is None:
        ids = _visible_guide_ids(user)
        cache.set(key, ids, GUIDE_IDS_TTL)
    return ids


def _visible_guide_ids(user: User | AnonymousUser) -> list[int]:
    return list(Guide.objects.restrict(user, "view").in_language_of(user).values_list("pk", flat=True))


def visible_documents(user: User | AnonymousUser, *, guides: bool = True) -> QuerySet[SearchDocument]:
    """The index rows of what `user` may see, by the same rules as every list (in SQL): the
    brands visible to them; for officers, published guides visible to their country, each in
    their language when translated; for the owner, their content in its newest version."""
    documents = SearchDocument.objects.filter(brand__in=Brand.objects.restrict(user, "view"))
    # Officers read the published version of a guide, owners and platform admins the newest:
    # the person's reach, as the gate tells it.
    enforcement = scope_of(user).is_enforcement
    documents = documents.filter(public=True) if enforcement else documents.filter(latest=True)
    if not guides:
        return documents.exclude(type=ResultType.GUIDE)
    if not enforcement:
        return documents  # the owner and platform admins see every guide of the brands they see
    # Officers: published guides of their country, in their language when translated. The ids
    # once per request, sent as one array: as a sub-query PostgreSQL re-plans the guides'
    # visibility (a NOT EXISTS per guide) in every statement, and a long IN list costs parsing.
    guide_ids = officer_guide_ids(user)
    if connection.vendor == "postgresql":
        listed = Q(RawSQL("search_searchdocument.object_id = ANY(%s)", [guide_ids], output_field=BooleanField()))
    else:
        listed = Q(object_id__in=guide_ids)
    return documents.filter(~Q(type=ResultType.GUIDE) | listed)


def visible_among(user: User | AnonymousUser, ids: Sequence[int]) -> QuerySet[SearchDocument]:
    """The documents among `ids` (at most a page: the search engine's hits) that `user` may see,
    by the rules of `visible_documents`, in one statement whose guide rule looks only at the
    guides among these ids (no list of every visible guide)."""
    documents = SearchDocument.objects.filter(pk__in=ids, brand__in=Brand.objects.restrict(user, "view"))
    enforcement = scope_of(user).is_enforcement
    documents = documents.filter(public=True) if enforcement else documents.filter(latest=True)
    if not enforcement:
        return documents
    among = SearchDocument.objects.filter(pk__in=ids, type=ResultType.GUIDE).values("object_id")
    guides = Guide.objects.restrict(user, "view").in_language_of(user).filter(pk__in=among)
    return documents.filter(~Q(type=ResultType.GUIDE) | Q(object_id__in=guides.values("pk")))


def search(
    user: User | AnonymousUser,
    text: str,
    *,
    type: str = "",
    hs_code: str = "",
    category: str = "",
    origin: str = "",
) -> QuerySet[SearchDocument]:
    """Ranked documents matching `text` (see backends.py), best first. Filters are already
    validated: a result type, an HS code prefix (digits), a category, a country code."""
    query = Query.parse(text)
    if query.empty:
        return SearchDocument.objects.none()
    if engine_search.enabled():
        filters = {"type": type, "hs_code": hs_code, "category": category, "origin": origin}
        answered = engine_search.engine_search(user, query, filters, visible_among)
        if answered is not None:
            return answered  # type: ignore[return-value]  # paged like a queryset (pagination.py)
    documents = visible_documents(user, guides=type in ("", ResultType.GUIDE))
    if type:
        documents = documents.filter(type=type)
    if hs_code:
        documents = documents.filter(hs_code__startswith=hs_code)
    if category:
        documents = documents.filter(categories__contains=f",{category},")
    if origin:
        documents = documents.filter(origins__contains=f",{origin},")
    return (
        backend()
        .matching(documents, query)
        .select_related("brand")
        .order_by("-score", "type", "object_id")
        .defer("names", "text", "keys", "vector")
    )


@dataclass
class Hit:
    type: str
    id: int
    title: str
    brand: int
    brand_name: str
    snippet: str
    score: float
    link: str


# Keyed by the document's type as stored (a plain string, equal to its ResultType).
_LINKS: dict[str, Callable[[SearchDocument], str]] = {
    ResultType.BRAND: lambda d: reverse("brands:brand_detail", args=[d.object_id]),
    ResultType.TRADEMARK: lambda d: reverse("brands:brand_detail", args=[d.brand_id]),
    ResultType.PRODUCT: lambda d: reverse("brands:product_detail", args=[d.object_id]),
    ResultType.GUIDE: lambda d: reverse("guides:detail", args=[d.object_id]),
}


def hits(documents: Iterable[WithAnnotations[SearchDocument, _Ranked]], text: str) -> list[Hit]:
    """A page of documents as results, with highlighted snippets."""
    terms = Query.parse(text).terms
    return [
        Hit(
            type=d.type,
            id=d.object_id,
            title=d.title,
            brand=d.brand_id,
            brand_name=d.brand.name,
            snippet=highlight(d.body or d.title, terms),
            score=round(d.score, 4),
            link=_LINKS[d.type](d),
        )
        for d in documents
    ]
