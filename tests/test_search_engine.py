"""The Tantivy search engine on its own (search/engine.py): matching, ranking, typos, scripts,
scope tags, filters, counts, writes and bad input. No database: the engine is fed directly."""

from __future__ import annotations

import threading

import pytest

from search.backends import Query
from search.engine import MAX_TOTAL, Engine, EngineDocument

EVERYONE = ["country:all", "agency:customs", "agency:police", "public"]


def doc(doc_id: int, type: str, names: str, text: str = "", *, tags=None, **fields) -> EngineDocument:
    return EngineDocument(
        doc=doc_id, type=type, names=names, text=text, tags=EVERYONE if tags is None else tags, **fields
    )


CATALOGUE = [
    doc(1, "brand", "Lumina", "Lamps and lights from Lyon.", keys=["lumina"]),
    doc(
        2,
        "product",
        "Lumina Desk Lamp LUM-001 lum001 Lumina",
        "A brass desk lamp. 9405110000 04006381333931 4006381333931",
        keys=["lum-001", "04006381333931", "4006381333931"],
        hs_code="9405110000",
        categories=["household"],
        origins=["CN", "VN"],
    ),
    doc(3, "guide", "How to verify a Lumina lamp Lumina", "Check the hologram on the base."),
    doc(4, "trademark", "018234567 018234567 euipo", "Lumina", keys=["018234567"]),
    doc(5, "brand", "Brightwater", "Outdoor clothing.", keys=["brightwater"]),
    doc(6, "brand", "Ace", "Rackets.", keys=["ace"]),
    doc(7, "brand", "Lancôme", "Parfums.", keys=["lancome"]),
    doc(8, "product", "Aurora", "", categories=["apparel"]),
    doc(9, "brand", "Aurora", ""),
    doc(10, "guide", "Aurora", ""),
    doc(11, "trademark", "Aurora", ""),
    doc(12, "brand", "Люмина", "Лампы и светильники."),
    doc(13, "brand", "لومينا", "مصابيح"),
    doc(14, "brand", "Λουμίνα", "Ελληνικά φωτιστικά."),
    doc(15, "brand", "北京商贸有限公司", "茶具"),
    doc(16, "brand", "東京トレーディング株式会社", ""),
    doc(17, "brand", "서울무역", ""),
    doc(18, "product", "Zephyr Jacket", "A jacket.", hs_code="6201400000", categories=["apparel"], origins=["IT"]),
    doc(19, "product", "Zephyr Boot", "A boot.", hs_code="6403990000", categories=["footwear"], origins=["PT"]),
    doc(20, "guide", "Checking outerwear", "zephyr zephyr zephyr zephyr zephyr zephyr"),
    doc(21, "trademark", "0777 inpi", "zephyr"),
    doc(22, "brand", "Nordlys", "", tags=["owner:3", "country:FR", "agency:customs"]),
    doc(23, "brand", "Nordlicht", "", tags=["owner:3", "country:DE", "agency:police"]),
]


@pytest.fixture(scope="module")
def engine():
    built = Engine.in_memory()
    built.put(CATALOGUE)
    built.commit()
    built.reload()
    return built


def search(engine: Engine, text: str, *, scope=(), **filters):
    return engine.search(Query.parse(text), scope=list(scope), **filters)


def ids(result) -> list[int]:
    return [doc_id for doc_id, _ in result.hits]


# --------------------------------------------------------------------------- ranking


def test_exact_key_comes_first_with_100_more(engine):
    result = search(engine, "Lumina")
    assert ids(result)[0] == 1
    assert result.hits[0][1] > 100
    assert all(score < 100 for _, score in result.hits[1:])


def test_exact_sku_puts_its_product_before_the_brand(engine):
    assert ids(search(engine, "LUM-001"))[0] == 2


def test_on_a_tie_brand_before_product_before_trademark_before_guide(engine):
    assert ids(search(engine, "aurora")) == [9, 8, 11, 10]


