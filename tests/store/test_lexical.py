"""indexer.lexical: known rankings, the tokeniser, filters, persistence, threads, and a
brute-force BM25 oracle for the scores (title at half weight)."""

from __future__ import annotations

import json
import math
import threading
from collections import Counter

import numpy as np
import pytest

from indexer.common.errors import IndexCorrupt
from indexer.store.lexical import B, K1, META, LexicalIndex, terms

# Sparse, large, unordered rowids: positions and rowids must never be confused.
BASE = 7_000_000_000


def rid(i: int) -> int:
    return BASE + 37 * i * i + 11


def build(docs: list[tuple[str, str]], **kw) -> LexicalIndex:
    rows = [(rid(i), text, title) for i, (text, title) in enumerate(docs)]
    return LexicalIndex.build(reversed(rows), **kw)  # input order must not matter


def ranked(ix: LexicalIndex, q: str, n: int = 10, allowed=None) -> list[int]:
    return [r for r, _ in ix.rank(q, n, allowed)]


COUNCIL = [
    ("The council approved the budget for the year.", "Budget"),  # 0
    ("The council noted the budget monitoring report.", "Budget monitoring"),  # 1
    ("The council discussed a complaint to the ombudsman.", "Complaints"),  # 2
    ("Budget pressures facing the council were reported.", "Finance"),  # 3
    ("We are recruiting social workers this spring.", "Workforce"),  # 4
    ("The recruitment drive for foster carers continues.", "Fostering"),  # 5
    ("Twelve new recruits joined the service.", "Workforce"),  # 6
    ("Parking charges in the city centre.", "Parking"),  # 7
    ("The 2019/20 budget was set in February.", "Budget setting"),  # 8
    ("In 2019 there were 20 vacancies and 2020/21 looks similar.", "Vacancies"),  # 9
    ("The number of social workers has increased to 328 (310 FTE).", "Social workers"),  # 10
    ("Minutes of SB2 were agreed.", "Scrutiny"),  # 11
    ("A Part 8 planning process for the depot.", "Planning"),  # 12
    ("A Part 9 consultation on licensing.", "Licensing"),  # 13
    ("Councillor O'Brien thanked the Café Naïve staff.", "Thanks"),  # 14
]


@pytest.fixture(scope="module")
def council() -> LexicalIndex:
    return build(COUNCIL)


# ------------------------------------------------------------------ known rankings

def test_rare_term_beats_common_terms(council):
    got = ranked(council, "council ombudsman")
    assert got[0] == rid(2)
    assert set(got) == {rid(0), rid(1), rid(2), rid(3)}  # every doc with "council", none without


def test_stemming_joins_word_forms(council):
    want = {rid(4), rid(5), rid(6)}
    for q in ("recruit", "recruiting", "recruitment", "Recruits"):
        assert set(ranked(council, q)) == want, q


def test_numbers_and_codes(council):
    assert ranked(council, "2019/20")[0] == rid(8)  # the exact compound beats 2019 ... 20
    assert set(ranked(council, "2019/20")) == {rid(8), rid(9)}
    assert ranked(council, "328") == [rid(10)]
    assert ranked(council, "sb2") == [rid(11)]
    assert ranked(council, "Part 8")[0] == rid(12)
    assert set(ranked(council, "Part 8")) == {rid(12), rid(13)}


def test_dates_written_with_ordinals_meet_plain_days():
    ix = build([("Work programme: 13th February 2020, serious case review.", "Work programme"),  # 0
                ("Meeting held on 13 March 2020.", "Minutes"),  # 1
                ("At their meeting on 28 th November, the Board asked for data.", "Outstanding issues"),  # 2
                ("The 3rd report of the 13 members.", "Report")])  # 3
    assert ranked(ix, "13 February 2020")[0] == rid(0)
    assert ranked(ix, "13th February")[0] == rid(0)
    assert ranked(ix, "28 November") == [rid(2)]  # PDF text's "28 th": no stray "th" term either
    assert terms("1st, 2nd, 3rd and 21st") == ["1", "2", "3", "21"]
    assert terms("4 St Mary's Road") == ["4", "st", "mari", "road"]  # a street is not an ordinal


