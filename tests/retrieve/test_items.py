"""Search results as agenda items (indexer/retrieve/items.py) on the hash-embedder fixture index:
one result per item, counted and paged, sorted by relevance or date, nothing for gibberish, marks."""

from __future__ import annotations

import pytest

from indexer.common.results import BadQuery, Filters
from indexer.retrieve import items
from indexer.retrieve.search import search


def _page(index, q, k=10, offset=0, sort="relevance", filters=None):
    return items.search_items(index, q, k, offset, filters, sort=sort)


def test_one_result_per_item_with_the_count_of_its_other_passages(api_index):
    page = _page(api_index, "social worker retention", k=20)
    ids = [h.best.item_id for h in page.hits]
    assert len(ids) == len(set(ids)) and page.total >= len(ids) > 1
    # the passage search gives the same item several times; the item search once, with its best passage first
    passages = search(api_index, "social worker retention", 20)
    assert len({r.item_id for r in passages}) < len(passages)
    best_of = {}
    for r in passages:
        best_of.setdefault(r.item_id, r.id)
    for h in page.hits:
        if h.best.item_id in best_of:
            assert h.best.id == best_of[h.best.item_id]
        assert all(o.startswith(h.best.item_id + "/") for o in h.others)
    assert any(h.passages > 1 for h in page.hits)


def test_pages_are_consecutive_slices_of_one_ranking(api_index):
    whole = _page(api_index, "children", k=30)
    assert whole.total > 12
    first, second = _page(api_index, "children", k=6), _page(api_index, "children", k=6, offset=6)
    assert first.total == second.total == whole.total
    assert [h.best.id for h in first.hits + second.hits] == [h.best.id for h in whole.hits[:12]]
    assert first.previous_offset is None and first.next_offset == 6 and second.previous_offset == 0
    last = _page(api_index, "children", k=6, offset=(whole.total - 1) // 6 * 6)
    assert last.next_offset is None and 1 <= len(last.hits) <= 6
    beyond = _page(api_index, "children", k=6, offset=whole.total + 5)
    assert beyond.hits == [] and beyond.total == whole.total and "past the last" in items.hint(beyond, None)


def test_sort_by_date_is_newest_first_over_the_same_items(api_index):
    rel = _page(api_index, "social workers", k=50)
    new = _page(api_index, "social workers", k=50, sort="date")
    assert new.total == rel.total
    assert {h.best.item_id for h in new.hits} == {h.best.item_id for h in rel.hits}
    dates = [h.best.meeting_date for h in new.hits]
    assert dates == sorted(dates, reverse=True) and dates[0] > dates[-1]


@pytest.mark.parametrize("q", ["xqzvbl blorfen", "kzhrxfq ocqa", "zzzyzx"])
def test_gibberish_matches_nothing(api_index, q):
    page = _page(api_index, q)
    assert page.total == 0 and page.hits == []
    assert items.hint(page, None) == "Nothing in the papers matches these words. Try other or fewer words."
    assert "removing" in items.hint(page, Filters(doc_type="minutes"))
    # the passage search (fusion alone) does return something for it: the rule is what drops it
    assert search(api_index, q, 10)


def test_the_cosine_rule_counts_only_for_a_measured_model():
    assert items.MIN_COSINES == {"all-MiniLM-L6-v2": items.MIN_COSINE}
    assert "hash-32" not in items.MIN_COSINES  # its cosines come from shared words: 0.72 for gibberish


def test_bad_paging_is_a_bad_query(api_index):
    for kw, field in (({"k": 0}, "k"), ({"k": 51}, "k"), ({"offset": -1}, "offset"),
                      ({"offset": items.MAX_OFFSET + 1}, "offset"), ({"sort": "oldest"}, "sort")):
        with pytest.raises(BadQuery) as e:
            _page(api_index, "children", **kw)
        assert e.value.field == field


def test_marks_are_the_query_words_and_their_stems():
    text = "Social Workers: the retention of social workers, and a worker's caseload (socially?), work"
    spans = items.marks(text, tuple(items.terms("social worker retention")))
    # "socially" stems to "social" (Snowball, as BM25 reads it); "work" is another stem than "worker"
    assert [text[a:b] for a, b in spans] == ["Social", "Workers", "retention", "social", "workers", "worker's",
                                             "socially"]
    assert items.marks(text, ()) == [] and items.marks("", ("social",)) == []
    assert items.marks("the of and", tuple(items.terms("the of and"))) == []  # stop words are not marked


def test_hit_dicts_keep_the_text_verbatim_and_mark_it_by_offsets(api_index):
    page = _page(api_index, "social worker retention", k=3)
    for h in page.hits:
        d = items.hit_dict(h, page.terms)
        assert d["text"] == h.best.text and d["passages"] == h.passages and d["more_passages"] == h.passages - 1
        assert d["marks"] and all(d["text"][a:b].lower().startswith(("social", "worker", "retent"))
                                  for a, b in d["marks"])
