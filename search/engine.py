"""The search engine: a Tantivy index embedded in the process (DESIGN.md, "Runtime"; issue 15).

One engine document per SearchDocument row (`EngineDocument`), carrying what a search matches,
ranks and filters on, and the scope of the row as opaque tags ("owner:12", "country:FR",
"public", ...) given by the caller. A search is one engine query: the person's tags as a
filter, then the words, ranked the way backends.py ranks in SQL, so the two agree:

    score = 100 if a key matches exactly (name, alias, SKU, GTIN, trade-mark number)
          + 10 if every word matches the names, or, in the typo pass, 5 to 10 (below)
          + 3 brand / 2 product / 1 trade mark / 0 guide (backends.TYPE_WEIGHT)
          + text relevance, 0 to 1 (below)

Schema, and why each field is there:

- `doc` (unsigned, indexed, stored, fast): the SearchDocument id; replacing a document deletes
  this term first. `type` (raw, stored): the result type, for the filter and the type weight.
- `names` and `text`: words. Python folds case, accents and compatibility forms
  (text.normalize) on both sides, so the engine's tokenizer only splits on what is not a letter
  or a digit in any script (Cyrillic, Greek, Arabic, Hebrew, Devanagari... stay whole words),
  exactly as text.words splits the query. Frequencies are indexed (BM25), positions are not.
- `names_grams` and `text_grams`: Chinese, Japanese and Korean are written without spaces, so
  "北京商贸有限公司" is one word and a search for "商贸" would never match it. Each run of these
  scripts is also indexed as its overlapping bigrams (北京 京商 商贸 ...), with positions, and a
  query run matches as the phrase of its own bigrams: any substring of two characters or more
  is found. A run ends with its last character alone, which lets a one-character query match
  anywhere and keeps two runs from forming a phrase together. Only these scripts get bigrams:
  for the others they would multiply the index for nothing prefixes do not already give.
- `keys` (raw, multi-valued): the exact keys (index._keys: name, aliases, SKU, GTIN in each
  form, trade-mark number), compared whole.
- `hs` (raw, multi-valued): every prefix of 2 to 10 digits of the HS code, so "HS code starts
  with 6403" is one term. `category`, `origin` (raw, multi-valued): filters.
- `tags` (raw, multi-valued): the scope, not interpreted here. `Engine.search(scope=...)` takes
  a conjunction of disjunctions of tags; every inner list must share a tag with the document.
  A disjunction costs about 6 ms at 1,000,000 documents when its tags are on most of them
  (tantivy reads their postings whole), a single tag much less; a tag that every document
  carries is not checked at all.
- `every`: one constant term per document; its document frequency (deleted documents included
  until a merge drops them) is the N that BM25 uses, which `Searcher.num_docs` is not.
- `sequence` (stored), on one reserved document (META_DOC, no words, never matched): the
  position in the change log that the last commit reached, committed with the writes.

Matching: every word must match, in the names or the text, as a prefix when it has 3 characters
or more (Query.prefix), or through the bigrams; a GTIN matches through the forms Query.parse
lists. Prefixes are term-range queries on the dictionary (no limit on expansions, as tsquery's
`:*`), scored as constants: relevance comes from the whole words.

Text relevance: BM25 of the whole words in the names (weight 1) and in the text (weight 0.2,
as the SQL backends weigh them). A query cannot apply x / (1 + x) to a sub-score, so the BM25
part is divided by its largest possible value for this query (each term's idf × (k1 + 1)):
the same purpose, strictly under 1, so that text never outranks a better type or a name.

Typos: when the words find fewer than FEW documents (nothing, or too little: one or two hits of
a word in some description say little), the search runs again with each word of 4 letters or
more also allowed within Levenshtein distance of a word of the names (1 up to 7 letters, 2 from
8, a transposition counting as one edit; never for words with digits, queries of more than
three words, CJK words). That second query finds what the first found and the typos besides.
The names part then scores per word 10 for the word itself, 7.5 one edit away, 5 two edits
away, averaged over the words: a typo of a name ranks below the name, the closer the higher.

Counting: tantivy counts every match (`total`); over MAX_TOTAL the answer says "more than".
Ranking keeps only the top `offset + limit` hits (a top-k collector). The engine orders equal
scores by their place in the index, which is stable for one commit and consistent from page to
page; inside a page, equal scores are ordered by type, then document id, as the SQL backends.

Writing: one IndexWriter per Engine, created on the first write (a process that only reads
never takes the index's write lock) and guarded by a lock. Searches use the searcher of the last
`reload()`; nothing changes under a search while it runs.
"""

