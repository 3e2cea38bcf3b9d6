"""Build large benchmark indexes (1k to 100k chunks) from Limerick's real meeting papers.

The text is real; most vectors are not, because embedding 100k chunks with MiniLM on two
slow cores would take many hours. How an index is made, and why it is structurally
identical to one ``council index`` writes:

1. **Text.** Each meeting folder of ``/work/shared/limerick/meetings`` (read in place, never
   copied) becomes one unit, like a ModernGov meeting folder. Its ``.md`` files are read by the
   project's own ``load_source``. The project's reader expects English ModernGov packs, so the
   structure is found by a simple rule instead: a line that starts with a bold number
   (``**12.**``) opens an item whose title is the rest of that line or the next line. A minutes
   file becomes one minutes document with ``minute`` items; any other file becomes one
   document per section with ``agenda`` items. These are ordinary ``ParsedSource`` objects,
   chunked by the real ``chunk_source`` (180 words, 20 overlap) and written by the real
   ``store.insert_unit`` into the real schema (FTS5 included), with ``rebuild_tracker``, a
   ``VectorIndex`` with SQLite rowids as FAISS ids, the same manifest keys and a ``CURRENT``
   pointer, so ``Index.open`` and ``search`` cannot tell it apart.
2. **Size.** The corpus gives about 23k chunks. Larger collections repeat it as *replicas*:
   replica r > 0 gives every committee the suffix ``(replica r)``, so meeting, item, chunk
   and document ids are new while the text is the same. The FTS side therefore holds 100k
   real chunks whose term statistics are those of the corpus, each text present up to 5 times.
   Folders are taken in a fixed shuffled order, so a 1k or 10k index spans all years and
   committees; the last unit is cut to make the count exact.
3. **Vectors.** ``SAMPLE`` chunks spread evenly through replica 0 are embedded with the real
   all-MiniLM-L6-v2 once and cached under ``.cache/bench``. A sampled chunk of replica 0 gets its
   real vector. Every other chunk gets a vector made from real ones: the sample vector nearest
   to it in corpus order (same meeting or a neighbour, so similar topic), plus 0.35 of a random
   sample vector and a little Gaussian noise, re-normalised. All vectors stay in the region
   of the space MiniLM actually uses, and no two are identical.

Built indexes are cached under ``.cache/bench/indexes`` and rebuilt when this module's
``BUILD_VERSION``, the store's schema version, the sampled texts or the corpus change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from common import CACHE, LIMERICK, say

BUILD_VERSION = "limerick-v1"
SAMPLE = 5000  # chunks embedded with the real model
MIX = 0.35
NOISE = 0.02
SEED = 20240607
COUNCIL_NAME = "Limerick City and County Council"

_FOLDER = re.compile(r"^(\d{2})-(.+)$")
_ITEM = re.compile(r"^\*\*\s*(\d{1,3})\s*\.\s*\**\s*(.*)$", re.M)


@dataclass(frozen=True)
class Folder:
    path: Path
    committee: str
    date: date
    files: tuple[Path, ...]


def limerick_folders(root: Path = LIMERICK) -> list[Folder]:
    """Every meeting folder with at least one document, in a fixed shuffled order."""
    out = []
    for year in sorted(p for p in root.iterdir() if p.is_dir()):
        for month in sorted(p for p in year.iterdir() if p.is_dir()):
            for folder in sorted(p for p in month.iterdir() if p.is_dir()):
                m = _FOLDER.match(folder.name)
                if not m:
                    continue
                try:
                    when = date(int(year.name), int(month.name), int(m.group(1)))
                except ValueError:
                    continue
                files = tuple(sorted(f for f in folder.iterdir()
                                     if f.suffix == ".md" and f.name != "README.md" and f.is_file()))
                if files:
                    out.append(Folder(folder, " ".join(m.group(2).split()), when, files))
    random.Random(SEED).shuffle(out)
    return out


def _clean_title(s: str) -> str:
    return " ".join(s.replace("*", " ").split()).strip(" –-:") or "Untitled"


def _sections(text: str) -> list[tuple[str | None, str, int, int]]:
    """(number, title, start, end) of each item; text before the first numbered line is item 0."""
    marks = list(_ITEM.finditer(text))
    out = []
    if not marks or text[:marks[0].start()].strip():
        out.append((None, "", 0, marks[0].start() if marks else len(text)))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        title = m.group(2) if _clean_title(m.group(2)) != "Untitled" else \
            text[m.end():end].lstrip().split("\n", 1)[0]  # "**12.**" alone: the title is the next line
        out.append((m.group(1), _clean_title(title)[:200], m.start(), end))
    return out


def parsed_folder(folder: Folder, replica: int):
    """One meeting folder as a ParsedSource (see the module docstring for the rules)."""
    from indexer.common.models import Document, Item, Meeting, ParsedSource, slugify
    from indexer.structure.reader import meeting_id
    from indexer.parse.sources import load_source

    committee = folder.committee if replica == 0 else f"{folder.committee} (replica {replica})"
    prefix = "" if replica == 0 else f"replica-{replica}/"
    rel = folder.path.relative_to(LIMERICK)
    meeting = Meeting(meeting_id(committee, folder.date), committee, folder.date, COUNCIL_NAME)
    sources, documents, items = [], [], []
    taken: set[str] = set()
    for fi, f in enumerate(folder.files):
        src = load_source(f, f"{prefix}{rel}/{f.name}")
        sources.append(src)
        stem = f"{fi}-{slugify(f.stem)[:60]}"  # the ordinal keeps ids unique when long names share a start
        is_minutes = f.name.lower().startswith("minutes")
        secs = _sections(src.text)
        if is_minutes:
            doc = Document(f"{meeting.id}/{stem}/0-minutes", meeting.id, meeting.id, "minutes",
                           _clean_title(f.stem), src.path, (0, len(src.text)))
            documents.append(doc)
        for n, (number, title, a, b) in enumerate(secs):
            if not src.text[a:b].strip():
                continue
            kind = "minute" if is_minutes else "agenda"
            base = f"{meeting.id}/{stem}/{kind}-{number or 'front'}"
            iid, k = base, 2
            while iid in taken:
                iid, k = f"{base}~{k}", k + 1
            taken.add(iid)
            if is_minutes:
                doc_ids = (documents[-1].id,)
            else:
                doc_type = "agenda" if f.name.lower().startswith("agenda") else "report"
                doc = Document(f"{meeting.id}/{stem}/{n}-{doc_type}", meeting.id, meeting.id, doc_type,
                               title or _clean_title(f.stem), src.path, (a, b))
                documents.append(doc)
                doc_ids = (doc.id,)
            items.append(Item(iid, meeting.id, kind, number, title or _clean_title(f.stem), src.text[a:b],
                              (a, b), src.path, doc_ids, order=len(items)))
    digest = hashlib.sha256("".join(s.sha256 for s in sources).encode()).hexdigest()
    if replica:
        digest = hashlib.sha256(f"{digest}/{replica}".encode()).hexdigest()
    return ParsedSource(f"{prefix}{rel}", digest, tuple(sources), (meeting,), tuple(documents), tuple(items))


def iter_units(max_chunks: int | None = None, replicas: int = 100) -> Iterator[tuple[int, int, object, list]]:
    """(replica, position of the unit's first chunk in its replica, ParsedSource, chunks)."""
    from indexer.chunk.chunker import chunk_source

    folders = limerick_folders()
    total = 0
    for r in range(replicas):
        pos = 0
        for folder in folders:
            ps = parsed_folder(folder, r)
            chunks = chunk_source(ps)
            if max_chunks is not None and total + len(chunks) > max_chunks:
                chunks = chunks[:max_chunks - total]
            if chunks:
                yield r, pos, ps, chunks
            pos += len(chunks)
            total += len(chunks)
            if max_chunks is not None and total >= max_chunks:
                return
        if max_chunks is None:
            return


# ------------------------------------------------------------------ vectors

def _quiet() -> None:
    # The chunker logs a warning for each region it has to cut by words; a benchmark does not
    # need thousands of them.
    logging.getLogger("indexer").setLevel(logging.ERROR)


def replica_texts() -> list[str]:
    """embed_text of every chunk of replica 0, in order."""
    _quiet()
    return [c.embed_text for _, _, _, chunks in iter_units(replicas=1) for c in chunks]


@dataclass
class Sample:
    positions: np.ndarray  # chunk positions in replica 0 that were embedded
    vectors: np.ndarray  # (SAMPLE, dim) real MiniLM vectors
    per_replica: int  # chunks in one replica
    key: str  # changes when the sampled texts change
    model_id: str = "all-MiniLM-L6-v2"  # the embedder the sample came from (the index's manifest model)


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def real_sample(n: int = SAMPLE, embedder=None, model: str = "all-MiniLM-L6-v2") -> Sample:
    """The real vectors of ``n`` evenly spread chunks of replica 0.

    Vectors are cached by the hash of the embedded text in ``.cache/bench/limerick-minilm.npz``,
    so a change to the chunker re-embeds only the texts that changed. Progress is saved every
    256 texts; an interrupted run resumes."""
    texts = replica_texts()
    positions = np.unique(np.linspace(0, len(texts) - 1, n).round().astype(np.int64))
    chosen = [texts[i] for i in positions]
    keys = [_text_key(t) for t in chosen]
    key = hashlib.sha256("".join(keys).encode()).hexdigest()[:12]
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "limerick-minilm.npz"
    if model != "all-MiniLM-L6-v2":  # e.g. hash-384: the scale benchmark's vectors, no model
        key = f"{model}-{key}"
        path = CACHE / f"limerick-{model}.npz"
    cache: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path) as z:
            cache = dict(zip(z["keys"].tolist(), z["vectors"]))
    todo = [i for i, k in enumerate(keys) if k not in cache]
    if todo:
        if embedder is None:
            from indexer.embed.embedder import get_embedder

            embedder = get_embedder(model)
        say(f"embedding {len(todo)} of {len(chosen)} sampled Limerick chunks with the real model "
            f"(the rest are cached)")
        t0 = time.perf_counter()
        step = 256
        for s in range(0, len(todo), step):
            part = todo[s:s + step]
            for i, v in zip(part, embedder.embed_batch([chosen[i] for i in part], kind="passage")):
                cache[keys[i]] = v
            _save_cache(path, cache)
            done = min(s + step, len(todo))
            say(f"  {done}/{len(todo)} embedded ({done / (time.perf_counter() - t0):.1f} chunks/s)")
    return Sample(positions, np.stack([cache[k] for k in keys]).astype(np.float32), len(texts), key, model)


