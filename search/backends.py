"""One search, two engines behind the same small interface.

`backend().matching(documents, query)` filters a queryset of SearchDocument (already scoped to
what the person may see) to the rows that match and annotates each with `score`:

    score = 100 if a key matches exactly (name, alias, SKU, GTIN, trade-mark number)
          + 10 if the words match the names (brand, alias, product name, guide title),
            or, only when the words match nothing, 5 to 10 for a typo of a name
            (PostgreSQL: 5 + 5 × word similarity)
          + 3 brand / 2 product / 1 trade mark / 0 guide
          + text relevance (0–1)

so an exact brand or alias comes first, then products by name, then matches in the text.

PostgreSQL (production, the test suite): the stored, GIN-indexed tsvector (prefix matching on
every word) or, for typos, pg_trgm's word_similarity on the names through their trigram index.
SQLite (the embedded default): FTS5 with prefix matching; no typo tolerance.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from stdnum import ean

from .models import ResultType
from .text import MAX_TERMS, NUMBERISH, key, normalize, words

TYPO_THRESHOLD = 0.4  # word_similarity: "lumnia" ~ "lumina" is 0.43
TYPE_WEIGHT = {ResultType.BRAND: 3.0, ResultType.PRODUCT: 2.0, ResultType.TRADEMARK: 1.0, ResultType.GUIDE: 0.0}


@dataclass
class Query:
    text: str
    norm: str = ""
    terms: list[str] = field(default_factory=list)  # the words, for highlighting
    every: list[str] = field(default_factory=list)  # every one must match (as a prefix)
    alternatives: list[str] = field(default_factory=list)  # or any one of these (codes)
    keys: list[str] = field(default_factory=list)  # exact matches

    @classmethod
    def parse(cls, text: str) -> Query:
        norm = normalize(text)
        terms = words(norm)[:MAX_TERMS]
        query = cls(text=text, norm=norm, terms=terms, every=list(terms))
        exact = key(text)
        if exact:
            query.keys.append(exact)
        if NUMBERISH.match(norm or "x"):
            digits = "".join(terms)
            if 8 <= len(digits) <= 14 and ean.is_valid(digits):
                # A GTIN, however it was typed: only its forms (a prefix search on each group of
                # digits would walk every number of the catalogue).
                query.every = []
                query.alternatives.append(digits)
                for form in (digits.zfill(14), digits.lstrip("0")):
                    if form not in query.keys:
                        query.keys.append(form)
                        query.alternatives.append(form)
            elif len(terms) > 1:
                query.alternatives.append(digits)  # "018 234 567" is also 018234567
        return query

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def fuzzy(self) -> bool:
        """Typo tolerance is for names (a few words), not for codes, one or two letters or
        sentences."""
        return len(self.norm) >= 4 and len(self.terms) <= 3 and not NUMBERISH.match(self.norm)

    @staticmethod
    def prefix(term: str) -> bool:
        """Words of one or two characters match whole: as prefixes they would match half the
        catalogue."""
        return len(term) > 2


def _type_weight():
    return Case(
        *(When(type=kind, then=Value(weight)) for kind, weight in TYPE_WEIGHT.items()),
        default=Value(0.0),
        output_field=FloatField(),
    )


def _exact(query: Query):
    if not query.keys:
        return Value(0.0)
    keys = functools.reduce(operator.or_, (Q(keys__contains=f"|{k}|") for k in query.keys))
    return Case(When(keys, then=Value(100.0)), default=Value(0.0), output_field=FloatField())


class PostgreSQLBackend:
    name = "postgresql"

    @staticmethod
    def _tsquery(query: Query, weight: str = "") -> str:
        def term(word):
            return f"{word}:*{weight}" if query.prefix(word) else (f"{word}:{weight}" if weight else word)

        options = [f"({' & '.join(term(w) for w in query.every)})"] if query.every else []
        options += [f"{alt}:*{weight}" for alt in query.alternatives]
        return " | ".join(options)

    @staticmethod
    def _set_threshold():
        # Every time: a SET made inside a transaction that later rolls back is undone.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(TYPO_THRESHOLD)])

    def matching(self, documents: QuerySet, query: Query) -> QuerySet:
        from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity

        everything = SearchQuery(self._tsquery(query), search_type="raw", config="simple")
        in_names = SearchQuery(self._tsquery(query, "A"), search_type="raw", config="simple")
        found = Q(vector=everything)
        names = [When(Q(vector=in_names), then=Value(10.0))]
        # Typos only when the words themselves find nothing: a near match of one word of a
        # phrase would otherwise drag in thousands of names (docs/PERFORMANCE.md).
        if query.fuzzy and not documents.filter(found).exists():
            self._set_threshold()
            found = Q(names__trigram_word_similar=query.norm)
            # A typo of a name ranks below the name itself, the closer the higher.
            names = [When(found, then=Value(5.0) + 5.0 * TrigramWordSimilarity(Value(query.norm), "names"))]
        return documents.filter(found).annotate(
            score=_exact(query)
            + Case(*names, default=Value(0.0), output_field=FloatField())
            + Cast(SearchRank(F("vector"), everything, weights=[0.0, 0.0, 0.2, 1.0]), FloatField())
            + _type_weight()
        )


class SQLiteBackend:
    name = "sqlite"

    @staticmethod
    def _match(query: Query, column: str = "") -> str:
        every = " AND ".join(f'"{word}"*' if query.prefix(word) else f'"{word}"' for word in query.every)
        options = ([f"({every})"] if query.every else []) + [f'"{alt}"*' for alt in query.alternatives]
        expression = " OR ".join(options)
        return f"{column} : ({expression})" if column else expression

    # The parameters go through placeholders; the SQL around them is constant.
    IN_NAMES = (
        "CASE WHEN search_searchdocument.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s) "
        "THEN 10.0 ELSE 0.0 END"
    )
    # bm25 is negative, lower is better; x / (1 + x) keeps it under 1.
    RANK = (
        "(SELECT -bm25(search_fts, 10.0, 1.0) / (1.0 - bm25(search_fts, 10.0, 1.0)) FROM search_fts "
        "WHERE search_fts MATCH %s AND search_fts.rowid = search_searchdocument.id)"
    )

    def matching(self, documents: QuerySet, query: Query) -> QuerySet:
        match = self._match(query)
        return documents.filter(
            pk__in=RawSQL("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [match])
        ).annotate(
            score=_exact(query)
            + RawSQL(self.IN_NAMES, [self._match(query, "names")], output_field=FloatField())  # noqa: S611
            + RawSQL(self.RANK, [match], output_field=FloatField())  # noqa: S611
            + _type_weight()
        )


def backend():
    if connection.vendor == "postgresql":
        return PostgreSQLBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"No search backend for {connection.vendor}")
