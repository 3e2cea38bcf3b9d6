"""Vectors embedded by a run that has not finished yet, kept so a crash costs no embedding.

``<index_dir>/embedding-cache.sqlite`` maps (model id, hash of the embedded text) to its vector.
``update_index`` writes each batch here as soon as it is embedded (committed per batch, in
SQLite's write-ahead log, so a SIGKILL loses at most the batch in flight) and reads it before
embedding anything. When a run swaps its generation in, every vector it embedded is in that
generation (which is itself the cache of the next run), so the file is emptied.

It holds vectors and hashes only, never text, so it leaks nothing of restricted papers.
"""

from __future__ import annotations

import logging
import sqlite3
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
