"""One index generation on disk: its files, the CURRENT pointer, the writer's lock, damage checks.

Layout::

    <index_dir>/CURRENT          name of the live generation (replaced atomically)
    <index_dir>/gen-000004/      manifest.json, meta.sqlite, vectors.faiss (+ .json sidecar), lexical/ (BM25)
    <index_dir>/.lock            held (flock) while an indexer writes; a second writer is refused
    <index_dir>/embedding-cache.sqlite   vectors a run embedded before it was stopped (embedcache.py)

The manifest records the size and SHA-256 of each file (``files``): opening checks the sizes
(cheap), ``council check`` and the indexer read everything (:func:`damaged`, ``store/check.py``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

from indexer.common.errors import CouncilError, IndexCorrupt, IndexNotFound
from indexer.store.vectors import VectorIndex

MANIFEST = "manifest.json"
DB = "meta.sqlite"
VECTORS = "vectors.faiss"
LEXICAL = "lexical"  # the bm25s index (a directory), see indexer/store/lexical.py
KEEP_GENERATIONS = 2

def current_generation(index_dir: Path) -> Path | None:
    cur = index_dir / "CURRENT"
    if not cur.is_file():
        return None
    gen = index_dir / cur.read_text().strip()
    return gen if (gen / MANIFEST).is_file() else None


def read_manifest(index_dir: Path) -> dict:
    gen = current_generation(Path(index_dir))
    if gen is None:
        raise IndexNotFound(index_dir)
    try:
        return json.loads((gen / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(index_dir, f"unreadable manifest ({exc})") from exc



FIX = ("re-run `council index PATHS` to build a new generation from the papers, or restore the index "
       "directory from a backup; `council check` says more")


def file_facts(path: Path) -> dict:
    """Size and SHA-256 of a file of a generation, as its manifest records them."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return {"bytes": path.stat().st_size, "sha256": h.hexdigest()}


CHECKED_FILES = (DB, VECTORS, VECTORS + ".json")


def check_sizes(gen: Path, manifest: dict) -> None:
    """Cheap check on open: each file the manifest lists is there, at its recorded size."""
    for name, facts in (manifest.get("files") or {}).items():
        f = gen / name
        try:
            size = f.stat().st_size
        except OSError:
            raise IndexCorrupt(gen, f"{name} is missing; {FIX}") from None
        if size != facts.get("bytes"):
            raise IndexCorrupt(gen, f"{name} is {size:,} bytes but was written as {facts.get('bytes'):,} "
                                    f"(truncated or changed since); {FIX}")


def load_vectors(gen: Path) -> VectorIndex:
    """The generation's FAISS index; a damaged file is an IndexCorrupt naming it and the fix."""
    try:
        return VectorIndex.load(gen / VECTORS)
    except IndexCorrupt as exc:
        reason = exc.reason if len(exc.reason) < 160 else exc.reason[:157] + "..."
        raise IndexCorrupt(gen, f"{reason}; {FIX}") from None



class _Lock:
    def __init__(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        self.fh = open(index_dir / ".lock", "w")

    def __enter__(self) -> "_Lock":
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise CouncilError("another `council index` is writing this index; try again when it ends") from exc
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)



def damaged(gen: Path) -> tuple[str, str] | None:
    """(file, reason) when a generation cannot be read or copied, else None. Compares every file's
    checksum with the manifest's, reads every page of its SQLite file (``PRAGMA quick_check``) and
    loads its vectors: for the indexer (a second or so per 100k passages), not for serving."""
    try:
        manifest = json.loads((gen / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        return MANIFEST, str(exc)
    for name, want in (manifest.get("files") or {}).items():
        try:
            got = file_facts(gen / name)
        except OSError as exc:
            return name, f"unreadable: {exc.strerror}"
        if got != {"bytes": want.get("bytes"), "sha256": want.get("sha256")}:
            return name, "its checksum is not the one written"
    try:
        con = sqlite3.connect(f"file:{gen / DB}?mode=ro", uri=True)
        try:
            verdict = con.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            con.close()
        if verdict != "ok":
            return DB, verdict
    except sqlite3.Error as exc:
        return DB, str(exc)
    try:
        VectorIndex.load(gen / VECTORS)
    except IndexCorrupt as exc:
        return VECTORS, exc.reason[:160]
    return None


def _next_gen_number(index_dir: Path) -> int:
    nums = [int(p.name.split("-")[1]) for p in index_dir.glob("gen-*") if p.name.split("-")[1].isdigit()]
    return max(nums, default=0) + 1


def _remove_abandoned(index_dir: Path, live: Path | None) -> None:
    """Generations newer than the live one were left by a crashed run."""
    live_n = int(live.name.split("-")[1]) if live else 0
    for p in index_dir.glob("gen-*"):
        if p.name.split("-")[1].isdigit() and int(p.name.split("-")[1]) > live_n:
            shutil.rmtree(p, ignore_errors=True)
    (index_dir / "CURRENT.tmp").unlink(missing_ok=True)


def _remove_old(index_dir: Path, live: Path) -> None:
    gens = sorted((p for p in index_dir.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
    keep = {live.name} | {p.name for p in gens[-KEEP_GENERATIONS:]}
    for p in gens:
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
