"""The embedding journal: vectors computed by a run that has not yet written its generation.

Embedding is the long part of a first build (hours for an archive, even on a Ray cluster), and
a generation is written only at the end, so a run killed part-way would lose it all. Each
finished round of new vectors is therefore appended here, as one ``.npz`` file (text hashes and
vectors) written aside and renamed, so a part is whole or absent. The next run reads the parts
back and embeds only what is still missing. Once a generation holding the vectors is live, the
journal is deleted. Readers (``council serve``) never look at it.

Layout: ``<index_dir>/embed-journal/<model id>/part-000001.npz``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

DIRNAME = "embed-journal"
JOURNAL_EVERY = 1024  # new vectors per journal part (a part is written at least once per round)


class EmbedJournal:
    def __init__(self, index_dir: Path, model_id: str, dim: int) -> None:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", model_id)
        self.dir = Path(index_dir) / DIRNAME / safe
        self.dim = dim
        # never overwrite a part: number after the last one there (a killed run's included)
        numbers = [int(p.stem.split("-")[1]) for p in self.dir.glob("part-*.npz") if p.stem.split("-")[1].isdigit()]
        self._next = max(numbers, default=0) + 1

    def load(self) -> dict[str, np.ndarray]:
        """Every vector the journal holds, by text hash (parts that do not read are skipped)."""
        out: dict[str, np.ndarray] = {}
        if not self.dir.is_dir():
            return out
        for part in sorted(self.dir.glob("part-*.npz")):
            try:
                with np.load(part) as z:
                    keys, vecs = z["keys"], z["vectors"]
            except (OSError, ValueError, KeyError) as exc:
                log.warning("%s: unreadable, ignored (%s)", part, exc)
                continue
            if vecs.ndim != 2 or vecs.shape[1] != self.dim or len(keys) != len(vecs):
                log.warning("%s: vectors of shape %s, not (n, %d); ignored", part, vecs.shape, self.dim)
                continue
            out.update(zip(keys.tolist(), vecs.astype(np.float32)))
        return out

    def append(self, hashes: list[str], vectors: np.ndarray) -> None:
        if not hashes:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        part = self.dir / f"part-{self._next:06d}.npz"
        tmp = self.dir / f".tmp-{os.getpid()}.npz"
        with open(tmp, "wb") as fh:
            np.savez(fh, keys=np.array(hashes), vectors=np.asarray(vectors, dtype=np.float32))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, part)
        self._next += 1

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        try:
            self.dir.parent.rmdir()
        except OSError:  # another model's journal is still there
            pass


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


def embed_new(caches, texts_by_hash: dict[str, str], embedder, journal: EmbedJournal, report,
              progress=None, batch_size: int = 64) -> tuple[dict[str, np.ndarray], set[str]]:
    """The vector of every text in ``texts_by_hash``: from a generation, from the journal, or
    embedded now. Looked up before anything of the run is written or deleted.

    All of a run's new texts are embedded before anything is written, in rounds: an embedder
    with ``preferred_batch`` (the Ray pool) gets rounds that keep all its workers busy, any
    other gets ``batch_size`` texts at a time; every ~1k new vectors go to the journal.
    Returns the vectors by hash and the hashes of those embedded now."""
    known = cached_rows(caches, texts_by_hash)
    fresh = {h: v for h, v in journal.load().items() if h in texts_by_hash and h not in known}
    todo = [h for h in texts_by_hash if h not in known and h not in fresh]
    step = max(batch_size, int(getattr(embedder, "preferred_batch", batch_size))) if todo else 1
    held: list[str] = []
    for s in range(0, len(todo), step):
        part = todo[s:s + step]
        t = time.perf_counter()
        vecs = embedder.embed_batch([texts_by_hash[h] for h in part], kind="passage")
        report.embed_seconds += time.perf_counter() - t
        fresh.update(zip(part, vecs))
        held += part
        if len(held) >= JOURNAL_EVERY or s + step >= len(todo):
            journal.append(held, np.stack([fresh[h] for h in held]))
            held = []
        if progress:
            progress("chunks", len(part))
    report.journaled_hashes = set(fresh) - set(todo)
    return {**known, **fresh}, set(todo)