def test_short_year_ranges_meet_full_ones():
    ix = build([("Library Performance 2018-2019: visitors by library.", "Libraries"),  # 0
                ("Visitors in 2018 rose.", "Libraries"),  # 1
                ("Budget 2021/22 and 2022/23.", "Budget")])  # 2
    assert ranked(ix, "visitors 2018-19")[0] == rid(0)
    assert ranked(ix, "visitors 2018/19")[0] == rid(0)
    assert terms("2016/17") == ["2016", "2017", "2016_2017"] == terms("2016-2017")
    assert ranked(ix, "2022-23") == [rid(2)]
    assert terms("2019/21") == ["2019", "21", "2019_21"]  # not consecutive years: left as written
    assert terms("pages 2020-21 of 17/7/17") == ["page", "2020", "2021", "17", "7", "2020_2021", "17_7_17"]


def test_diacritics_and_apostrophes(council):
    assert ranked(council, "cafe naive") == [rid(14)]
    assert ranked(council, "O’Brien") == [rid(14)] == ranked(council, "obrien")


def test_query_terms():
    assert terms("Recruiting and the recruitment of recruits") == ["recruit"]
    assert terms("Covid-19 bye-laws") == ["covid", "19", "bye", "law", "covid_19", "bye_law"]
    assert terms("Part 8, item 5 a b") == ["part", "8", "item", "5"]
    assert terms("the of and what") == []


def test_empty_and_stopword_and_unknown_queries(council):
    for q in ("", "   ", "the of and what were", "zzzyzzx", "?!"):
        assert council.rank(q, 10) == [], q


def test_n_larger_than_matches_and_scores_positive_best_first(council):
    got = council.rank("budget", 1000)
    assert {r for r, _ in got} == {rid(0), rid(1), rid(3), rid(8)}
    scores = [s for _, s in got]
    assert all(s > 0 for s in scores) and scores == sorted(scores, reverse=True)
    assert council.rank("budget", 0) == []
    assert len(council.rank("budget", 2)) == 2


def test_ties_go_to_the_lower_rowid():
    ix = build([("library hours", "Item")] * 6 + [("library", "Item")])
    got = ix.rank("library", 4)
    assert [r for r, _ in got] == [rid(6), rid(0), rid(1), rid(2)]  # the shorter text, then ties by rowid
    assert got[1][1] == got[2][1] == got[3][1] < got[0][1]


# ------------------------------------------------------------------ title weight

TITLED = [
    ("library opening hours were reviewed by members", "Annual review"),  # 0: word in the text
    ("opening hours were reviewed by members today", "Library review"),  # 1: word only in the title
    ("opening hours were reviewed by members again", "Annual review"),  # 2: nowhere
]


def test_title_counts_like_text_by_default():
    got = dict(build(TITLED).rank("library", 10))
    assert got[rid(0)] == pytest.approx(got[rid(1)], rel=1e-6)  # same lengths, same counts
    assert dict(build(TITLED, title_weight=1).rank("library", 10)) == got


def test_title_weight_half_and_zero():
    half = dict(build(TITLED, title_weight=0.5).rank("library", 10))
    assert set(half) == {rid(0), rid(1)}
    assert half[rid(0)] > half[rid(1)] > 0
    zero = build(TITLED, title_weight=0)
    assert ranked(zero, "library") == [rid(0)]
    with pytest.raises(ValueError):
        build(TITLED, title_weight=0.3)


