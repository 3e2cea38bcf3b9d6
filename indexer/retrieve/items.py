"""Search results as agenda items: one per item (its best passage, and how many more of its
passages match), counted and paged, by relevance or by date; nothing when nothing matches.

``search_items`` ranks a pool of passages with the hybrid search (``search.rank``),
keeps those with evidence of a match, groups them by item in rank order and pages through the
groups. A passage is evidence when it holds one of the query's index terms (its BM25 score is
above 0: the word or its stem, stop words aside) or its dense cosine to the query is at least
``MIN_COSINES[model]`` (only a measured model has one). Hybrid fusion alone always returns something (the dense side ranks every
passage), so without this rule a gibberish query would list ten items.

``MIN_COSINE`` was chosen by ``benchmarks/no_match.py`` (results in
``benchmarks/results/no_match.md``) on the corpus indexed with all-MiniLM-L6-v2: the best cosine
of 100 gibberish queries (at most 0.309) against that of the 597 real questions of eval/*.jsonl
(median 0.583; every one of them also holds an indexed word, none of the gibberish does).

``marks`` finds the query's words and their stems in a passage or title (the same tokeniser
BM25 uses), as [start, end) offsets; the text itself is never changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.common.results import MAX_K, BadQuery, Filters, SearchResult, check_query
from indexer.retrieve.config import RetrievalConfig
from indexer.retrieve.search import passages, rank
from indexer.store.index import Index
from indexer.store.lexical import terms, word_terms

# all-MiniLM-L6-v2 on corpus/: the best cosine of a gibberish query is at most 0.309 (p95 0.271); every
# real question also holds an indexed word, so the threshold only decides passages matching by meaning alone
MIN_COSINE = 0.40
# The threshold per embedding model, where it has been measured. Elsewhere (the hash-32 test fake,
# whose cosines come from shared words, up to 0.72 for gibberish; e5, not measured) only BM25
# evidence counts.
MIN_COSINES = {"all-MiniLM-L6-v2": MIN_COSINE}
POOL = 200  # passages ranked per query before grouping (each retriever passes at least this many)
MAX_OFFSET = 1000
SORTS = ("relevance", "date")


@dataclass(frozen=True)
class ItemHit:
    """One item among the results: its best passage and the ids of its other matching passages."""

    best: SearchResult
    others: tuple[str, ...] = ()

    @property
    def passages(self) -> int:
        return 1 + len(self.others)


@dataclass(frozen=True)
class ItemPage:
    query: str
    total: int  # items matching, on every page
    offset: int
    k: int
    sort: str
    hits: list[ItemHit] = field(default_factory=list)
    terms: tuple[str, ...] = ()  # the query's index terms (stems), for marks()

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.k if self.offset + self.k < self.total else None

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.k) if self.offset > 0 else None


def check_page(k: int, offset: int, sort: str) -> None:
    if not 1 <= k <= MAX_K:
        raise BadQuery("k", f"k must be between 1 and {MAX_K}")
    if not 0 <= offset <= MAX_OFFSET:
        raise BadQuery("offset", f"offset must be between 0 and {MAX_OFFSET}")
    if sort not in SORTS:
        raise BadQuery("sort", f"sort must be one of: {', '.join(SORTS)} (got {sort!r})")


def matches(r: SearchResult | dict, min_cosine: float | None) -> bool:
    """Evidence that a passage (a result, or its ranking signals) matches: it holds a query term,
    or its meaning is close enough."""
    s = (r if isinstance(r, dict) else r.signals) or {}
    if s.get("bm25_rank") is not None:
        return True
    return min_cosine is not None and (s.get("dense_score") or 0.0) >= min_cosine


def search_items(index: Index, query: str, k: int = 10, offset: int = 0, filters: Filters | None = None,
                 cfg: RetrievalConfig | None = None, sort: str = "relevance") -> ItemPage:
    """The page of items ``offset+1 .. offset+k`` matching ``query``, best first or newest first.

    The pool is grouped by item from the light rows (ids, item, date); only the page's passages
    are read whole, so an items search costs little more than a passage search."""
    query = check_query(query, k)
    check_page(k, offset, sort)
    cfg = cfg or RetrievalConfig()
    pool = max(POOL, 4 * (offset + k))
    cfg = cfg.but(candidates=max(cfg.candidates, pool))
    min_cosine = MIN_COSINES.get(index.embedder.model_id)
    # the sentence signals re-score as deep as a passage search for this page would (not the whole
    # pool: 15 candidates instead of 50 for a first page)
    depth = max(min(offset + k, MAX_K), cfg.sentence_depth)
    ranking = rank(index, query, pool, filters, cfg, depth)
    ranked = [c for c in ranking.order[:pool] if matches(ranking.signals_of(c), min_cosine)]
    facts = ranking.facts or {r["rowid"]: r for r in index.passage_facts(ranked)}
    groups: dict[str, list[int]] = {}
    for c in ranked:
        if c in facts:
            groups.setdefault(facts[c]["item_id"], []).append(c)
    members = list(groups.values())
    if sort == "date":  # newest meeting first; within a meeting, best first (the sort is stable)
        members.sort(key=lambda rs: facts[rs[0]]["date"], reverse=True)
    page = members[offset:offset + k]
    # only each page item's best passage is read whole (the others are counted from the light rows)
    found = {r.id: r for r in passages(index, ranking, [rs[0] for rs in page])}
    hits = [ItemHit(found[facts[rs[0]]["id"]], tuple(facts[c]["id"] for c in rs[1:]))
            for rs in page if facts[rs[0]]["id"] in found]
    return ItemPage(query, len(members), offset, k, sort, hits, tuple(terms(query)))


_WORD = re.compile(r"\w+(?:['’]\w+)*")


def marks(text: str, query_terms: tuple[str, ...] | list[str]) -> list[list[int]]:
    """[start, end) offsets of the words in ``text`` whose index term (lower case, stemmed, as BM25
    reads it) is one of ``query_terms``: the query "social workers" marks "Social", "worker" and
    "Workers"; stop words are never marked."""
    wanted = set(query_terms)
    if not wanted or not text:
        return []
    spans = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
    stems = word_stems(list(dict.fromkeys(w.lower() for _, _, w in spans)))
    return [[a, b] for a, b, w in spans if wanted & stems.get(w.lower(), frozenset())]


_STEMS: dict[str, frozenset[str]] = {}  # word (lower case) -> its index terms; the tokeniser is fixed
_STEMS_MAX = 200_000


def word_stems(words: list[str]) -> dict[str, frozenset[str]]:
    """Each word's index terms, tokenising only words not met before (tokenising every word of
    every result took 7 ms a page of ten, more than the search itself)."""
    new = [w for w in words if w not in _STEMS]
    if new:
        if len(_STEMS) + len(new) > _STEMS_MAX:
            _STEMS.clear()
        _STEMS.update(zip(new, map(frozenset, word_terms(new))))
    stems = {w: _STEMS.get(w) for w in words}  # .get: another thread may have just cleared it
    return {w: s for w, s in stems.items() if s is not None}


# ------------------------------------------------------------------ the JSON shape

def hit_dict(hit: ItemHit, query_terms) -> dict:
    """An item result (:class:`indexer.common.contract.ItemResult`)."""
    r = hit.best
    return {**r.to_dict(), "passages": hit.passages, "more_passages": hit.passages - 1,
            "marks": marks(r.text, query_terms), "title_marks": marks(r.item_title, query_terms)}


def filters_named(f: Filters | None) -> list[str]:
    """The filters a caller set, as "name=value", for a hint."""
    if f is None:
        return []
    pairs = (("committee", f.committee), ("date_from", f.date_from), ("date_to", f.date_to), ("doc_type", f.doc_type))
    return [f"{k}={v}" for k, v in pairs if v]


def hint(page: ItemPage, f: Filters | None) -> str | None:
    """What to try when a page is empty."""
    if page.hits:
        return None
    if page.total:
        last = (page.total - 1) // page.k * page.k
        return (f"There are {page.total} results; offset {page.offset} is past the last. "
                f"The last page starts at offset={last}.")
    named = filters_named(f)
    if named:
        return ("Nothing matches these words with these filters (" + ", ".join(named) + "). Try removing "
                "filters, or other words.")
    return "Nothing in the papers matches these words. Try other or fewer words."


def page_dict(page: ItemPage, f: Filters | None = None) -> dict:
    """The search response (:class:`indexer.common.contract.SearchResponse`)."""
    return {"query": page.query, "total": page.total, "offset": page.offset, "k": page.k, "sort": page.sort,
            "results": [hit_dict(h, page.terms) for h in page.hits], "hint": hint(page, f)}