def _save_cache(path: Path, cache: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())))
    tmp.replace(path)


def vectors_for(sample: Sample, replica: int, first: int, count: int) -> np.ndarray:
    """Vectors for chunks ``first .. first+count-1`` of a replica (deterministic)."""
    from indexer.embed.base import normalise_rows

    pos = np.arange(first, first + count)
    nearest = np.clip(np.searchsorted(sample.positions, pos), 0, len(sample.positions) - 1)
    rng = np.random.default_rng([SEED, replica, first])
    partner = rng.integers(0, len(sample.vectors), size=count)
    out = sample.vectors[nearest] + MIX * sample.vectors[partner]
    out += rng.normal(0.0, NOISE, size=out.shape).astype(np.float32)
    out = normalise_rows(out)
    if replica == 0:  # the sampled chunks keep their real vectors
        exact = sample.positions[nearest] == pos
        out[exact] = sample.vectors[nearest[exact]]
    return out.astype(np.float32)


# ------------------------------------------------------------------ writing an index

def build_index(index_dir: Path, n_chunks: int, sample: Sample, *, model_id: str | None = None,
                dim: int | None = None, kind: str = "flat") -> dict:
    """Write one generation of exactly ``n_chunks`` chunks into a fresh ``index_dir``."""
    from indexer.chunk import chunker
    from indexer.store import index as ix
    from indexer.store import metadata as store
    from indexer.store.tracker import rebuild_tracker
    from indexer.store.vectors import VectorIndex

    _quiet()
    model_id = model_id or sample.model_id
    dim = dim or int(sample.vectors.shape[1])
    if index_dir.exists():
        shutil.rmtree(index_dir)
    gen = index_dir / "gen-000001"
    gen.mkdir(parents=True)
    con = sqlite3.connect(gen / ix.DB)
    con.executescript(store.SCHEMA)
    con.row_factory = sqlite3.Row
    ids_all, vec_parts, units = [], [], {}
    next_id = 1
    t0 = time.perf_counter()
    # seconds per step: "vectors" stands in for embedding; the rest is what an index build costs
    timings = dict.fromkeys(("read_chunk", "sqlite", "vectors", "tracker", "lexical", "faiss"), 0.0)
    units_iter = iter_units(n_chunks)
    while True:
        t = time.perf_counter()
        try:
            replica, first, ps, chunks = next(units_iter)
        except StopIteration:
            break
        timings["read_chunk"] += time.perf_counter() - t
        t = time.perf_counter()
        hashes = [hashlib.sha256(c.embed_text.encode()).hexdigest() for c in chunks]
        ids = list(range(next_id, next_id + len(chunks)))
        warnings = store.insert_unit(con, ps, chunks, ids, hashes, set())
        timings["sqlite"] += time.perf_counter() - t
        if warnings:
            raise RuntimeError(f"{ps.path}: {warnings[:3]}")
        next_id += len(chunks)
        ids_all += ids
        t = time.perf_counter()
        vec_parts.append(vectors_for(sample, replica, first, len(chunks)))
        timings["vectors"] += time.perf_counter() - t
        units[ps.path] = {"sha256": ps.sha256, "root": str(LIMERICK), "chunks": len(chunks),
                          "documents": [d.id for d in ps.documents]}
        if len(ids_all) % 10000 < len(chunks):
            say(f"  {len(ids_all)}/{n_chunks} chunks written ({time.perf_counter() - t0:.0f} s)")
    t = time.perf_counter()
    rebuild_tracker(con)
    con.commit()
    timings["tracker"] = time.perf_counter() - t
    t = time.perf_counter()
    ix.build_lexical(con).save(gen / ix.LEXICAL)  # as update_index does
    con.close()
    timings["lexical"] = time.perf_counter() - t
    t = time.perf_counter()
    vectors = np.concatenate(vec_parts)
    del vec_parts
    if kind == "flat":
        vi = VectorIndex.build(dim, kind="flat")
        vi.add(np.array(ids_all, dtype=np.int64), vectors)
    else:
        vi = VectorIndex.build(dim, kind=kind, ids=np.array(ids_all, dtype=np.int64), vectors=vectors)
    vi.save(gen / ix.VECTORS)
    timings["faiss"] = time.perf_counter() - t
    manifest = {
        "schema_version": store.SCHEMA_VERSION, "model_id": model_id, "dim": dim, "normaliser": "l2",
        "chunker": {"max_words": 180, "overlap_words": 20, "splitter": chunker.VERSION,
                    "reader": f"benchmark-{BUILD_VERSION}"},
        "vector_index": {"kind": vi.kind}, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "chunks": vi.count(), "units": units,
        "benchmark": {"builder": BUILD_VERSION, "sample": sample.key, "see": "benchmarks/bigindex.py",
                      "timings": {k: round(v, 2) for k, v in timings.items()}},
    }
    (gen / ix.MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    (index_dir / "CURRENT").write_text(gen.name)
    return manifest


def cached_index(n_chunks: int, sample: Sample, kind: str = "flat") -> Path:
    """A built index of ``n_chunks`` under .cache/bench/indexes, built if missing or stale."""
    from indexer.store.metadata import SCHEMA_VERSION, drop_legacy_fts

    stamp_value = f"{BUILD_VERSION}/{SCHEMA_VERSION}/{sample.key}/{sample.per_replica}/{n_chunks}/{kind}"
    model = "" if sample.model_id == "all-MiniLM-L6-v2" else f"-{sample.model_id}"
    index_dir = CACHE / "indexes" / f"limerick-{n_chunks}-{kind}{model}"
    stamp = index_dir / "BENCH_STAMP"
    if stamp.is_file() and stamp.read_text() == stamp_value and (index_dir / "CURRENT").is_file():
        gen = generation_dir(index_dir)
        # built before BM25 moved to bm25s, or by an older lexical format: (re)build it now, as
        # Index.open would, so that no timed process pays for it
        from indexer.store import index as ix
        from indexer.store.metadata import connect

        con = connect(gen / ix.DB, readonly=True)
        try:
            ix.open_lexical(gen, con)
        finally:
            con.close()
        # built when indexes still carried an FTS5 copy of the chunks: drop it, as the next
        # update_index would, so that the memory benchmark measures what an index holds now
        con = sqlite3.connect(gen / ix.DB)
        try:
            if drop_legacy_fts(con):
                say(f"{index_dir.name}: dropping its unused FTS5 table (VACUUM)")
                con.execute("VACUUM")
        finally:
            con.close()
        return index_dir
    say(f"building a {n_chunks}-chunk {kind} index in {index_dir}")
    t = time.perf_counter()
    build_index(index_dir, n_chunks, sample, kind=kind)
    stamp.write_text(stamp_value)
    say(f"built in {time.perf_counter() - t:.0f} s")
    return index_dir


def generation_dir(index_dir: Path) -> Path:
    from indexer.store.index import current_generation

    return current_generation(index_dir)


def generation_files(index_dir: Path) -> dict[str, int]:
    """Bytes of each file of the live generation; a directory (the BM25 index) counts as one entry."""
    gen = generation_dir(index_dir)
    return {p.name: (p.stat().st_size if p.is_file() else sum(f.stat().st_size for f in p.rglob("*") if f.is_file()))
            for p in sorted(gen.iterdir())}
