"""Who may see a search document, written as tags on the document and a filter on the reader
(issue 15): the search engine matches tags, it never evaluates rules.

The same rules as the scoping gate (`BrandQuerySet.scope_view`, `GuideQuerySet.scope_view`), cut
in two halves that meet on strings:

- `document_tags(documents)`: what each document is. Every document carries its brand's owner,
  whether that owner is approved, the brand's countries (or "all") and agency kinds, and its
  own flags (`public`: the version officers read; `latest`: the owner's). A guide adds its
  status, its own countries and agency kinds (or "as the brand"), its language and translation
  group; the other documents carry the guide tags that let every guide filter pass.
- `scope_filter(scope)`: what a reader needs, a conjunction of disjunctions of tags (each inner
  list: at least one of these), or None for nobody.

Choosing one guide per translation group in the officer's language depends on the other guides
the officer sees, which no tag of one document can say: the engine's candidates are checked
against the database on each page (services.visible_documents), like every hit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from accounts.models import Status
from authentication_guides.models import Guide, GuideAgency, GuideCountry, GuideStatus
from brands.models import Brand, BrandAgency, BrandCountry
from core.scope import Scope, system_selector

from .models import ResultType, SearchDocument

ALL = "all"
# Tags every non-guide document carries, so that the guide filters let it through.
NOT_A_GUIDE = ("gstatus:published", "gcountry:all", "gagency:brand")

TAGS_OF_EVERY_SCOPE = "a search document's tags describe who may see it, whoever reads it: the index holds every scope"


def _code(country: object) -> str:
    return str(getattr(country, "code", country) or "")


@system_selector(TAGS_OF_EVERY_SCOPE)
def system_document_tags(documents: Sequence[SearchDocument]) -> dict[int, list[str]]:
    """{document id: its tags}, in six queries whatever the number of documents."""
    brand_ids = {d.brand_id for d in documents}
    guide_ids = {d.object_id for d in documents if d.type == ResultType.GUIDE}
    brands = {
        pk: (owner, owner_status, visible_to_all)
        for pk, owner, owner_status, visible_to_all in Brand.objects.filter(pk__in=brand_ids).values_list(
            "pk", "owner_id", "owner__status", "visible_to_all"
        )
    }
    brand_countries: dict[int, list[str]] = defaultdict(list)
    for brand_id, country in BrandCountry.objects.filter(brand_id__in=brand_ids).values_list("brand_id", "country"):
        brand_countries[brand_id].append(_code(country))
    brand_agencies: dict[int, list[str]] = defaultdict(list)
    for brand_id, kind in BrandAgency.objects.filter(brand_id__in=brand_ids).values_list("brand_id", "kind"):
        brand_agencies[brand_id].append(kind)
    guides = {
        row[0]: row[1:]
        for row in Guide.objects.filter(pk__in=guide_ids).values_list(
            "pk",
            "status",
            "published_version_id",
            "visible_to_all",
            "agencies_as_brand",
            "language",
            "translation_group",
        )
    }
    guide_countries: dict[int, list[str]] = defaultdict(list)
    guide_agencies: dict[int, list[str]] = defaultdict(list)
    if guide_ids:
        for guide_id, country in GuideCountry.objects.filter(guide_id__in=guide_ids).values_list(
            "guide_id", "country"
        ):
            guide_countries[guide_id].append(_code(country))
        for guide_id, kind in GuideAgency.objects.filter(guide_id__in=guide_ids).values_list("guide_id", "kind"):
            guide_agencies[guide_id].append(kind)
    tags: dict[int, list[str]] = {}
    for document in documents:
        brand = brands.get(document.brand_id)
        if brand is None:
            tags[document.pk] = []  # a brand deleted meanwhile: nobody's
            continue
        owner, owner_status, visible_to_all = brand
        found = [f"brand:{document.brand_id}", f"owner:{owner}"]
        if owner_status == Status.APPROVED:
            found.append("owner_ok")
        countries = [ALL] if visible_to_all else sorted(brand_countries[document.brand_id])
        found += [f"country:{c}" for c in countries]
        found += [f"agency:{k}" for k in sorted(brand_agencies[document.brand_id])]
        if document.public:
            found.append("public")
        if document.latest:
            found.append("latest")
        if document.type == ResultType.GUIDE:
            found += _guide_tags(guides.get(document.object_id), guide_countries, guide_agencies, document.object_id)
        else:
            found += NOT_A_GUIDE
        tags[document.pk] = found
    return tags


def _guide_tags(guide, countries: dict[int, list[str]], agencies: dict[int, list[str]], guide_id: int) -> list[str]:
    if guide is None:
        return []
    status, published_version, visible_to_all, agencies_as_brand, language, group = guide
    found = []
    if status == GuideStatus.PUBLISHED and published_version is not None:
        found.append("gstatus:published")
    found += ["gcountry:all"] if visible_to_all else [f"gcountry:{c}" for c in sorted(countries[guide_id])]
    found += ["gagency:brand"] if agencies_as_brand else [f"gagency:{k}" for k in sorted(agencies[guide_id])]
    found += [f"lang:{language}", f"group:{group}"]
    return found


def scope_filter(scope: Scope) -> list[list[str]] | None:
    """The tags a reader needs: every inner list names tags of which a document must carry one
    (the platform: every document in its newest version); None for nobody."""
    if scope.is_platform:
        return [["latest"]]
    if scope.is_owner:
        return [[f"owner:{scope.organization_id}"], ["latest"]]
    if scope.is_enforcement:
        jurisdiction = list(scope.jurisdiction)
        return [
            ["owner_ok"],
            [f"agency:{scope.kind}"],
            ["country:all", *(f"country:{c}" for c in jurisdiction)],
            ["public"],
            ["gstatus:published"],
            ["gcountry:all", *(f"gcountry:{c}" for c in jurisdiction)],
            ["gagency:brand", f"gagency:{scope.kind}"],
        ]
    return None


def matches(tags: Iterable[str], needed: list[list[str]] | None) -> bool:
    """Whether a document with `tags` passes `needed` (the engine's filter, in Python: for tests
    and for checking an engine against the database)."""
    if needed is None:
        return False
    have = set(tags)
    return all(have.intersection(group) for group in needed)


__all__ = ["ALL", "matches", "scope_filter", "system_document_tags"]
