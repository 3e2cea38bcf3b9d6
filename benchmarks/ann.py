"""Approximate vector search at 100k chunks: recall of HNSW and IVF against exact flat search
over the same vectors, for the benchmark queries, and the time each saves.

The vectors are those of the 100k Limerick index (``benchmarks/bigindex.py``); HNSW and IVF
are built from them with the project's ``VectorIndex`` defaults (and a sweep of the one
search-time knob each has). Recall@k = |approximate top-k ∩ exact top-k| / k, averaged over
the queries; k=10 is what a user sees and k=100 is what hybrid search takes from the dense
side before fusion. The end-to-end row swaps each vector index into the same opened ``Index``
and times ``search()``.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from common import QUERIES, Stats, fmt_ms, say, start_clock, table, write_result


def recall(approx: np.ndarray, exact: np.ndarray, k: int) -> float:
    return float(np.mean([len(set(a[:k]) & set(e[:k])) / k for a, e in zip(approx, exact)]))


def time_searches(vi, qvs: np.ndarray, k: int, passes: int) -> tuple[Stats, np.ndarray]:
    vals, labels = [], []
    for p in range(passes):
        for q in qvs:
            t = time.perf_counter()
            _, ids = vi.search(q, k)
            vals.append((time.perf_counter() - t) * 1000)
            if p == 0:
                labels.append(ids)
    return Stats.of(vals), np.array(labels)


def run(quick: bool, command: str, n: int | None = None) -> dict:
    import bigindex
    from indexer.embed.embedder import get_embedder
    from indexer.store.index import Index
    from indexer.retrieve.search import RetrievalConfig, search
    from indexer.common.settings import Settings
    from indexer.store.vectors import VectorIndex

    started = start_clock()
    logging.getLogger("indexer").setLevel(logging.ERROR)
    n = n or (10_000 if quick else 100_000)
    passes = 2 if quick else 5
    embedder = get_embedder("all-MiniLM-L6-v2")
    sample = bigindex.real_sample(embedder=embedder)
    cfg = RetrievalConfig.from_settings(Settings())  # what `council serve` uses
    index = Index.open(bigindex.cached_index(n, sample), embedder=embedder)
    flat = index.vectors
    ids = flat.ids()
    vectors = flat.vectors_for(ids)
    qvs = embedder.embed_batch(list(QUERIES), kind="query")

    say(f"ann: building hnsw and ivf over {n} vectors")
    t = time.perf_counter()
    hnsw = VectorIndex.build(flat.dim, "hnsw", ids=ids, vectors=vectors)
    hnsw_build = time.perf_counter() - t
    t = time.perf_counter()
    ivf = VectorIndex.build(flat.dim, "ivf", ids=ids, vectors=vectors)
    ivf_build = time.perf_counter() - t

    exact = {}
    rows = []
    flat_stats = {}
    for k in (10, 100):
        flat_stats[k], exact[k] = time_searches(flat, qvs, k, passes)
    rows.append(("flat (exact)", "", fmt_ms(flat_stats[10].p50), fmt_ms(flat_stats[10].p95),
                 fmt_ms(flat_stats[100].p50), fmt_ms(flat_stats[100].p95), "1.000", "1.000", "", ""))

    def sweep(vi, name, knob, values, apply):
        default = vi.params[knob]
        for v in values:
            apply(vi, v)
            s10, l10 = time_searches(vi, qvs, 10, passes)
            s100, l100 = time_searches(vi, qvs, 100, passes)
            mark = " (default)" if v == default else ""
            rows.append((name, f"{knob}={v}{mark}", fmt_ms(s10.p50), fmt_ms(s10.p95), fmt_ms(s100.p50),
                         fmt_ms(s100.p95), f"{recall(l10, exact[10], 10):.3f}", f"{recall(l100, exact[100], 100):.3f}",
                         fmt_ms(flat_stats[10].p50 - s10.p50), fmt_ms(flat_stats[100].p50 - s100.p50)))
        apply(vi, default)

    def set_ef(vi, v):
        vi.params["ef_search"] = v
        vi._apply_search_params()

    def set_nprobe(vi, v):
        vi.params["nprobe"] = v
        vi._apply_search_params()

    say("ann: sweeping ef_search and nprobe")
    sweep(hnsw, "hnsw m=32", "ef_search", (16, 32, 64, 128, 256), set_ef)
    sweep(ivf, f"ivf nlist={ivf.params['nlist']}", "nprobe", (4, 8, 16, 32, 64), set_nprobe)

    # End to end: the same Index with each vector index swapped in, default parameters. The
    # three are interleaved query by query so that drift in the machine's load falls on all.
    kinds = (("flat", flat), ("hnsw", hnsw), ("ivf", ivf))
    times: dict[str, list[float]] = {name: [] for name, _ in kinds}
    for name, vi in kinds:  # warm-up
        index.vectors = vi
        search(index, QUERIES[0], 10, None, cfg)
    for _ in range(max(1, passes // 2)):
        for q in QUERIES:
            for name, vi in kinds:
                index.vectors = vi
                t = time.perf_counter()
                search(index, q, 10, None, cfg)
                times[name].append((time.perf_counter() - t) * 1000)
    e2e = [(name, fmt_ms(Stats.of(v).p50), fmt_ms(Stats.of(v).p95)) for name, v in times.items()]
    index.vectors = flat
    index.close()

    body = [
        f"How: {n:,} vectors of the Limerick benchmark index (384-dim, inner product), {len(QUERIES)} benchmark",
        f"queries encoded with the real model, each searched {passes} times per setting. Exact top-k from the",
        "flat index is the reference. Times are one FAISS search of one query through `VectorIndex.search`,",
        "in milliseconds; 'saves' is flat p50 minus this p50.",
        "",
        f"- Build: hnsw {hnsw_build:.1f} s (m=32, ef_construction=80); ivf {ivf_build:.1f} s "
        f"(training nlist={ivf.params['nlist']} + adding)",
        "",
        *table(["index", "setting", "k=10 p50", "k=10 p95", "k=100 p50", "k=100 p95", "recall@10", "recall@100",
                "saves @10", "saves @100"], rows),
        "",
        f"## End to end: search() (hybrid, {cfg.fusion} fusion, k=10, {cfg.candidates} candidates) "
        "with each index swapped in (ms)",
        "",
        *table(["vector index", "p50", "p95"], e2e),
        "",
        "Caveat: most vectors of the benchmark index are made from real ones (mixtures plus noise, see",
        "`benchmarks/bigindex.py`), not embedded text; recall on a fully real 100k collection may differ.",
    ]
    write_result("ann", "Approximate vector search", command, body, started=started)
    return {"rows": rows, "e2e": e2e}