def test_scores_add_up_as_in_the_sql_backends(engine):
    scores = dict(search(engine, "aurora").hits)
    # names 10 + type weight (3 brand, 2 product, 1 trade mark, 0 guide) + text relevance under 1
    for doc_id, weight in ((9, 3), (8, 2), (11, 1), (10, 0)):
        assert 10 + weight <= scores[doc_id] < 10 + weight + 1


def test_text_relevance_stays_under_one_so_text_never_beats_a_better_type(engine):
    result = search(engine, "zephyr")
    scores = dict(result.hits)
    assert 0 < scores[20] < 1  # a guide that says it six times, in the text only
    assert 1 < scores[21] < 2  # a trade mark that says it once
    assert ids(result) == [18, 19, 21, 20]


def test_every_word_must_match(engine):
    assert ids(search(engine, "lumina desk")) == [2]
    assert search(engine, "lumina bicycle").total == 0


def test_words_of_three_letters_or_more_match_as_prefixes(engine):
    assert 1 in ids(search(engine, "lumi"))
    assert 1 in ids(search(engine, "lum"))


def test_words_of_one_or_two_letters_match_whole(engine):
    assert 1 not in ids(search(engine, "lu"))


def test_accents_and_case_do_not_matter(engine):
    assert ids(search(engine, "LANCOME"))[0] == 7
    assert ids(search(engine, "lancôme"))[0] == 7


# --------------------------------------------------------------------------- typos


@pytest.mark.parametrize("typo", ["Lumnia", "Luminaa", "Lmina", "lumian"])
def test_a_typo_of_one_edit_finds_the_name(engine, typo):
    result = search(engine, typo)
    assert result.typos
    assert ids(result)[0] == 1


def test_a_typo_ranks_below_the_name_itself(engine):
    exact = dict(search(engine, "lumina").hits)[1]
    typo = dict(search(engine, "lumnia").hits)[1]
    assert 5 + 3 <= typo < 10 + 3 < exact


def test_among_typo_matches_fewer_name_words_come_first_and_pages_agree():
    """The typo pass scores every match alike: "Lumina" (one word) before "Lumina Atelier"
    before the products that carry the brand's name, whatever the ids; and its pages are cut
    from one ranking."""
    engine = Engine.in_memory()
    engine.put(
        [
            doc(1, "brand", "Lumina Atelier"),
            doc(2, "product", "Lumina strap leather Lumina"),
            doc(3, "brand", "Lumina"),
            doc(4, "product", "Lumina Aurora"),
        ]
    )
    engine.commit()
    engine.reload()
    everything = search(engine, "Lumnia")
    assert everything.typos and ids(everything) == [3, 1, 4, 2]
    pages = [ids(engine.search(Query.parse("Lumnia"), scope=[], limit=1, offset=n)) for n in range(4)]
    assert pages == [[3], [1], [4], [2]]


def test_a_word_of_eight_letters_or_more_allows_two_edits(engine):
    assert ids(search(engine, "Brihgtwatr")) == [5]  # a transposition and a deletion
    assert ids(search(engine, "Brightwatr")) == [5]
    assert dict(search(engine, "Brightwatr").hits)[5] > dict(search(engine, "Brihgtwatr").hits)[5]


def test_three_edits_are_too_many(engine):
    assert search(engine, "Brihgtwtr").total == 0


def test_a_word_of_seven_letters_allows_only_one_edit(engine):
    assert search(engine, "Lmniaa").total == 0


def test_a_three_letter_typo_finds_nothing(engine):
    assert search(engine, "Aec").total == 0


def test_numbers_are_never_matched_as_typos(engine):
    assert search(engine, "LUM-002").total == 0


def test_typos_are_not_tried_when_the_words_find_enough(engine):
    assert not search(engine, "aurora").typos


# --------------------------------------------------------------------------- codes


@pytest.mark.parametrize("typed", ["4006381333931", "4 006381 333931", "04006381333931", "0400 6381 3339 31"])
def test_a_gtin_finds_its_product_by_key_however_typed(engine, typed):
    result = search(engine, typed)
    assert ids(result) == [2]
    assert result.hits[0][1] > 100