def oracle(docs: list[tuple[str, str]], q: str, w: float) -> dict[int, float]:
    """BM25 written out: Lucene idf, and FTS5's column weighting, so term counts and lengths
    are text + w * title (k1 = 1.2, b = 0.75)."""
    toks = [(Counter(terms_all(t)), Counter(terms_all(h))) for t, h in docs]  # (text, title)
    tf = [{t: x[t] + w * y[t] for t in x.keys() | y.keys()} for x, y in toks]
    length = [sum(x.values()) + w * sum(y.values()) for x, y in toks]
    avg = sum(length) / len(length)
    out = {}
    for i, f in enumerate(tf):
        s = 0.0
        for t in terms(q):
            if f.get(t):
                df = sum(1 for g in tf if g.get(t))
                idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
                s += idf * f[t] / (f[t] + K1 * (1 - B + B * length[i] / avg))
        if s > 0:
            out[rid(i)] = s
    return out


def terms_all(text: str) -> list[str]:
    """Every token of a text (``terms`` keeps distinct ones)."""
    from indexer.store.lexical import _tokenize

    return _tokenize([text], return_ids=False)[0]


@pytest.mark.parametrize("w", [1, 0.5, 0])
@pytest.mark.parametrize("q", ["council budget", "library hours", "social workers 2019/20", "recruiting parking"])
def test_scores_match_a_brute_force_oracle(q, w):
    docs = COUNCIL + TITLED + [("budget budget budget library", "Library budget"), ("hours", "Council")]
    want = oracle(docs, q, w)
    got = dict(build(docs, title_weight=w).rank(q, 100))
    assert set(got) == set(want)
    for r, s in want.items():
        assert got[r] == pytest.approx(s, rel=1e-4)


# ------------------------------------------------------------------ allowed

@pytest.fixture(scope="module")
def parking() -> LexicalIndex:
    # doc i says "parking" i+1 times in a text of fixed length: higher i ranks higher
    return build([(" ".join(["parking"] * (i + 1) + ["meeting"] * (30 - i)), "Report") for i in range(30)])


def test_allowed_excludes_the_best(parking):
    best = ranked(parking, "parking", 3)
    assert best == [rid(29), rid(28), rid(27)]
    allowed = np.array([rid(i) for i in range(5)], dtype=np.int64)  # the five worst
    got = ranked(parking, "parking", 3, allowed)
    assert got == [rid(4), rid(3), rid(2)]
    assert ranked(parking, "parking", 100, allowed) == [rid(4), rid(3), rid(2), rid(1), rid(0)]


def test_allowed_huge_small_empty_unknown(parking):
    everything = np.array(sorted([rid(i) for i in range(30)] + [1, 2, 10**15]), dtype=np.int64)
    assert parking.rank("parking", 30, everything) == parking.rank("parking", 30)
    assert ranked(parking, "parking", 10, np.array([rid(7)], dtype=np.int64)) == [rid(7)]
    assert parking.rank("parking", 10, np.array([], dtype=np.int64)) == []
    assert parking.rank("parking", 10, np.array([3, 5, 10**15], dtype=np.int64)) == []
    dup = np.array([rid(3), rid(3), rid(5)], dtype=np.int64)
    assert ranked(parking, "parking", 10, dup) == [rid(5), rid(3)]


@pytest.mark.parametrize("allowed", [None, [5], [5, 5, 40], list(range(0, 100, 3)), list(range(100)) + [7, 7]])
def test_dense_and_sparse_rowids_rank_alike(allowed):
    """Nearly contiguous rowids take a lookup table, sparse ones a binary search; the few- and
    many-allowed paths differ too. All must give the same ranking."""
    docs = [(" ".join(["parking"] * (1 + i % 7) + ["meeting"] * (10 + i % 5)), "Report") for i in range(100)]
    dense_id = [1000 + i + (i > 50) * 3 for i in range(100)]  # one gap, as after deletions
    dense = LexicalIndex.build([(dense_id[i], t, h) for i, (t, h) in enumerate(docs)])
    sparse = build(docs)
    assert dense._lookup is not None and sparse._lookup is None
    a_dense = None if allowed is None else np.array([dense_id[i] for i in allowed] + [999, 1052, 10**9], dtype=np.int64)
    a_sparse = None if allowed is None else np.array([rid(i) for i in allowed] + [1], dtype=np.int64)
    sparse_index = {rid(i): i for i in range(100)}
    got_dense = [(dense_id.index(r), s) for r, s in dense.rank("parking", 20, a_dense)]
    got_sparse = [(sparse_index[r], s) for r, s in sparse.rank("parking", 20, a_sparse)]
    assert got_dense == got_sparse
    assert len(got_dense) == min(20, len(set(allowed)) if allowed is not None else 100)
    assert all(allowed is None or i in allowed for i, _ in got_dense)


