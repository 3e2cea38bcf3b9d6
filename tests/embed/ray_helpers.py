"""What the Ray tests share: building the same corpus index with one embedder or another, and
comparing two indexes passage by passage."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from indexer.embed.hashing import HashEmbedder
from indexer.retrieve.search import search
from indexer.store import index as ix
from indexer.store import metadata as store
from indexer.store.index import Index, update_index
from indexer.store.vectors import VectorIndex

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
PACKS = sorted(p for p in CORPUS.iterdir() if p.suffix == ".txt")
QUERIES = ["social worker retention", "minute 25", "Ofsted", "Family Hubs", "young carers", "work programme"]


def build(index_dir: Path, embedder, packs=PACKS, **kw):
    return update_index(index_dir, [(p, CORPUS) for p in packs], embedder, **kw)


def contents(index_dir: Path) -> tuple[list[tuple], np.ndarray]:
    """(rowid, chunk id, embed hash) of every passage, and their vectors in that order."""
    gen = ix.current_generation(index_dir)
    con = store.connect(gen / ix.DB, readonly=True)
    rows = con.execute("SELECT rowid, id, embed_hash FROM chunks ORDER BY rowid").fetchall()
    con.close()
    vectors = VectorIndex.load(gen / ix.VECTORS).vectors_for(np.array([r[0] for r in rows], dtype=np.int64))
    return [tuple(r) for r in rows], vectors


def assert_same_index(a: Path, b: Path) -> None:
    rows_a, vec_a = contents(a)
    rows_b, vec_b = contents(b)
    assert rows_a == rows_b and len(rows_a) > 0
    assert np.abs(vec_a - vec_b).max() <= 1e-5
    ia, ib = Index.open(a, embedder=HashEmbedder()), Index.open(b, embedder=HashEmbedder())
    try:
        for q in QUERIES:
            assert [r.id for r in search(ia, q, k=10)] == [r.id for r in search(ib, q, k=10)]
    finally:
        ia.close()
        ib.close()