def test_a_number_typed_with_spaces_finds_its_trade_mark(engine):
    assert ids(search(engine, "018 234 567"))[0] == 4


# --------------------------------------------------------------------------- scope and filters


def test_scope_tags_let_through_only_documents_with_a_tag_of_every_list(engine):
    officer_fr_customs = [["agency:customs"], ["country:all", "country:FR"]]
    officer_de_customs = [["agency:customs"], ["country:all", "country:DE"]]
    officer_de_police = [["agency:police"], ["country:all", "country:DE"]]
    assert ids(search(engine, "nord", scope=officer_fr_customs)) == [22]
    assert search(engine, "nordlys", scope=officer_de_customs).total == 0
    assert ids(search(engine, "nord", scope=officer_de_police)) == [23]


def test_a_hidden_document_is_neither_found_nor_counted(engine):
    result = search(engine, "nordlicht", scope=[["agency:customs"], ["country:all", "country:DE"]])
    assert result.hits == []
    assert result.total == 0
    assert not result.more


def test_no_scope_is_the_platform_and_an_empty_list_lets_nothing_through(engine):
    assert ids(search(engine, "nord")) == [22, 23]  # equal scores: by id
    assert search(engine, "nord", scope=[["agency:customs"], []]).total == 0


def test_typos_respect_the_scope(engine):
    assert search(engine, "Nordlcht", scope=[["agency:customs"]]).total == 0
    assert ids(search(engine, "Nordlcht", scope=[["agency:police"]])) == [23]


@pytest.mark.parametrize("prefix", ["64", "6403", "640399", "6403990000"])
def test_hs_code_filter_takes_any_prefix(engine, prefix):
    assert ids(search(engine, "zephyr", hs_code=prefix)) == [19]


def test_category_origin_and_type_filters(engine):
    assert ids(search(engine, "zephyr", category="apparel")) == [18]
    assert ids(search(engine, "zephyr", origin="PT")) == [19]
    assert ids(search(engine, "zephyr", type="guide")) == [20]
    assert search(engine, "zephyr", origin="CN").total == 0


# --------------------------------------------------------------------------- other scripts


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Люмина", 12), ("люм", 12), ("светильники", 12), ("لومينا", 13), ("ΛΟΥΜΙΝΑ", 14), ("ελληνικα", 14)],
)
def test_cyrillic_arabic_and_greek_words_are_found(engine, text, expected):
    assert ids(search(engine, text)) == [expected]


def test_a_typo_in_cyrillic_is_found(engine):
    assert ids(search(engine, "Люмнна")) == [12]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("商贸", 15),
        ("有限公司", 15),
        ("北京商贸有限公司", 15),
        ("司", 15),
        ("トレーディング", 16),
        ("株式", 16),
        ("무역", 17),
    ],
)
def test_chinese_japanese_and_korean_names_are_found_by_any_substring(engine, text, expected):
    result = search(engine, text)
    assert ids(result) == [expected]
    assert result.hits[0][1] >= 10  # a match in the names


def test_cjk_characters_must_be_adjacent(engine):
    assert search(engine, "商有").total == 0


# --------------------------------------------------------------------------- writes


def test_put_replaces_and_delete_removes_after_commit_and_reload():
    engine = Engine.in_memory()
    engine.put([doc(1, "brand", "Lumina"), doc(2, "brand", "Aurora")])
    engine.commit()
    engine.reload()
    engine.put([doc(1, "brand", "Solaris")])
    engine.delete([2])
    assert ids(search(engine, "lumina")) == [1]  # nothing changes before commit and reload
    engine.commit()
    assert ids(search(engine, "aurora")) == [2]
    engine.reload()
    assert search(engine, "lumina").total == 0
    assert ids(search(engine, "solaris")) == [1]
    assert search(engine, "aurora").total == 0
    assert engine.count() == 1