# ------------------------------------------------------------------ persistence and threads

@pytest.mark.parametrize("mmap", [True, False])
def test_save_load_round_trip(council, tmp_path, mmap):
    council.save(tmp_path / "lexical")
    again = LexicalIndex.load(tmp_path / "lexical", mmap=mmap)
    assert again.count() == council.count() == len(COUNCIL)
    for q in ("council ombudsman", "recruiting", "2019/20", "328", "budget", "Part 8", "the"):
        assert again.rank(q, 10) == council.rank(q, 10), q
        allowed = np.array([rid(1), rid(3), rid(8)], dtype=np.int64)
        assert again.rank(q, 2, allowed) == council.rank(q, 2, allowed), q
    if mmap:
        assert not again.rowids.flags.writeable


def test_load_rejects_another_tokeniser(council, tmp_path):
    council.save(tmp_path)
    meta = json.loads((tmp_path / META).read_text())
    (tmp_path / META).write_text(json.dumps({**meta, "tokenizer": "something-else"}))
    with pytest.raises(IndexCorrupt):
        LexicalIndex.load(tmp_path)
    with pytest.raises(IndexCorrupt):
        LexicalIndex.load(tmp_path / "missing")


def test_empty_index_and_duplicate_rowids(tmp_path):
    for ix in (LexicalIndex.build([]), LexicalIndex.build([(5, "the of", ""), (9, "", "")])):
        assert ix.rank("budget", 10) == []
        ix.save(tmp_path / str(ix.count()))
        assert LexicalIndex.load(tmp_path / str(ix.count())).rank("budget", 10) == []
    with pytest.raises(ValueError):
        LexicalIndex.build([(5, "budget", ""), (5, "parking", "")])


def test_concurrent_queries_agree_with_serial(council, tmp_path):
    council.save(tmp_path)
    ix = LexicalIndex.load(tmp_path, mmap=True)
    queries = ["council ombudsman", "recruiting", "2019/20", "328", "budget", "Part 8", "café",
               "social workers", "parking"] * 20
    want = [ix.rank(q, 5) for q in queries]
    results: dict[int, list] = {}

    def worker(t: int) -> None:
        results[t] = [ix.rank(q, 5) for q in queries]

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(results[t] == want for t in range(8))


# ------------------------------------------------------------------ building from the previous generation

def _same_index(a: LexicalIndex, b: LexicalIndex, queries) -> None:
    for q in queries:
        sa, sb = a.scores(q), b.scores(q)
        assert (sa is None) == (sb is None) or not (np.any(sa) or np.any(sb)), q
        if sa is not None and sb is not None:
            assert sa.dtype == sb.dtype and np.array_equal(sa, sb), q  # bit for bit, not nearly
        assert a.rank(q, 20) == b.rank(q, 20), q


QUERIES = ("council ombudsman", "recruiting", "2019/20", "328", "budget", "Part 8", "café", "social workers",
           "parking", "parking permits residents", "foster carers", "the")


