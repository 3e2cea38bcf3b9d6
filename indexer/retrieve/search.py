"""Hybrid retrieval: dense (FAISS) and BM25 (bm25s) rankings fused, with filters inside.

Filters become a set of allowed chunk ids before either retriever runs (``filters.py``), so a
filtered query still returns k results whenever k exist. The rankings and their fusion are in
``fusion.py``; structure-aware signals (a minute number named in the query, the meeting's period,
recency, attendance, query words in one sentence, a RESOLVED block) are small additive boosts on
the fused score, one class each in ``signals/``; `council eval` measures each of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from datetime import date

from indexer.common.results import MAX_K, Filters, SearchResult, check_query
from indexer.retrieve import signals
from indexer.retrieve.config import RetrievalConfig
from indexer.retrieve.filters import allowed_ids
from indexer.retrieve.fusion import bm25_ranking, dense_ranking, fuse
from indexer.retrieve.signals import FACTS, TEXT, Query
from indexer.store.index import Index

log = logging.getLogger(__name__)


def search(index: Index, query: str, k: int = 10, filters: Filters | None = None,
           cfg: RetrievalConfig | None = None) -> list[SearchResult]:
    """The best ``k`` passages (1 to MAX_K)."""
    return ranked_passages(index, check_query(query, k), k, filters, cfg)


@dataclass(frozen=True)
class Ranking:
    """The fused ranking of one query, before any passage is read: rowids best first, their fused
    scores, and each retriever's say (for the signals a result carries)."""

    order: list[int]
    fused: dict[int, float]
    dense: list[tuple[int, float]]
    sparse: list[tuple[int, float]]
    facts: dict | None = None  # rowid -> light row, when a signal read them (every fused candidate)

    @cached_property
    def _ranks(self) -> tuple[dict, dict, dict]:
        return ({c: i for i, (c, _) in enumerate(self.dense, start=1)},
                {c: i for i, (c, _) in enumerate(self.sparse, start=1)}, dict(self.dense))

    def signals_of(self, rowid: int) -> dict:
        dense_rank, bm25_rank, dense_score = self._ranks
        return {"dense_rank": dense_rank.get(rowid), "bm25_rank": bm25_rank.get(rowid),
                "dense_score": dense_score.get(rowid)}


def ranked_passages(index: Index, query: str, k: int, filters: Filters | None = None,
                    cfg: RetrievalConfig | None = None, depth: int | None = None) -> list[SearchResult]:
    """The best ``k`` passages, ``k`` unbounded; the sentence signals re-score only the best
    ``depth`` candidates (by default ``max(k, sentence_depth)`` up to MAX_K)."""
    ranking = rank(index, query, k, filters, cfg, depth)
    return passages(index, ranking, ranking.order[:k + _SPARE])[:k] if ranking.order else []


def passages(index: Index, ranking: Ranking, rowids: list[int]) -> list[SearchResult]:
    """The results for ``rowids`` (best first), each passage once (copies dropped)."""
    rows = {r["rowid"]: r for r in index.passages_by_rowid(rowids)}
    return [_result(rows[c], ranking.fused[c], ranking.signals_of(c)) for c in _distinct(rowids, rows) if c in rows]