from __future__ import annotations

import math
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import tantivy

from .backends import TYPE_WEIGHT, Query
from .models import ResultType
from .text import normalize, words

Occur = tantivy.Occur
T = tantivy.Query

MAX_TOTAL = 10_000  # counts above are "more than 10,000"
FEW = 3  # fewer hits than this and typos are tried too
TYPO_RANKED = 200  # the typo pass ranks this many matches itself (its scores are all alike)
TYPO_MIN = 4  # words shorter than this never match a typo
TYPO_TWO = 8  # from this length two edits are allowed
TYPO_MAX = 40  # a longer word is no name anyone mistypes; its automaton would cost for nothing
NAMES_SCORE = 10.0
KEY_SCORE = 100.0
TEXT_WEIGHT = 0.2  # text against names in BM25, as PostgreSQL's weights (B 0.2, A 1.0)
MAX_TOKEN_BYTES = 256  # longer words are not indexed (tantivy's remove_long), so never match
MAX_KEY_BYTES = 1_000  # tantivy refuses terms near 64 KB; no real key comes close
BM25_K1 = 1.2
# Products are nearly every document. Their type weight is added to every score after the search
# and each other type's clause adds the difference: a clause costs for every match it is checked
# against, and a clause on the products would be checked against nearly all of them.
BASE_WEIGHT = TYPE_WEIGHT[ResultType.PRODUCT]
WRITER_HEAP = 128_000_000  # bytes, shared by the writer's threads (tantivy wants 15 MB each)
# The document that holds the position of the index in the change log (commit(sequence=...)).
META_DOC = 2**64 - 1

# Scripts written without spaces between words (after text.normalize, Hangul is jamo until
# recomposed): Hangul jamo and syllables, CJK radicals, iteration marks, kana, bopomofo,
# ideographs and their extensions, half-width forms.
_CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3040-\u30ff"
    "\u3105-\u312f\u3131-\u318e\u31a0-\u31bf\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uffdc\U00020000-\U0003ffff"
)
HAS_CJK = re.compile(f"[{_CJK}]")
SEGMENT = re.compile(f"[{_CJK}]+|[^{_CJK}]+")
NOT_DIGIT = re.compile(r"[^0-9]")
HAS_DIGIT = re.compile(r"\d")


@dataclass
class EngineDocument:
    """What the engine holds of one SearchDocument. `names` and `text` may be raw or already
    normalized (normalizing is idempotent); `keys` as text.key makes them; `tags` opaque."""

    doc: int
    type: str
    names: str = ""
    text: str = ""
    keys: list[str] = field(default_factory=list)
    hs_code: str = ""
    categories: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass
class EngineResult:
    hits: list[tuple[int, float]]  # (document id, score), best first
    total: int  # every match, at most MAX_TOTAL
    more: bool = False  # there are more than MAX_TOTAL
    typos: bool = False  # the typo pass answered


# --------------------------------------------------------------------------- text


def fold(text: str) -> str:
    """text.normalize, with a shortcut for ASCII (most of a catalogue), where it is lower() and
    the spaces: a rebuild folds every name and description of the catalogue."""
    if text.isascii():
        return " ".join(text.lower().split())
    return normalize(text)


def grams(text: str) -> str:
    """The bigram tokens of the CJK runs of normalized `text`, space-separated: each run as its
    overlapping pairs and then its last character alone; in a word that mixes scripts, the other
    segments as they are, so that the word's query can require them too."""
    if not HAS_CJK.search(text):
        return ""
    out: list[str] = []
    for word in words(text):
        if HAS_CJK.search(word):
            for segment in SEGMENT.findall(unicodedata.normalize("NFC", word)):
                if HAS_CJK.match(segment):
                    out.extend(segment[i : i + 2] for i in range(len(segment) - 1))
                    out.append(segment[-1])
                else:
                    out.append(segment)
    return " ".join(out)


def hs_prefixes(code: str) -> list[str]:
    digits = NOT_DIGIT.sub("", code or "")[:10]
    return [digits[:n] for n in range(2, len(digits) + 1)]