@pytest.mark.parametrize("title_weight", [0, 0.5, 1])
def test_build_from_previous_equals_build_from_scratch(tmp_path, title_weight):
    rows = [(rid(i), text, title) for i, (text, title) in enumerate(COUNCIL)]
    LexicalIndex.build(rows[:10], title_weight=title_weight).save(tmp_path / "old")
    # the next generation: two chunks gone, five added, and the last old rowid reused for another text
    # (update_index numbers new chunks from MAX(rowid) + 1 after removing a unit's)
    nxt = [r for i, r in enumerate(rows) if i not in (2, 6)]
    nxt[7] = (nxt[7][0], "Residents asked for parking permits near the depot.", "Parking permits")
    nxt.append((rid(99), "Parking permits for residents of the city centre.", "Parking"))
    again = LexicalIndex.build(nxt, title_weight=title_weight, previous=tmp_path / "old")
    scratch = LexicalIndex.build(nxt, title_weight=title_weight)
    _same_index(again, scratch, QUERIES)
    assert again.counts is not None and np.array_equal(again.counts.key, scratch.counts.key)
    # and saved, loaded, built on again: still the same
    again.save(tmp_path / "new")
    third = LexicalIndex.build(nxt[:-3], title_weight=title_weight, previous=tmp_path / "new")
    _same_index(third, LexicalIndex.build(nxt[:-3], title_weight=title_weight), QUERIES)
    _same_index(LexicalIndex.load(tmp_path / "new"), scratch, QUERIES)


def test_build_from_previous_reuses_counts_and_tokenises_only_new_chunks(tmp_path, monkeypatch):
    from indexer.store import lexical

    rows = [(rid(i), text, title) for i, (text, title) in enumerate(COUNCIL)]
    LexicalIndex.build(rows[:-1]).save(tmp_path / "old")
    seen: list[str] = []
    real = lexical._tokenize

    def counting(texts, return_ids):
        seen.extend(texts)
        return real(texts, return_ids)

    monkeypatch.setattr(lexical, "_tokenize", counting)
    LexicalIndex.build(rows, previous=tmp_path / "old")
    assert seen == [COUNCIL[-1][0], COUNCIL[-1][1]]  # the one new chunk's text and title


def test_build_from_an_unusable_previous_tokenises_everything(tmp_path):
    rows = [(rid(i), text, title) for i, (text, title) in enumerate(COUNCIL)]
    LexicalIndex.build(rows, title_weight=0.5).save(tmp_path / "half")  # counted another way
    LexicalIndex.build(rows).save(tmp_path / "broken")
    (tmp_path / "broken" / "terms" / "term.npy").write_bytes(b"not numpy")
    for prev in ("half", "broken", "missing"):
        _same_index(LexicalIndex.build(rows, previous=tmp_path / prev), LexicalIndex.build(rows), QUERIES)


def test_abbreviations_from_the_previous_generation_equal_a_build_from_scratch(tmp_path, caplog):
    docs = [(rid(i), t, h) for i, (t, h) in enumerate(COUNCIL)] + [
        (rid(20), "The Department for Education (DfE) wrote to the council.", "DfE letter"),
        (rid(21), "Special Educational Needs and Disabilities (SEND) support grew.", "SEND"),
        (rid(22), "Please send the report to the Department for Education (DfE).", "Reports")]
    private = [rid(21)]
    LexicalIndex.build(docs[:-2], private=private).save(tmp_path / "old")
    with caplog.at_level("INFO", logger="indexer.store.lexical"):
        grown = LexicalIndex.build(docs, private=private, previous=tmp_path / "old")
    assert any("from the stored counts" in r.getMessage() for r in caplog.records)
    scratch = LexicalIndex.build(docs, private=private)
    assert grown.glossary.long_forms == scratch.glossary.long_forms and grown.glossary.common == scratch.glossary.common
    assert "SEND" not in grown.glossary.long_forms  # defined only in a restricted passage
    # a row removed, or a row newly hidden: the abbreviations are read from every row again
    caplog.clear()
    for rows, hidden in ((docs[1:], private), (docs, private + [rid(20)])):
        with caplog.at_level("INFO", logger="indexer.store.lexical"):
            again = LexicalIndex.build(rows, private=hidden, previous=tmp_path / "old")
        assert not any("from the stored counts" in r.getMessage() for r in caplog.records)
        fresh = LexicalIndex.build(rows, private=hidden)
        assert again.glossary.long_forms == fresh.glossary.long_forms and again.glossary.common == fresh.glossary.common
