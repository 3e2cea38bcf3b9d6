"""Build the scale benchmark's indexes (100k and 1M passages) in a process of their own.

    python benchmarks/scale_build.py 1000000     # flat, then an hnsw twin sharing its files

Run by ``scale.py`` (or by hand, in the background: the 1M build takes most of an hour on two
shared cores). Each build runs in a fresh process so its peak RSS is the build's own; the
figures go to ``.cache/bench/scale-build-<n>.json`` for ``scale.py`` to report.

Vectors: ``hash-384``, the hash embedder at MiniLM's dimension (see bigindex.py: a sample of
5,000 real texts is hashed, every other passage's vector is made from them), so the FAISS side
is as large as a real index's and serving encodes queries with the same hash embedder. The
text, SQLite and BM25 sides are the real Limerick passages, repeated as replicas.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

import numpy as np

import bigindex
from common import CACHE, say

MODEL = "hash-384"


def hnsw_twin(flat_dir: Path) -> tuple[Path, float]:
    """A copy of a flat index whose vectors.faiss is HNSW (other files hard-linked); seconds to build."""
    from indexer.store import index as ix
    from indexer.store.vectors import VectorIndex

    twin = flat_dir.with_name(flat_dir.name.replace("-flat", "-hnsw"))
    if twin.exists():
        shutil.rmtree(twin)
    src = ix.current_generation(flat_dir)
    gen = twin / src.name
    shutil.copytree(src, gen, copy_function=os.link, ignore=shutil.ignore_patterns(ix.VECTORS + "*"))
    (twin / "CURRENT").write_text(src.name)
    flat = VectorIndex.load(src / ix.VECTORS)
    ids = flat.ids()
    vecs = flat.vectors_for(ids)
    del flat
    t = time.perf_counter()
    hnsw = VectorIndex.build(vecs.shape[1], kind="hnsw", ids=ids, vectors=vecs)
    seconds = time.perf_counter() - t
    hnsw.save(gen / ix.VECTORS)
    manifest = json.loads((src / ix.MANIFEST).read_text())
    manifest["vector_index"] = {"kind": "hnsw"}
    (gen / ix.MANIFEST).unlink()  # a hard link to the flat twin's: write a file of its own
    (gen / ix.MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return twin, seconds


def main(n: int) -> None:
    import faiss

    t0 = time.perf_counter()
    sample = bigindex.real_sample(model=MODEL)
    t_sample = time.perf_counter() - t0
    flat = bigindex.cached_index(n, sample, kind="flat")
    rss_flat = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    manifest = json.loads((bigindex.generation_dir(flat) / "manifest.json").read_text())
    t_flat = time.perf_counter() - t0
    faiss.omp_set_num_threads(2)  # building the graph is the one place both cores help
    twin, t_hnsw = hnsw_twin(flat)
    out = {
        "n": n, "model": MODEL, "flat_dir": str(flat), "hnsw_dir": str(twin),
        "sample_seconds": round(t_sample, 1), "flat_seconds": round(t_flat, 1),
        "timings": manifest.get("benchmark", {}).get("timings", {}),
        "hnsw_build_seconds": round(t_hnsw, 1),
        "peak_rss_flat_build": rss_flat,
        "peak_rss_with_hnsw": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "load_end": os.getloadavg(),
    }
    (CACHE / f"scale-build-{n}.json").write_text(json.dumps(out, indent=1))
    say(f"scale build {n}: {json.dumps(out)}")


if __name__ == "__main__":
    main(int(sys.argv[1]))
