"""BM25's term counts, kept beside the score matrix so that the next generation re-tokenises only
the chunks it adds (``indexer/store/lexical.py``, ``LexicalIndex.build(previous=...)``): each
chunk's term ids and counts, its length and a hash of its text; the abbreviation counts; and the
score matrix made from the counts with bm25s's own arithmetic."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

log = logging.getLogger(__name__)


def _text_key(text: str, title: str) -> int:
    """64 bits of a chunk's indexed text: a rowid reused for another text is not taken for the old one."""
    return int.from_bytes(hashlib.blake2b(f"{text}\0{title}".encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "little")


@dataclass
class TermCounts:
    """Each indexed chunk's distinct term ids and their counts (CSR: ``indptr`` into ``term``
    and ``count``), its length in tokens, and ``key`` (:func:`_text_key`), by matrix row. The
    vocabulary maps terms to ids. With them a new generation is scored without re-tokenising the
    chunks it keeps: tokenising is about 70% of a build (benchmarks/results/scale.md)."""

    vocab: dict[str, int]
    indptr: np.ndarray  # int64, rows + 1
    term: np.ndarray  # uint16, or int32 for a vocabulary of more than 65,536 terms
    count: np.ndarray  # uint16, or int32 should a chunk repeat a term more often
    length: np.ndarray  # int64
    key: np.ndarray  # uint64

    def save(self, d: Path) -> None:
        d.mkdir(parents=True, exist_ok=True)
        for name in ("indptr", "term", "count", "length", "key"):
            np.save(d / f"{name}.npy", getattr(self, name))
        (d / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False))

    @classmethod
    def load(cls, d: Path) -> "TermCounts | None":
        try:
            arrays = {name: np.load(d / f"{name}.npy") for name in ("indptr", "term", "count", "length", "key")}
            vocab = json.loads((d / "vocab.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.info("%s: no term counts to reuse (%s); tokenising every chunk", d, exc)
            return None
        out = cls(vocab, **arrays)
        n = len(out.length)
        if len(out.indptr) != n + 1 or len(out.key) != n or out.indptr[-1] != len(out.term) != len(out.count):
            log.warning("%s: term counts are inconsistent; tokenising every chunk", d)
            return None
        return out


@dataclass
class _GlossaryState:
    """``Glossary.counts`` of the public rows, and which rows were hidden (restricted) then."""

    seen: dict[str, Counter]
    lower: set[str]
    hidden: list[int]

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"seen": {a: dict(f) for a, f in self.seen.items()}, "lower": sorted(self.lower),
                                    "hidden": self.hidden}, ensure_ascii=False))

    @classmethod
    def load(cls, path: Path) -> "_GlossaryState | None":
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            return cls({a: Counter(f) for a, f in d["seen"].items()}, set(d["lower"]), [int(x) for x in d["hidden"]])
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _score_matrix(counts: TermCounts, k1: float, b: float, dtype: str) -> dict:
    """bm25s's score matrix (``BM25.scores``) from term counts, with its Lucene formulas and its
    arithmetic (``bm25s.scoring``: the idf per term with ``math.log``, then
    ``idf * tf / (k1 * ((1 - b) + b * len / mean_len) + tf)`` in float64, stored as ``dtype``),
    as a CSC matrix with rows in order within each term."""
    n, v = len(counts.length), len(counts.vocab)
    df = np.bincount(counts.term, minlength=v)
    idf = np.zeros(v, dtype=dtype)
    for t in np.flatnonzero(df):  # a term no kept chunk holds scores nothing (bm25s: idf 0)
        d = int(df[t])
        idf[t] = math.log(1 + (n - d + 0.5) / (d + 0.5))
    avg = counts.length.mean()
    row = np.repeat(np.arange(n, dtype=np.int64), np.diff(counts.indptr))
    tf = counts.count.astype(dtype)
    tfc = tf / (k1 * ((1 - b) + b * counts.length[row] / avg) + tf)
    scores = (idf[counts.term] * tfc).astype(dtype)
    csc = sp.csr_matrix((scores, counts.term.astype(np.int32), counts.indptr), shape=(n, v)).tocsc()
    return {"data": csc.data.astype(dtype, copy=False), "indices": csc.indices.astype(np.int32, copy=False),
            "indptr": csc.indptr, "num_docs": n}