def rank(index: Index, query: str, k: int, filters: Filters | None = None, cfg: RetrievalConfig | None = None,
         depth: int | None = None) -> Ranking:
    """Every fused candidate, best first (each retriever passes ``max(candidates, k)``); the
    sentence signals re-score the best ``depth`` (default ``max(k, sentence_depth)`` up to MAX_K):
    a caller that ranks a wide pool for a page of ``n`` passes the depth ``search(n)`` would use,
    so the top of its ranking is the one ``search`` gives."""
    query = check_query(query, 1)
    filters = filters or Filters()
    cfg = cfg or RetrievalConfig()
    allowed = allowed_ids(index, filters)
    denied = index.restricted_ids if allowed is None and not filters.include_restricted else frozenset()
    n = max(cfg.candidates, k)
    named = index.lexical.glossary.named(query) if cfg.acronyms else []
    extra = index.lexical.glossary.expand(query) if named else []
    wide = f"{query} ({'; '.join(extra)})" if extra else query
    dense_q = wide if cfg.acronyms >= 2 else query
    dense = dense_ranking(index, dense_q, n + len(denied), allowed) if cfg.mode in ("hybrid", "dense") else []
    sparse = bm25_ranking(index, wide, n + len(denied), allowed) if cfg.mode in ("hybrid", "bm25") else []
    if denied:
        dense = [x for x in dense if x[0] not in denied][:n]
        sparse = [x for x in sparse if x[0] not in denied][:n]
    if cfg.mode == "dense":
        fused = {cid: s for cid, s in dense}
    elif cfg.mode == "bm25":
        fused = {cid: s for cid, s in sparse}
    else:
        fused = fuse([(dense, cfg.dense_weight), (sparse, cfg.bm25_weight)], cfg)
    if not fused:
        return Ranking([], {}, dense, sparse)
    q = Query(query, cfg, index, named)
    facts = None
    if signals.active(q, FACTS):  # the light rows are read only when some signal needs them
        facts = {r["rowid"]: r for r in index.passage_facts(list(fused))}
        _boost(fused, facts, q, cfg)
    if signals.active(q, TEXT):
        _sentence_boost(index, fused, q, depth or max(min(k, MAX_K), cfg.sentence_depth))
    return Ranking(sorted(fused, key=lambda c: (-fused[c], c)), fused, dense, sparse, facts)


_SPARE = 10  # candidates beyond k, so that k remain when copies are dropped


def _distinct(ranked: list[int], rows: dict) -> list[int]:
    """Each passage once: the same text of the same meeting, read from two copies of a paper
    (a minutes document filed in two meetings' folders), is shown at its best rank only."""
    seen: set[tuple[str, str]] = set()
    out = []
    for c in ranked:
        r = rows.get(c)
        key = (" ".join(r["text"].split()), r["date"]) if r is not None else None
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        out.append(c)
    return out


def _boost(fused: dict[int, float], facts: dict, query: str | Query, cfg: RetrievalConfig) -> None:
    """The signals that read candidates' facts (``facts``: rowid -> item_id, number, item_title,
    kind, date), over every fused candidate, in units of the best fused score."""
    q = query if isinstance(query, Query) else Query(query, cfg)
    signals.boost(fused, FACTS, facts, q, max(fused.values()) if fused else 1.0)


def _sentence_boost(index: Index, fused: dict[int, float], query: Query, depth: int) -> None:
    """The signals that read passages' text, over the best ``depth`` candidates, in units of the
    best fused score."""
    top = sorted(fused, key=lambda c: (-fused[c], c))[:depth]
    if not top:
        return
    signals.boost(fused, TEXT, {rowid: text for rowid, text in index.passage_texts(top)}, query, fused[top[0]])


def _result(r, score: float, ranks: dict) -> SearchResult:
    published = r["published_date"] or r["date"]
    return SearchResult(
        id=r["id"], score=score, text=r["text"], committee=r["committee"], meeting_id=r["meeting_id"],
        meeting_date=date.fromisoformat(r["date"]),
        doc_type="minutes" if r["kind"] == "minute" else r["doc_type"],
        item_id=r["item_id"], item_number=r["number"], item_title=r["item_title"], item_kind=r["kind"],
        document_id=r["document_id"], path=r["path"], published_for=date.fromisoformat(published),
        page_start=r["page_start"], page_end=r["page_end"], span=(r["span_start"], r["span_end"]),
        ocr=bool(r["ocr"]), signals=ranks, published_committee=r["published_committee"],
        doc_url=r["url"], pdf_page=r["pdf_page"], restricted=bool(r["restricted"]),
    )


def result_by_chunk_id(index: Index, chunk_id: str) -> SearchResult | None:
    rowid = index.rowid_of(chunk_id)
    if rowid is None:
        return None
    r = index.passages_by_rowid([rowid])
    return _result(r[0], 0.0, {}) if r else None