def test_the_last_of_two_versions_in_one_put_wins():
    engine = Engine.in_memory()
    engine.put([doc(1, "brand", "Lumina"), doc(1, "brand", "Solaris")])
    engine.commit()
    engine.reload()
    assert engine.count() == 1
    assert ids(search(engine, "solaris")) == [1]


def test_rollback_forgets_what_was_not_committed():
    engine = Engine.in_memory()
    engine.put([doc(1, "brand", "Lumina")])
    engine.commit()
    engine.put([doc(2, "brand", "Aurora")])
    engine.rollback()
    engine.commit()
    engine.reload()
    assert engine.count() == 1


def test_an_index_directory_keeps_documents_and_the_sequence(tmp_path):
    engine = Engine(tmp_path / "index")
    engine.put([doc(1, "brand", "Lumina")])
    engine.commit(sequence=41)
    engine.put([doc(2, "brand", "Aurora")])
    engine.commit(sequence=42)
    engine.close()
    reopened = Engine(tmp_path / "index")
    reopened.reload()
    assert reopened.count() == 2
    assert reopened.sequence() == 42
    assert search(reopened, "aurora").total == 1


def test_a_new_index_has_no_sequence():
    engine = Engine.in_memory()
    assert engine.sequence() is None
    assert engine.count() == 0


def test_writes_from_several_threads_all_arrive():
    engine = Engine.in_memory()

    def write(start: int) -> None:
        for n in range(start, start + 200):
            engine.put([doc(n, "product", f"item{n} lumina")])

    threads = [threading.Thread(target=write, args=(k * 1000,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.commit()
    engine.reload()
    assert engine.count() == 800
    assert search(engine, "lumina").total == 800


# --------------------------------------------------------------------------- counts and pages


@pytest.fixture(scope="module")
def crowded():
    engine = Engine.in_memory()
    engine.put(doc(n, "product", f"Lumina item {n}", tags=["country:all"]) for n in range(1, 12_001))
    engine.commit()
    engine.reload()
    return engine


def test_counts_stop_at_ten_thousand_and_say_there_are_more(crowded):
    result = search(crowded, "lumina", limit=20)
    assert result.total == MAX_TOTAL
    assert result.more
    assert len(result.hits) == 20


def test_counts_under_the_limit_are_exact(crowded):
    result = search(crowded, "item 1234")
    assert result.total == 1
    assert not result.more


def test_pages_follow_each_other_without_overlap(crowded):
    first = ids(search(crowded, "lumina", limit=20))
    second = ids(search(crowded, "lumina", limit=20, offset=20))
    both = ids(search(crowded, "lumina", limit=40))
    assert first + second == both
    assert len(set(both)) == 40


def test_equal_scores_in_a_page_are_ordered_by_id(crowded):
    page = ids(search(crowded, "lumina", limit=50))
    assert page == sorted(page)


def test_a_page_past_the_counted_hits_is_empty(crowded):
    result = search(crowded, "lumina", offset=MAX_TOTAL + 5)
    assert result.hits == []
    assert result.more


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "x" * 10_000,
        "lumina " * 2_000,
        "!!! ... ???",
        ':*"()^~',
        'names:lumina AND type:brand OR "lumina',
        "lumi* ~2 +lamp -desk [a TO z] {x} \\ / &&||!",
        "\x00\x01lumina\x7f",
        "\ud800 lumina",
        "₀₁₂ ⁴⁰⁰⁶ ℻ ﬁ",
        "0" * 14,
        "1" * 300,
        "ᄀ" * 5_000,
        "北" * 10_000,
    ],
)
def test_odd_input_never_raises(engine, text):
    result = search(engine, text, scope=[["agency:customs"], ["country:all"]], hs_code="64x", origin="??")
    assert result.total >= 0
    search(engine, text)


def test_query_syntax_is_matched_as_words_never_parsed(engine):
    assert ids(search(engine, "lumina:*")) == ids(search(engine, "lumina"))
    assert ids(search(engine, '+"(lumina)"^ ~')) == ids(search(engine, "lumina"))
