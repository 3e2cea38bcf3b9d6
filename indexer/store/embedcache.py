"""Vectors embedded by a run that has not finished yet, kept so a crash costs no embedding.

``<index_dir>/embedding-cache.sqlite`` maps (model id, hash of the embedded text) to its vector.
``update_index`` writes each batch here as soon as it is embedded (committed per batch, in
SQLite's write-ahead log, so a SIGKILL loses at most the batch in flight) and reads it before
embedding anything. When a run swaps its generation in, every vector it embedded is in that
generation (which is itself the cache of the next run), so the file is emptied.

It holds vectors and hashes only, never text, so it leaks nothing of restricted papers.

:func:`embed_new` finds or computes the vector of every new text of a run before anything is
written: from a generation, from this cache, or from the embedder (on a Ray cluster, in rounds
that keep every worker busy).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

FILE = "embedding-cache.sqlite"


class EmbeddingCache:
    def __init__(self, index_dir: Path, model_id: str, dim: int) -> None:
        self.model_id = model_id
        self.dim = dim
        self.path = Path(index_dir) / FILE
        try:
            self.con: sqlite3.Connection | None = sqlite3.connect(self.path)
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, hash TEXT NOT NULL, "
                             "vec BLOB NOT NULL, PRIMARY KEY (model, hash))")
            self.con.commit()
        except sqlite3.Error as exc:  # a damaged cache is only a lost shortcut: start a new one
            log.warning("%s is unusable (%s); starting a new embedding cache", self.path, exc)
            self.path.unlink(missing_ok=True)
            for side in ("-wal", "-shm"):
                Path(str(self.path) + side).unlink(missing_ok=True)
            self.con = sqlite3.connect(self.path)
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute("CREATE TABLE vectors (model TEXT NOT NULL, hash TEXT NOT NULL, "
                             "vec BLOB NOT NULL, PRIMARY KEY (model, hash))")
            self.con.commit()

    def get(self, hashes: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        if self.con is None:
            return out
        for s in range(0, len(hashes), 900):
            part = hashes[s:s + 900]
            rows = self.con.execute(f"SELECT hash, vec FROM vectors WHERE model = ? AND hash IN "
                                    f"({','.join('?' * len(part))})", [self.model_id, *part]).fetchall()
            for h, blob in rows:
                v = np.frombuffer(blob, dtype=np.float32)
                if v.shape == (self.dim,):
                    out[h] = v
        return out

    def put(self, hashes: list[str], vectors: np.ndarray) -> None:
        if self.con is None:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.con.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
                             [(self.model_id, h, v.tobytes()) for h, v in zip(hashes, vectors)])
        self.con.commit()

    def count(self) -> int:
        return self.con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] if self.con else 0

    def clear(self) -> None:
        """Everything embedded is in the live generation now."""
        if self.con is not None:
            self.con.execute("DELETE FROM vectors")
            self.con.commit()
            self.con.execute("VACUUM")
            self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


def cached_rows(caches, hashes: Iterable[str]) -> dict[str, np.ndarray]:
    """Vectors already in a generation, by text hash: ``caches`` are (SQLite, VectorIndex) pairs,
    searched in order (this generation's first)."""
    out: dict[str, np.ndarray] = {}
    wanted = set(hashes)
    for con, vectors in caches:
        reuse: dict[str, int] = {}
        for h in wanted - set(out):
            row = con.execute("SELECT rowid FROM chunks WHERE embed_hash=? LIMIT 1", (h,)).fetchone()
            if row is not None:
                reuse[h] = row[0]
        if reuse:
            out.update(zip(reuse, vectors.vectors_for(np.array(list(reuse.values()), dtype=np.int64))))
    return out


def embed_new(caches, texts_by_hash: dict[str, str], embedder, journal: EmbeddingCache, report,
              progress=None, batch_size: int = 64) -> tuple[dict[str, np.ndarray], set[str]]:
    """The vector of every text in ``texts_by_hash``: from a generation, from the journal, or
    embedded now. Looked up before anything of the run is written or deleted.

    All of a run's new texts are embedded before anything is written, in rounds: an embedder
    with ``preferred_batch`` (the Ray pool) gets rounds that keep all its workers busy, any
    other gets ``batch_size`` texts at a time; each round's vectors go to the embedding cache
    (``journal``) as soon as they are back, so a killed run loses at most the round in flight.
    Returns the vectors by hash and the hashes of those embedded now."""
    known = cached_rows(caches, texts_by_hash)
    fresh = journal.get([h for h in texts_by_hash if h not in known])
    todo = [h for h in texts_by_hash if h not in known and h not in fresh]
    step = max(batch_size, int(getattr(embedder, "preferred_batch", batch_size))) if todo else 1
    for s in range(0, len(todo), step):
        part = todo[s:s + step]
        t = time.perf_counter()
        vecs = embedder.embed_batch([texts_by_hash[h] for h in part], kind="passage")
        report.embed_seconds += time.perf_counter() - t
        fresh.update(zip(part, vecs))
        journal.put(part, vecs)
        if progress:
            progress("chunks", len(part))
    report.journaled_hashes = set(fresh) - set(todo)
    return {**known, **fresh}, set(todo)
