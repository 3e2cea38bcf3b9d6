"""Search results as agenda items: one per item (its best passage, and how many more of its
passages match), counted and paged, by relevance or by date; nothing when nothing matches.

``search_items`` ranks a pool of passages with the hybrid search (``search.ranked_passages``),
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
from indexer.retrieve.search import ranked_passages
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


def matches(r: SearchResult, min_cosine: float | None) -> bool:
    """Evidence that a passage matches: it holds a query term, or its meaning is close enough."""
    s = r.signals or {}
    if s.get("bm25_rank") is not None:
        return True
    return min_cosine is not None and (s.get("dense_score") or 0.0) >= min_cosine


def search_items(index: Index, query: str, k: int = 10, offset: int = 0, filters: Filters | None = None,
                 cfg: RetrievalConfig | None = None, sort: str = "relevance") -> ItemPage:
    """The page of items ``offset+1 .. offset+k`` matching ``query``, best first or newest first."""
    query = check_query(query, k)
    check_page(k, offset, sort)
    cfg = cfg or RetrievalConfig()
    pool = max(POOL, 4 * (offset + k))
    cfg = cfg.but(candidates=max(cfg.candidates, pool))
    min_cosine = MIN_COSINES.get(index.embedder.model_id)
    # the sentence signals re-score as deep as a passage search for this page would (not the whole
    # pool: 15 candidates instead of 50 for a first page; 2 ms of the 11 an items search took here)
    depth = max(min(offset + k, MAX_K), cfg.sentence_depth)
    ranked = [r for r in ranked_passages(index, query, pool, filters, cfg, depth) if matches(r, min_cosine)]
    groups: dict[str, list[SearchResult]] = {}
    for r in ranked:
        groups.setdefault(r.item_id, []).append(r)
    hits = [ItemHit(rs[0], tuple(x.id for x in rs[1:])) for rs in groups.values()]
    if sort == "date":  # newest meeting first; within a meeting, best first (the sort is stable)
        hits.sort(key=lambda h: h.best.meeting_date, reverse=True)
    return ItemPage(query, len(hits), offset, k, sort, hits[offset:offset + k], tuple(terms(query)))


_WORD = re.compile(r"\w+(?:['’]\w+)*")


def marks(text: str, query_terms: tuple[str, ...] | list[str]) -> list[list[int]]:
    """[start, end) offsets of the words in ``text`` whose index term (lower case, stemmed, as BM25
    reads it) is one of ``query_terms``: the query "social workers" marks "Social", "worker" and
    "Workers"; stop words are never marked."""
    wanted = set(query_terms)
    if not wanted or not text:
        return []
    spans = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
    distinct = list(dict.fromkeys(w.lower() for _, _, w in spans))
    stems = dict(zip(distinct, word_terms(distinct)))
    return [[a, b] for a, b, w in spans if wanted & set(stems.get(w.lower(), ()))]


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
