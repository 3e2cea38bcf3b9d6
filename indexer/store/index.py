"""The index directory: a manifest, SQLite and FAISS, written as a new generation and swapped in.

Layout::

    <index_dir>/CURRENT          name of the live generation (replaced atomically)
    <index_dir>/gen-000004/      manifest.json, meta.sqlite, vectors.faiss (+ .json sidecar), lexical/ (BM25)
    <index_dir>/.lock            held while an indexer writes (see generation.py)

``update_index`` copies the live generation, applies only what changed (new or changed
files are parsed, chunked and embedded; a chunk whose embedded text is already in the index
reuses its vector), then points CURRENT at the new generation. A crash at any point leaves
the previous generation whole and searchable; the half-written one is removed next run, and
what it had embedded is taken from the embedding cache (``embedcache.py``), not embedded again.
A live generation found damaged is not copied: the run builds afresh from the papers given.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from indexer.chunk.chunker import VERSION as CHUNKER_VERSION
from indexer.chunk.chunker import chunk_source
from indexer.common.errors import CouncilError, IndexCorrupt, IndexNotFound, ModelMismatch, ParseError
from indexer.common.models import Chunk
from indexer.embed.base import Embedder
from indexer.embed.embedder import get_embedder, resolve_embedder_name
from indexer.ingest.files import unit_files
from indexer.store import metadata as store
from indexer.store.embedcache import EmbeddingCache, embed_new
from indexer.store.generation import (CHECKED_FILES, DB, FIX, KEEP_GENERATIONS, LEXICAL, MANIFEST, VECTORS,
                                      _fsync_dir, _Lock, _next_gen_number, _remove_abandoned, _remove_old,
                                      check_sizes, current_generation, damaged, file_facts, load_vectors,
                                      read_manifest)
from indexer.store.lexical import LexicalIndex
from indexer.store.repository import Repository
from indexer.store.tracker import rebuild_tracker
from indexer.store.vectors import VectorIndex
from indexer.structure.privacy import PRIVACY_VERSION, mark_restricted
from indexer.structure.reader import READER_VERSION, _display, parse_path

log = logging.getLogger(__name__)


# ------------------------------------------------------------------ the live generation

def build_lexical(con: sqlite3.Connection, previous: Path | None = None):
    """BM25 over the chunks of ``con``; ``previous`` (the last generation's lexical directory)
    lends the term counts of the chunks it already holds, so only new chunks are tokenised."""
    private = [r[0] for r in con.execute("SELECT rowid FROM chunks WHERE restricted = 1")]
    return LexicalIndex.build(((r[0], r[1], r[2]) for r in con.execute("SELECT rowid, text, header FROM chunks")),
                              private=private, previous=previous)


def open_lexical(gen: Path, con: sqlite3.Connection):
    """The generation's BM25 index. A generation written before it existed (or by another
    tokeniser version) gets one built from its chunks, kept in memory, and saved beside them when
    the directory is writable (written aside, then renamed in whole)."""
    try:
        return LexicalIndex.load(gen / LEXICAL)
    except IndexCorrupt as exc:
        if (gen / LEXICAL).exists():
            log.warning("%s: %s; rebuilding it from the chunks", gen, exc.reason)
    lexical = build_lexical(con)
    tmp = gen / f"{LEXICAL}.tmp-{os.getpid()}-{threading.get_ident()}"
    try:
        lexical.save(tmp)
        if (gen / LEXICAL).exists():
            shutil.rmtree(gen / LEXICAL)
        os.replace(tmp, gen / LEXICAL)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        log.info("%s: BM25 index kept in memory only (%s)", gen, exc)
    return lexical


class Index(Repository):
    """A read-only view of one generation: SQLite for records and BM25, FAISS for vectors."""

    def __init__(self, index_dir: Path, gen: Path, manifest: dict, embedder: Embedder) -> None:
        self.index_dir = index_dir
        self.gen = gen
        self.manifest = manifest
        self.embedder = embedder
        check_sizes(gen, manifest)
        try:
            self.con = store.connect(gen / DB, readonly=True)
            # restricted passages are few; anonymous queries drop them from each ranking
            self.restricted_ids = frozenset(r[0] for r in self.con.execute("SELECT rowid FROM chunks WHERE restricted=1"))
        except sqlite3.Error as exc:
            raise IndexCorrupt(gen, f"{DB} is damaged ({exc}); {FIX}") from None
        self.vectors = load_vectors(gen)
        self.lock = threading.Lock()  # one sqlite connection shared by request threads
        try:
            self.lexical = open_lexical(gen, self.con)
        except sqlite3.Error as exc:
            raise IndexCorrupt(gen, f"{DB} is damaged ({exc}); {FIX}") from None

    @classmethod
    def open(cls, index_dir: str | Path, embedder: Embedder | None = None, model: str | None = None) -> "Index":
        """Open the live generation; ``model`` (or the embedder's id) must match the manifest."""
        index_dir = Path(index_dir)
        gen = current_generation(index_dir)
        if gen is None:
            raise IndexNotFound(index_dir)
        manifest = read_manifest(index_dir)
        built = manifest["model_id"]
        if embedder is None:
            wanted = resolve_embedder_name(model) if model else built
            if wanted != built:
                raise ModelMismatch(index_dir, built, wanted)
            embedder = get_embedder(built)
        elif embedder.model_id != built:
            raise ModelMismatch(index_dir, built, embedder.model_id)
        if manifest.get("schema_version") != store.SCHEMA_VERSION:
            raise IndexCorrupt(index_dir, f"schema version {manifest.get('schema_version')} is not "
                                          f"{store.SCHEMA_VERSION}; rebuild the index")
        return cls(index_dir, gen, manifest, embedder)

    def is_stale(self) -> bool:
        return current_generation(self.index_dir) != self.gen

    def query_vector(self, text: str) -> np.ndarray:
        """The query embedding of ``text``, computed once: retrieval, sentence boosts and
        abstention in one request all reuse it (the last 256 questions are kept)."""
        with self.lock:
            cache = self.__dict__.setdefault("_query_vectors", {})
            v = cache.get(text)
        if v is None:
            v = self.embedder.embed_batch([text], kind="query")[0]
            with self.lock:
                if len(cache) > 256:
                    cache.clear()
                cache[text] = v
        return v

    def close(self) -> None:
        self.con.close()

    @property
    def count(self) -> int:
        return self.vectors.count()


# ------------------------------------------------------------------ writing

@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_reused: int = 0
    chunks_journaled: int = 0  # new vectors a killed earlier run had already computed
    journaled_hashes: set[str] = field(default_factory=set)
    generation: str | None = None
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def wrote(self) -> bool:
        return self.generation is not None


def unit_sha256(unit: Path) -> str:
    """The content hash of a unit, computed from raw bytes without parsing (as parse_path does)."""
    digests = [hashlib.sha256(f.read_bytes()).hexdigest() for f in unit_files(unit)]
    meta = (unit if unit.is_dir() else unit.parent) / "meeting.json"
    if meta.is_file():  # editing the metadata changes the unit too
        digests.append(hashlib.sha256(meta.read_bytes()).hexdigest())
    return hashlib.sha256("".join(digests).encode()).hexdigest()


def update_index(
    index_dir: str | Path,
    units: list[tuple[Path, Path]],
    embedder: Embedder,
    *,
    max_words: int = 180,
    overlap_words: int = 20,
    vector_kind: str = "flat",
    prune: bool = False,
    restricted: Callable[[object], set[str]] | None = None,
    progress: Callable[[str, int], None] | None = None,
    batch_size: int = 64,
) -> IndexReport:
    """Add new or changed units, optionally drop units no longer given, and swap in the result.

    ``units`` are (unit path, root) pairs: a pack file or a meeting folder, and the folder
    that stored paths are relative to. ``restricted(parsed, root) -> document ids`` marks private papers.
    """
    t0 = time.perf_counter()
    index_dir = Path(index_dir)
    report = IndexReport()
    with _Lock(index_dir):
        old_gen = current_generation(index_dir)
        _remove_abandoned(index_dir, old_gen)
        damage = damaged(old_gen) if old_gen else None
        if damage:  # build afresh from the papers given; the damaged generation is left as it was
            report.warnings.append(f"{old_gen / damage[0]} is damaged ({damage[1]}); building a new generation "
                                   "from the papers given")
            old_gen = None
        old = json.loads((old_gen / MANIFEST).read_text()) if old_gen else None
        chunker_cfg = {"max_words": max_words, "overlap_words": overlap_words, "splitter": CHUNKER_VERSION,
                       "reader": READER_VERSION, "privacy": PRIVACY_VERSION}
        rebuild = False
        if old is not None:
            if old["model_id"] != embedder.model_id:
                raise ModelMismatch(index_dir, old["model_id"], embedder.model_id)
            rebuild = old.get("chunker") != chunker_cfg or old.get("schema_version") != store.SCHEMA_VERSION
            if rebuild:
                log.info("chunker settings or schema changed: re-reading every file")
        known: dict[str, dict] = {} if (old is None or rebuild) else dict(old["units"])
        by_sha = {v["sha256"]: k for k, v in known.items()}

        todo: list[tuple[Path, Path, str, str]] = []
        given: set[str] = {_display(unit, root) for unit, root in units}
        for unit, root in units:
            key = _display(unit, root)
            try:
                sha = unit_sha256(unit)
            except OSError as exc:
                report.errors.append(ParseError(unit, f"cannot read ({exc.strerror})"))
                continue
            if key in known and known[key]["sha256"] == sha:
                report.unchanged.append(key)
                continue
            twin = by_sha.get(sha)
            # the same bytes under another name: a copy, unless the old name is being pruned (a move)
            if twin is not None and twin != key and (twin in given or not prune):
                report.errors.append(ParseError(unit, f"same content as already-indexed {twin}; not indexed twice"))
                continue
            todo.append((unit, root, key, sha))
        stale = sorted(set(known) - given) if prune else []
        if rebuild and old is not None:
            stale = sorted(set(old["units"]) - {k for _, _, k, _ in todo})
        if not todo and not stale and old_gen is not None and not rebuild:
            report.seconds = time.perf_counter() - t0
            return report

        # parse and chunk first: a file that fails changes nothing in the index
        parsed = []
        first_of: dict[str, str] = {}  # sha -> the first unit of this run that read well
        for unit, root, key, sha in todo:
            if sha in first_of:
                report.errors.append(ParseError(unit, f"same content as {first_of[sha]}; not indexed twice"))
                continue
            try:
                ps = parse_path(unit, root=root)
            except ParseError as exc:
                report.errors.append(exc)
                continue
            first_of[sha] = key
            ps = mark_restricted(ps, root)  # exempt items and documents, whatever the caller passes
            report.warnings.extend(ps.warnings)
            chunks = chunk_source(ps, max_words=max_words, overlap_words=overlap_words)
            parsed.append((ps, key, sha, chunks, restricted(ps, root) if restricted else set()))
            if progress:
                progress("documents", 1)
        if not parsed and not stale and old_gen is not None:
            report.seconds = time.perf_counter() - t0
            return report

        new_gen = index_dir / f"gen-{_next_gen_number(index_dir):06d}"
        new_gen.mkdir()
        con = sqlite3.connect(new_gen / DB)
        if old_gen is not None and not rebuild:
            src = sqlite3.connect(f"file:{old_gen / DB}?mode=ro", uri=True)
            src.backup(con)
            src.close()
            if store.drop_legacy_fts(con):  # written by an older version: a fifth of the file, unread
                con.execute("VACUUM")
                log.info("%s: dropped the unused FTS5 table of an older index version", new_gen)
            vectors = VectorIndex.load(old_gen / VECTORS)
        else:
            vectors = VectorIndex.build(embedder.dim, kind=vector_kind)
        con.executescript(store.SCHEMA)
        con.row_factory = sqlite3.Row
        # vectors already computed, by the hash of the text embedded: this generation's, and
        # on a rebuild the previous generation's, so each chunk is embedded once
        caches = [(con, vectors)]
        if rebuild and old_gen is not None and old.get("model_id") == embedder.model_id:
            try:
                caches.append((store.connect(old_gen / DB, readonly=True), VectorIndex.load(old_gen / VECTORS)))
            except (sqlite3.Error, CouncilError) as exc:
                log.warning("previous generation unusable as an embedding cache: %s", exc)

        for key in stale:
            vectors.remove(np.array(store.delete_unit(con, key), dtype=np.int64))
            report.removed.append(key)
        next_id = (con.execute("SELECT COALESCE(MAX(rowid), 0) FROM chunks").fetchone()[0] or 0) + 1
        first_new_id = next_id
        # only new units on a kept generation: the word statistics can start from the stored ones
        only_added = old_gen is not None and not rebuild and not stale and all(p[1] not in known for p in parsed)
        # every new text of the run is embedded first (on a Ray cluster, all at once), journalled
        # as it goes so that a killed run resumes; each text once, however many chunks share it
        hashed = [[hashlib.sha256(c.embed_text.encode()).hexdigest() for c in p[3]] for p in parsed]
        texts = {h: c.embed_text for p, hs in zip(parsed, hashed) for c, h in zip(p[3], hs)}
        journal = EmbeddingCache(index_dir, embedder.model_id, embedder.dim)  # survives a crash of this run
        found, embedded = embed_new(caches, texts, embedder, journal, report, progress, batch_size)
        for (ps, key, sha, chunks, private), hashes in zip(parsed, hashed):
            vecs = _vectors_for(chunks, hashes, found, embedded, report, embedder.dim)
            old_ids = store.delete_unit(con, key)
            ids = list(range(next_id, next_id + len(chunks)))
            next_id += len(chunks)
            report.warnings.extend(store.insert_unit(con, ps, chunks, ids, hashes, private))
            kept = {r[0] for r in con.execute("SELECT rowid FROM chunks WHERE unit=?", (key,))}
            if old_ids:
                vectors.remove(np.array(old_ids, dtype=np.int64))
            mask = [i in kept for i in ids]
            if any(mask):
                vectors.add(np.array([i for i, m in zip(ids, mask) if m], dtype=np.int64), vecs[np.array(mask)])
            (report.changed if key in known else report.added).append(key)
            known[key] = {"sha256": sha, "root": str(Path(root_of(units, key)).resolve()),
                          "chunks": len(chunks), "documents": [d.id for d in ps.documents]}
        for key in stale:
            known.pop(key, None)
        added = ([r[0] for r in con.execute("SELECT text FROM chunks WHERE rowid >= ?", (first_new_id,))]
                 if only_added else None)
        report.warnings.extend(rebuild_tracker(con, added=added))  # follow-ups cross files: rebuilt whole
        con.commit()
        # BM25 is rescored whole (its statistics change with every chunk), re-tokenising only new chunks
        build_lexical(con, previous=old_gen / LEXICAL if old_gen is not None and not rebuild else None
                      ).save(new_gen / LEXICAL)
        con.close()
        for cache_con, _ in caches[1:]:
            cache_con.close()
        vectors.save(new_gen / VECTORS)
        files = {name: file_facts(new_gen / name) for name in CHECKED_FILES}
        manifest = {
            "schema_version": store.SCHEMA_VERSION, "model_id": embedder.model_id, "dim": embedder.dim,
            "normaliser": "l2", "chunker": chunker_cfg, "vector_index": {"kind": vectors.kind},
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "chunks": vectors.count(), "units": known, "files": files,
        }
        (new_gen / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        for f in [*new_gen.iterdir(), *(new_gen / LEXICAL).iterdir()]:
            if f.is_file():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        _fsync_dir(new_gen / LEXICAL)
        _fsync_dir(new_gen)
        tmp = index_dir / "CURRENT.tmp"
        tmp.write_text(new_gen.name)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, index_dir / "CURRENT")  # the atomic swap
        _fsync_dir(index_dir)
        journal.clear()  # all it held is in the live generation now
        journal.close()
        _remove_old(index_dir, new_gen)
        report.generation = new_gen.name
    report.seconds = time.perf_counter() - t0
    return report


def root_of(units: list[tuple[Path, Path]], key: str) -> Path:
    for unit, root in units:
        if _display(unit, root) == key:
            return root
    return Path(".")


def _vectors_for(chunks: list[Chunk], hashes: list[str], vectors: dict[str, np.ndarray],
                 embedded: set[str], report: IndexReport, dim: int) -> np.ndarray:
    """Each chunk's vector (``embed_new`` found or computed them all). A text embedded now counts
    as embedded in the first unit that holds it and as reused after that; one an interrupted
    run had journalled counts as reused, and as journalled."""
    out = np.zeros((len(chunks), dim), dtype=np.float32)
    counted = 0
    for i, h in enumerate(hashes):
        out[i] = vectors[h]
        counted += h in embedded
        report.chunks_journaled += h in report.journaled_hashes
    report.journaled_hashes -= set(hashes)
    embedded -= set(hashes)
    report.chunks_embedded += counted
    report.chunks_reused += len(chunks) - counted
    return out

