"""``council check``: is the live generation whole and self-consistent?

Each check reads the files themselves, not what the manifest says of them:

- CURRENT names a generation with a readable manifest;
- every file the manifest lists has its recorded size and SHA-256;
- SQLite passes ``PRAGMA integrity_check``;
- the FAISS index loads, and holds as many vectors as SQLite has passages (and the manifest says);
- every vector has a passage, and every passage a vector (the ids are SQLite rowids);
- the BM25 index loads and covers the same passages;
- no writer holds the lock, and no half-written generation is left over (information only).
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.common.errors import IndexCorrupt
from indexer.store.generation import DB, FIX, LEXICAL, MANIFEST, VECTORS, current_generation, file_facts
from indexer.store.lexical import LexicalIndex
from indexer.store.vectors import VectorIndex


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    info: bool = False  # shown, but never a failure


def check_index(index_dir: str | Path) -> list[Check]:
    """Every check on the live generation of ``index_dir``, in order; stops where later checks
    cannot run (no generation, no manifest)."""
    index_dir = Path(index_dir)
    out: list[Check] = []
    gen = current_generation(index_dir)
    if gen is None:
        out.append(Check("generation", False, f"no live generation in {index_dir}: run `council index PATHS`"))
        return out
    out.append(Check("generation", True, f"{gen.name} is live"))
    try:
        manifest = json.loads((gen / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        out.append(Check("manifest", False, f"{gen / MANIFEST} is unreadable ({exc}); {FIX}"))
        return out
    out.append(Check("manifest", True, f"model {manifest.get('model_id')}, {manifest.get('chunks')} passages, "
                                       f"{len(manifest.get('units', {}))} files"))
    out += _checksums(gen, manifest)
    n_sql, sql_ids = _sqlite(gen, out)
    vectors = _vectors(gen, out)
    if vectors is not None and sql_ids is not None:
        faiss_ids = vectors.ids()
        n_vec = len(faiss_ids)
        agree = n_vec == n_sql == manifest.get("chunks")
        out.append(Check("counts", agree, f"SQLite {n_sql} passages, FAISS {n_vec} vectors, manifest "
                                          f"{manifest.get('chunks')}" + ("" if agree else f"; {FIX}")))
        orphans = np.setdiff1d(faiss_ids, sql_ids)
        missing = np.setdiff1d(sql_ids, faiss_ids)
        out.append(Check("vectors have passages", len(orphans) == 0,
                         "every vector has a passage" if len(orphans) == 0 else
                         f"{len(orphans)} vectors have no passage (ids {orphans[:5].tolist()}...); {FIX}"))
        out.append(Check("passages have vectors", len(missing) == 0,
                         "every passage has a vector" if len(missing) == 0 else
                         f"{len(missing)} passages have no vector (rowids {missing[:5].tolist()}...); {FIX}"))
    if sql_ids is not None:
        try:
            lexical = LexicalIndex.load(gen / LEXICAL)
            same = np.array_equal(np.asarray(lexical.rowids), sql_ids)
            out.append(Check("bm25", same, f"{len(lexical.rowids)} passages" + (
                "" if same else " (not the passages SQLite holds); it is rebuilt from SQLite when the index opens")))
        except IndexCorrupt as exc:
            out.append(Check("bm25", True, f"{exc.reason}; it is rebuilt from SQLite when the index opens", info=True))
    out += _leftovers(index_dir, gen)
    return out


def _checksums(gen: Path, manifest: dict) -> list[Check]:
    files = manifest.get("files")
    if not files:
        return [Check("checksums", True, "this generation was written before checksums were recorded", info=True)]
    out = []
    for name, want in sorted(files.items()):
        f = gen / name
        if not f.is_file():
            out.append(Check(f"checksum {name}", False, f"{f} is missing; {FIX}"))
            continue
        got = file_facts(f)
        ok = got == {"bytes": want.get("bytes"), "sha256": want.get("sha256")}
        out.append(Check(f"checksum {name}", ok, f"{got['bytes']:,} bytes, sha256 {got['sha256'][:12]}" + (
            "" if ok else f"; written as {want.get('bytes'):,} bytes, sha256 {str(want.get('sha256'))[:12]}: "
                          f"{f} changed or is damaged; {FIX}")))
    return out


def _sqlite(gen: Path, out: list[Check]) -> tuple[int, np.ndarray | None]:
    try:
        con = sqlite3.connect(f"file:{gen / DB}?mode=ro", uri=True)
        try:
            verdict = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
            ids = np.array([r[0] for r in con.execute("SELECT rowid FROM chunks ORDER BY rowid")], dtype=np.int64)
        finally:
            con.close()
    except sqlite3.Error as exc:
        out.append(Check("sqlite", False, f"{gen / DB} is damaged ({exc}); {FIX}"))
        return 0, None
    ok = verdict == ["ok"]
    out.append(Check("sqlite", ok, "integrity check ok" if ok else f"{gen / DB}: {'; '.join(verdict[:3])}; {FIX}"))
    return len(ids), ids


def _vectors(gen: Path, out: list[Check]) -> VectorIndex | None:
    try:
        v = VectorIndex.load(gen / VECTORS)
    except IndexCorrupt as exc:
        reason = exc.reason if len(exc.reason) < 160 else exc.reason[:157] + "..."
        out.append(Check("faiss", False, f"{gen / VECTORS}: {reason}; {FIX}"))
        return None
    out.append(Check("faiss", True, f"{v.kind} index, {v.count()} vectors of {v.dim} dimensions"))
    return v


def _leftovers(index_dir: Path, live: Path) -> list[Check]:
    out = []
    newer = sorted(p.name for p in index_dir.glob("gen-*") if p.is_dir() and p.name > live.name)
    if newer:
        out.append(Check("leftovers", True, f"{', '.join(newer)} left by a run that did not finish (removed by the "
                                            "next `council index`)", info=True))
    lock = index_dir / ".lock"
    if lock.exists():
        with open(lock, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fh, fcntl.LOCK_UN)
            except BlockingIOError:
                out.append(Check("writer", True, "a `council index` is writing a new generation now", info=True))
    return out