def typo_distance(word: str) -> int:
    """Edits allowed for a typo of `word` (0: none). Never for a word with digits: "0012346" one
    edit away from "0012345" is another SKU, not a typo of it."""
    if HAS_CJK.search(word) or HAS_DIGIT.search(word) or not TYPO_MIN <= len(word) <= TYPO_MAX:
        return 0
    return 2 if len(word) >= TYPO_TWO else 1


def _analyzers() -> dict[str, tantivy.TextAnalyzer]:
    # \p{L}\p{N}: letters and digits of every script, as text.WORD ([^\W_]) sees them.
    words_ = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(r"[\p{L}\p{N}]+"))
    grams_ = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
    return {
        "words": words_.filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES)).build(),
        "grams": grams_.filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES)).build(),
    }


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("doc", stored=True, indexed=True, fast=True)
    builder.add_text_field("type", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("names", tokenizer_name="words", index_option="freq")
    builder.add_text_field("text", tokenizer_name="words", index_option="freq")
    builder.add_text_field("names_grams", tokenizer_name="grams", index_option="position")
    builder.add_text_field("text_grams", tokenizer_name="grams", index_option="position")
    for name in ("keys", "hs", "category", "origin", "tags", "every"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    # Words in the names: among equal scores (the typo pass scores every match alike) the
    # document whose names hold fewer other words comes first ("Lumina" before "Lumina Atelier").
    builder.add_unsigned_field("name_words", fast=True)
    builder.add_unsigned_field("sequence", stored=True)
    builder.add_unsigned_field("sequence_tx", stored=True)
    return builder.build()


# --------------------------------------------------------------------------- the engine


class Engine:
    """A Tantivy index in a directory (created when missing), or in memory (`in_memory()`)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, heap_size: int = WRITER_HEAP):
        self.schema = _schema()
        if path is not None:
            os.makedirs(path, exist_ok=True)
            # An index of another schema raises ValueError: the caller rebuilds it.
            self._index = tantivy.Index(self.schema, path=os.fspath(path), reuse=True)
        else:
            self._index = tantivy.Index(self.schema)
        for name, analyzer in _analyzers().items():
            self._index.register_tokenizer(name, analyzer)
        self._index.config_reader(reload_policy="manual")
        self._heap_size = heap_size
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()
        self._dirty = False  # written since the last commit

    @classmethod
    def in_memory(cls) -> Engine:
        return cls(None, heap_size=30_000_000)

    # ----------------------------------------------------------------------- writing

    def _writing(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self._index.writer(self._heap_size)
        self._dirty = True
        return self._writer

    def _document(self, item: EngineDocument) -> tantivy.Document:
        names, text = fold(item.names), fold(item.text)
        return tantivy.Document.from_dict(
            {
                "doc": item.doc,
                "type": str(item.type),
                "names": names,
                "text": text,
                "names_grams": grams(names),
                "name_words": len(names.split()),
                "text_grams": grams(text),
                "keys": [k for k in item.keys if k and _short(k)],
                "hs": hs_prefixes(item.hs_code),
                "category": [c for c in item.categories if c],
                "origin": [c for c in item.origins if c],
                "tags": [t for t in item.tags if t],
                "every": "1",
            },
            self.schema,
        )

    def put(self, documents: Iterable[EngineDocument]) -> int:
        """Add or replace documents (by `doc`); visible after commit() and reload(). Within one
        call the last document of an id wins. Returns how many were written."""
        latest = {item.doc: item for item in documents}
        if not latest:
            return 0
        built = [self._document(item) for item in latest.values()]  # before the lock: pure Python
        with self._lock:
            writer = self._writing()
            # Deletes apply to what was added before them, so one delete then the adds.
            writer.delete_documents_by_query(T.term_set_query(self.schema, "doc", list(latest)))
            for document in built:
                writer.add_document(document)
        return len(built)

    def delete(self, doc_ids: Iterable[int]) -> None:
        ids = list(doc_ids)
        if ids:
            with self._lock:
                # Not delete_documents_by_term: it takes a Python int for a signed integer and
                # silently deletes nothing from an unsigned field.
                self._writing().delete_documents_by_query(T.term_set_query(self.schema, "doc", ids))

    def clear(self) -> None:
        """Delete every document (a rebuild starts here); effective at commit()."""
        with self._lock:
            self._writing().delete_all_documents()

    def delete_tagged(self, tags: Iterable[str]) -> None:
        """Delete every document carrying one of `tags` (all of an object's, or of a brand's,
        whatever their ids); effective at commit()."""
        tags = [t for t in tags if t]
        if tags:
            with self._lock:
                self._writing().delete_documents_by_query(T.term_set_query(self.schema, "tags", tags))

    def commit(self, *, sequence: int | None = None, tx: int = 0) -> int:
        """Make the writes durable, in one step with `sequence` (the position in the change log
        the index has reached: the last change's id, and its transaction's when the log is
        followed by transaction) when given: after a crash the index and its position agree."""
        with self._lock:
            writer = self._writing()
            if sequence is not None:
                writer.delete_documents_by_query(T.term_query(self.schema, "doc", META_DOC))
                meta = {"doc": META_DOC, "sequence": sequence, "sequence_tx": tx}
                writer.add_document(tantivy.Document.from_dict(meta, self.schema))
            stamp = writer.commit()
            self._dirty = False
            return stamp

    def rollback(self) -> None:
        """Forget the writes since the last commit."""
        with self._lock:
            if self._writer is not None:
                self._writer.rollback()
            self._dirty = False

    def close(self) -> None:
        """Release the write lock (waiting for merges); reading goes on."""
        with self._lock:
            if self._writer is not None:
                self._writer.wait_merging_threads()
                self._writer = None

    # ----------------------------------------------------------------------- reading

    def reload(self) -> None:
        """Searches from now on see the last commit."""
        self._index.reload()

    def flush(self) -> None:
        """Commit and reload if anything was written since the last commit (a process that only
        reads never has anything to flush)."""
        if self._dirty:
            self.commit()
            self.reload()

    def count(self) -> int:
        searcher = self._index.searcher()
        return searcher.num_docs - _count(searcher.search(self._meta(), 1))

    def sequence(self) -> int | None:
        """The change-log position given to the last commit (as of the last reload)."""
        position = self.position()
        return position[1] if position else None

    def position(self) -> tuple[int, int] | None:
        """(transaction, change id) given to the last commit (as of the last reload)."""
        searcher = self._index.searcher()
        found = searcher.search(self._meta(), 1).hits
        if not found:
            return None
        meta = searcher.doc(found[0][1])
        return (meta.get_first("sequence_tx") or 0, meta.get_first("sequence") or 0)

    def _meta(self) -> tantivy.Query:
        return T.term_query(self.schema, "doc", META_DOC)

    def search(
        self,
        query: Query,
        *,
        scope: Sequence[Sequence[str]],
        type: str = "",
        hs_code: str = "",
        category: str = "",
        origin: str = "",
        limit: int = 20,
        offset: int = 0,
    ) -> EngineResult:
        """The documents matching `query` among those within `scope` and the filters, best
        first: hits[offset : offset + limit]. `scope` is a conjunction of disjunctions of tags,
        [] for no restriction; an inner list with no tag lets nothing through."""
        if query.empty or any(not tags for tags in scope):
            return EngineResult(hits=[], total=0)
        offset, limit = max(0, offset), max(0, limit)
        searcher = self._index.searcher()  # one searcher: both passes see the same commit
        filters = self._filters(searcher, scope, type=type, hs_code=hs_code, category=category, origin=origin)
        plan = _Plan(self.schema, searcher, query)
        result = self._run(searcher, plan.query(filters, typos=False), offset, limit)
        if result.total < FEW and query.fuzzy and plan.typo_words:
            result = self._run(searcher, plan.query(filters, typos=True), offset, limit, rank_here=True)
            result.typos = True
        return result

    def _filters(
        self,
        searcher: tantivy.Searcher,
        scope: Sequence[Sequence[str]],
        *,
        type: str,
        hs_code: str,
        category: str,
        origin: str,
    ) -> list[tantivy.Query]:
        schema = self.schema
        everything = searcher.doc_freq("every", "1")
        filters = []
        for tags in scope:
            names = [str(tag) for tag in tags]
            # A tag that every document carries (deleted ones included: both counts include
            # them) lets everything through: checking it against 100,000 matches costs
            # milliseconds for nothing.
            if any(searcher.doc_freq("tags", tag) == everything for tag in names):
                continue
            if len(names) == 1:
                filters.append(T.term_query(schema, "tags", names[0], "basic"))  # read lazily
            else:
                filters.append(T.term_set_query(schema, "tags", names))
        if type:
            filters.append(T.term_query(schema, "type", str(type), "basic"))
        if hs_code:
            filters.append(T.term_query(schema, "hs", NOT_DIGIT.sub("", hs_code), "basic"))
        if category:
            filters.append(T.term_query(schema, "category", str(category), "basic"))
        if origin:
            filters.append(T.term_query(schema, "origin", str(origin), "basic"))
        return filters

    def _run(
        self, searcher: tantivy.Searcher, query: tantivy.Query, offset: int, limit: int, *, rank_here: bool = False
    ) -> EngineResult:
        """One page of `query`'s matches. Ties are broken by type, fewer words in the names, then
        id. `rank_here` (the typo pass, whose scores are all alike): the first TYPO_RANKED
        matches (or up to the page asked) are ranked here as a whole and the page cut from them,
        so that pages agree."""
        stop = min(offset + limit, MAX_TOTAL)
        if rank_here:
            start, fetch = 0, min(max(stop, TYPO_RANKED), MAX_TOTAL)
        else:
            start, fetch = min(offset, stop), max(stop - offset, 1)
        found = searcher.search(query, limit=fetch, offset=start, count=True)
        hits = found.hits if rank_here else found.hits[: max(stop - offset, 0)]
        addresses = [address for _, address in hits]
        ids = searcher.fast_field_values("doc", addresses) if hits else []
        ranked = [(score, address, int(doc or 0)) for (score, address), doc in zip(hits, ids, strict=True)]
        scores = [score for score, _, _ in ranked]
        if len(set(scores)) < len(scores):  # ties: by type, fewer name words, then id
            types = [searcher.doc(address).get_first("type") or "" for _, address, _ in ranked]
            words = searcher.fast_field_values("name_words", addresses)
            order = sorted(
                range(len(ranked)), key=lambda i: (-ranked[i][0], types[i], int(words[i] or 0), ranked[i][2])
            )
            ranked = [ranked[i] for i in order]
        if rank_here:
            ranked = ranked[offset:stop]
        count = _count(found)
        return EngineResult(
            hits=[(doc, float(score) + BASE_WEIGHT) for score, _, doc in ranked],
            total=min(count, MAX_TOTAL),
            more=count > MAX_TOTAL,
        )


class _Plan:
    """Builds the one engine query of a search (see the module's docstring for the scoring)."""

    def __init__(self, schema: tantivy.Schema, searcher: tantivy.Searcher, query: Query):
        self.schema = schema
        self.searcher = searcher
        self.q = query
        self.typo_words = [w for w in query.every if typo_distance(w)]

    # Building blocks ------------------------------------------------------------------

    def _prefix_or_term(self, field_name: str, word: str) -> tantivy.Query:
        if Query.prefix(word):
            # One word: a range of the term dictionary, no limit on expansions, constant score.
            return T.phrase_prefix_query(self.schema, field_name, [word])
        return T.term_query(self.schema, field_name, word, "basic")

    def _in_grams(self, field_name: str, word: str) -> tantivy.Query | None:
        """`word` as a substring through the bigrams, when it has CJK characters."""
        if not HAS_CJK.search(word):
            return None
        parts = []
        for segment in SEGMENT.findall(unicodedata.normalize("NFC", word)):
            if not HAS_CJK.match(segment):
                parts.append(self._prefix_or_term(field_name, segment))
            elif len(segment) == 1:
                # Pairs starting with the character, or the character ending a run.
                parts.append(T.phrase_prefix_query(self.schema, field_name, [segment]))
            else:
                pairs = [segment[i : i + 2] for i in range(len(segment) - 1)]
                parts.append(
                    T.phrase_query(self.schema, field_name, pairs)
                    if len(pairs) > 1
                    else T.term_query(self.schema, field_name, pairs[0], "position")
                )
        return _all(parts)

    def _in_names(self, word: str) -> tantivy.Query:
        return _or(self._prefix_or_term("names", word), self._in_grams("names_grams", word))

    def _anywhere(self, word: str) -> tantivy.Query:
        return _or(self._in_names(word), self._prefix_or_term("text", word), self._in_grams("text_grams", word))

    def _alternatives(self, field_names: Sequence[str]) -> list[tantivy.Query]:
        return [T.phrase_prefix_query(self.schema, f, [alt]) for alt in self.q.alternatives for f in field_names]

    def _keys(self) -> tantivy.Query | None:
        keys = [k for k in self.q.keys if k and _short(k)]
        return T.term_set_query(self.schema, "keys", keys) if keys else None

    def _typos(self, word: str) -> list[tuple[tantivy.Query, float]]:
        """Words of the names within the edits allowed for `word`, each with its share of the
        names score: 0.75 one edit away, 0.5 two edits away."""
        distance = typo_distance(word)
        return [
            (T.fuzzy_term_query(self.schema, "names", word, edits, True), factor)
            for edits, factor in ((1, 0.75), (2, 0.5))
            if edits <= distance
        ]

    def _names_or_typo(self, word: str) -> tantivy.Query:
        """The names score of one word in the typo pass: the highest of its options."""
        share = NAMES_SCORE / len(self.q.every)
        options = [(self._in_names(word), 1.0), *self._typos(word)]
        return T.disjunction_max_query([T.const_score_query(q, factor * share) for q, factor in options])

    def _relevance(self) -> list[tantivy.Query]:
        """BM25 of the whole words, divided by its largest possible value for them."""
        n_docs = self.searcher.doc_freq("every", "1")
        terms, bound = [], 0.0
        for word in dict.fromkeys([*self.q.every, *self.q.alternatives]):
            if len(word.encode()) >= MAX_TOKEN_BYTES:
                continue
            for field_name, weight in (("names", 1.0), ("text", TEXT_WEIGHT)):
                df = self.searcher.doc_freq(field_name, word)
                if df:
                    terms.append((field_name, word, weight))
                    bound += weight * (1 + BM25_K1) * math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        if bound <= 0:
            return []
        return [
            T.boost_query(T.term_query(self.schema, f, word, "freq"), weight / (bound * 1.0001))
            for f, word, weight in terms
        ]

    # The query ------------------------------------------------------------------------

    def query(self, filters: list[tantivy.Query], *, typos: bool) -> tantivy.Query:
        every = self.q.every
        keys = self._keys()
        if typos:
            words_match = _all([_any([self._anywhere(w), *(q for q, _ in self._typos(w))]) for w in every])
            names: tantivy.Query | None = _sum([self._names_or_typo(w) for w in every])
        else:
            words_match = _all([self._anywhere(w) for w in every]) if every else None
            in_names = [_all([self._in_names(w) for w in every])] if every else []
            names_any = _any([*in_names, *self._alternatives(["names"])])
            names = T.const_score_query(names_any, NAMES_SCORE) if names_any is not None else None
        matching = _any([words_match, *self._alternatives(["names", "text"]), keys])
        if matching is None:
            return T.empty_query()
        clauses = [(Occur.Must, _zero(matching))]
        clauses += [(Occur.Must, _zero(f)) for f in filters]
        if keys is not None:
            clauses.append((Occur.Should, T.const_score_query(keys, KEY_SCORE)))
        if names is not None:
            clauses.append((Occur.Should, names))
        for kind, weight in TYPE_WEIGHT.items():
            if weight != BASE_WEIGHT:
                term = T.term_query(self.schema, "type", str(kind), "basic")
                clauses.append((Occur.Should, T.const_score_query(term, weight - BASE_WEIGHT)))
        clauses += [(Occur.Should, q) for q in self._relevance()]
        return T.boolean_query(clauses)


def _count(result: tantivy.SearchResult) -> int:
    return getattr(result, "count", None) or 0  # counted on request; not in tantivy's type stub


def _short(key: str) -> bool:
    return len(key) <= MAX_KEY_BYTES // 4 or len(key.encode()) <= MAX_KEY_BYTES


def _zero(query: tantivy.Query) -> tantivy.Query:
    """A clause that filters and adds nothing to the score."""
    return T.const_score_query(query, 0.0)


def _any(queries: Sequence[tantivy.Query | None]) -> tantivy.Query | None:
    kept = [q for q in queries if q is not None]
    if len(kept) <= 1:
        return kept[0] if kept else None
    return T.boolean_query([(Occur.Should, q) for q in kept])


def _sum(queries: Sequence[tantivy.Query]) -> tantivy.Query | None:
    """Matches any, scores the sum."""
    return T.boolean_query([(Occur.Should, q) for q in queries]) if queries else None


def _or(first: tantivy.Query, *others: tantivy.Query | None) -> tantivy.Query:
    return _any([first, *others]) or first


def _all(queries: Sequence[tantivy.Query | None]) -> tantivy.Query | None:
    kept = [q for q in queries if q is not None]
    if len(kept) <= 1:
        return kept[0] if kept else None
    return T.boolean_query([(Occur.Must, q) for q in kept])
