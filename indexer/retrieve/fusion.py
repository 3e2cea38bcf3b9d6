"""The two retrievers' rankings and their fusion: dense (FAISS, ``indexer/store/vectors.py``) and
BM25 (bm25s, ``indexer/store/lexical.py``), fused by reciprocal rank or a weighted sum."""

from __future__ import annotations

import numpy as np

from indexer.retrieve.config import RetrievalConfig
from indexer.store.index import Index


def dense_ranking(index: Index, query: str, n: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    qv = index.query_vector(query)
    scores, ids = index.vectors.search(qv, n, allowed_ids=allowed)
    scores, ids = np.asarray(scores).reshape(-1), np.asarray(ids).reshape(-1)
    return [(int(i), float(s)) for s, i in zip(scores, ids) if i >= 0]


def bm25_ranking(index: Index, query: str, n: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    """BM25 (bm25s, see indexer/store/lexical.py): the top ``n`` (rowid, score), only from ``allowed``."""
    return index.lexical.rank(query, n, allowed)


def fuse(rankings: list[tuple[list[tuple[int, float]], float]], cfg: RetrievalConfig) -> dict[int, float]:
    """RRF, or a weighted sum of min-max normalised scores."""
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        if not ranking or weight == 0:
            continue
        if cfg.fusion == "rrf":
            for rank, (cid, _) in enumerate(ranking, start=1):
                fused[cid] = fused.get(cid, 0.0) + weight / (cfg.rrf_k + rank)
        else:
            vals = [s for _, s in ranking]
            lo, hi = min(vals), max(vals)
            for cid, s in ranking:
                fused[cid] = fused.get(cid, 0.0) + weight * ((s - lo) / (hi - lo) if hi > lo else 1.0)
    return fused
