"""Query latency at 1k, 10k and 100k chunks: in-process ``search()`` (hybrid, no rerank), over
HTTP (``GET /search`` against ``council serve`` in a subprocess), and the raw floor (query
encode + FAISS search alone: no SQL, no BM25, no fusion).

Each query of ``common.QUERIES`` runs once to warm up, then ``passes`` times; percentiles are
over all timed runs. A stage breakdown times each step of ``search()`` separately on the same
queries, so a slow step shows as itself (see the table "where the time goes").

Targets: HTTP /search p95 <= 50 ms at 100k chunks, and <= 2x the raw floor.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import defaultdict

from common import (
    QUERIES, Stats, council_server, cpu_seconds, fmt_ms, say, serve_available, start_clock, table, write_result,
)

TARGET_P95_MS = 50.0
TARGET_RATIO = 2.0


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


class Clock:
    """Wall and process-CPU milliseconds of each timed block, by name. On a shared machine the
    wall time includes waiting for a core; the CPU time (all threads of this process) does not."""

    def __init__(self) -> None:
        self.wall: dict[str, list[float]] = defaultdict(list)
        self.cpu: dict[str, list[float]] = defaultdict(list)

    @contextlib.contextmanager
    def __call__(self, name: str):
        w, c = time.perf_counter(), time.process_time()
        yield
        self.cpu[name].append((time.process_time() - c) * 1000)
        self.wall[name].append((time.perf_counter() - w) * 1000)


def time_interleaved(index, server, queries, passes: int, cfg, clock: Clock) -> tuple[int, float]:
    """For each query in turn: the raw floor, search() in-process, and GET /search on the server
    (when there is one), so that a change in the machine's load falls on all three alike.
    Returns (HTTP errors, the server's mean CPU ms per request)."""
    import httpx

    from indexer.retrieve.search import search

    n = cfg.candidates
    errors, cpu0, sent = 0, 0.0, 0
    client = httpx.Client(base_url=server.base, timeout=60) if server else None
    try:
        if client:
            for q in queries:  # warm-up
                client.get("/search", params={"q": q, "k": 10})
            cpu0 = cpu_seconds(server.pid)
        for _ in range(passes):
            for q in queries:
                with clock("raw"):
                    qv = index.embedder.embed_batch([q], kind="query")[0]
                    index.vectors.search(qv, n)
                with clock("search"):
                    search(index, q, 10, None, cfg)
                if client:
                    t = time.perf_counter()
                    r = client.get("/search", params={"q": q, "k": 10})
                    clock.wall["http"].append(_ms(t))
                    errors += r.status_code != 200
                    sent += 1
        cpu = (cpu_seconds(server.pid) - cpu0) * 1000 / sent if client and sent else float("nan")
    finally:
        if client:
            client.close()
    return errors, cpu


FILTERED_QUERIES = 6  # a filtered search can take many seconds at 100k


def time_stages(index, queries, cfg) -> Clock:
    """The steps of search() one by one, then search() whole; "rest" is whole minus the steps
    (boosts, the SQL fetch of the final rows, building results), so the table stays right when
    search() changes inside."""
    from indexer.retrieve import search as s
    from indexer.common.results import Filters

    clock = Clock()
    n = max(cfg.candidates, 10)
    steps = ("allowed_ids (no filter given: returns None)", "query encode", "FAISS search",
             "BM25 (bm25s, top 100)", "fusion")
    for q in queries:
        with clock(steps[0]):
            allowed = s.allowed_ids(index, Filters())
        with clock(steps[1]):
            qv = index.embedder.embed_batch([q], kind="query")[0]
        with clock(steps[2]):
            scores, ids = index.vectors.search(qv, n, allowed_ids=allowed)
        dense = [(int(i), float(x)) for x, i in zip(scores, ids) if i >= 0]
        with clock(steps[3]):
            sparse = s.bm25_ranking(index, q, n, allowed)
        with clock(steps[4]):
            fused = s.fuse([(dense, cfg.dense_weight), (sparse, cfg.bm25_weight)], cfg)
        best = sorted(fused, key=lambda c: (-fused[c], c))[:10]
        with clock("SQL fetch of the 10 result rows (passages_by_rowid)"):
            index.passages_by_rowid(best)
        with clock("search() whole"):
            s.search(index, q, 10, None, cfg)
        parts = sum(clock.wall[name][-1] for name in steps)
        parts_cpu = sum(clock.cpu[name][-1] for name in steps)
        clock.wall["rest of search() (whole - steps above)"].append(clock.wall["search() whole"][-1] - parts)
        clock.cpu["rest of search() (whole - steps above)"].append(clock.cpu["search() whole"][-1] - parts_cpu)
    # What-ifs on a few queries: filters turn into an explicit list of allowed ids, and the
    # benchmark indexes hold no restricted (Part B) papers, so withhold 1% of chunks by hand.
    from datetime import date

    what_ifs = {
        "what-if: search() with a committee filter (Newcastle West)": Filters(committee="Newcastle West"),
        "what-if: search() with a date filter (2019)": Filters(date_from=date(2019, 1, 1), date_to=date(2019, 12, 31)),
    }
    for name, f in what_ifs.items():
        for q in queries[:FILTERED_QUERIES]:
            with clock(name):
                s.search(index, q, 10, f, cfg)
    if cfg.sentence_boost:  # the sentence signal is a light re-scoring: what search() costs without it
        plain = cfg.but(sentence_boost=0.0)
        for q in queries:
            with clock("what-if: search() without the sentence signal (COUNCIL_SENTENCE_BOOST=0), all queries"):
                s.search(index, q, 10, None, plain)
    if hasattr(index, "restricted_ids"):
        every = index.vectors.ids()
        saved, index.restricted_ids = index.restricted_ids, frozenset(every[::100].tolist())
        try:
            for q in queries[:FILTERED_QUERIES]:
                with clock("what-if: search() when 1% of chunks are restricted (anonymous user)"):
                    s.search(index, q, 10, None, cfg)
        finally:
            index.restricted_ids = saved
    return clock


def encode_by_threads(embedder, queries, passes: int) -> dict[int, tuple[Stats, Stats]]:
    """Query encode with torch at 1 and at 2 intra-op threads, interleaved query by query:
    {threads: (wall Stats, CPU Stats)}. Restores the thread count it found."""
    import torch

    found = torch.get_num_threads()
    clock = Clock()
    try:
        for _ in range(passes):
            for q in queries:
                for n in (1, 2):
                    torch.set_num_threads(n)
                    with clock(str(n)):
                        embedder.embed_batch([q], kind="query")
    finally:
        torch.set_num_threads(found)
    return {n: (Stats.of(clock.wall[str(n)]), Stats.of(clock.cpu[str(n)])) for n in (1, 2)}


def run(quick: bool, command: str, sizes: tuple[int, ...] | None = None) -> dict:
    import bigindex
    from indexer.embed.embedder import get_embedder
    from indexer.store.index import Index
    from indexer.retrieve.search import RetrievalConfig, search
    from indexer.common.settings import Settings

    started = start_clock()
    logging.getLogger("indexer").setLevel(logging.ERROR)
    sizes = sizes or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    passes = 1 if quick else 3
    queries = list(QUERIES)
    cfg = RetrievalConfig.from_settings(Settings())  # what `council serve` uses
    embedder = get_embedder("all-MiniLM-L6-v2")
    sample = bigindex.real_sample(embedder=embedder)
    http_ok = serve_available()
    if not http_ok:
        say("latency: `council serve` is not available; HTTP figures are skipped")

    rows, cpu_rows, stage_clocks, results = [], [], {}, {}
    say("latency: query encode with 1 and 2 torch threads")
    by_threads = encode_by_threads(embedder, queries, passes)
    for n in sizes:
        index_dir = bigindex.cached_index(n, sample)
        index = Index.open(index_dir, embedder=embedder)
        for q in queries:  # warm: model, SQLite page cache, FAISS
            search(index, q, 10, None, cfg)
        clock = Clock()
        http_err, http_cpu = 0, float("nan")
        if http_ok:
            say(f"latency: {n} chunks: raw floor, search() and HTTP, interleaved")
            with council_server(index_dir) as server:
                http_err, http_cpu = time_interleaved(index, server, queries, passes, cfg, clock)
        else:
            say(f"latency: {n} chunks: raw floor and search(), interleaved")
            time_interleaved(index, None, queries, passes, cfg, clock)
        raw, inproc = Stats.of(clock.wall["raw"]), Stats.of(clock.wall["search"])
        http = Stats.of(clock.wall["http"]) if http_ok else None
        say(f"latency: {n} chunks, each step of search()")
        stage_clocks[n] = time_stages(index, queries, cfg)
        index.close()
        results[n] = {"raw": raw, "inproc": inproc, "http": http, "http_errors": http_err}
        rows.append((
            f"{n:,}", fmt_ms(raw.p50), fmt_ms(raw.p95), fmt_ms(inproc.p50), fmt_ms(inproc.p95),
            fmt_ms(http.p50) if http else "n/a", f"**{fmt_ms(http.p95)}**" if http else "n/a",
            f"{inproc.p95 / raw.p95:.2f}", f"**{http.p95 / raw.p95:.2f}**" if http else "n/a",
            str(http_err) if http else "n/a",
        ))
        raw_cpu, search_cpu = Stats.of(clock.cpu["raw"]), Stats.of(clock.cpu["search"])
        cpu_rows.append((f"{n:,}", fmt_ms(raw_cpu.p50), fmt_ms(raw_cpu.p95), fmt_ms(search_cpu.p50),
                         fmt_ms(search_cpu.p95), fmt_ms(http_cpu), f"{search_cpu.p50 / raw_cpu.p50:.2f}"))
        say(f"  raw p95 {raw.p95:.1f} ms, search p95 {inproc.p95:.1f} ms"
            + (f", HTTP p95 {http.p95:.1f} ms" if http else ""))

    big = results[max(sizes)]
    body = [
        f"How: {len(queries)} councillor queries (`benchmarks/common.py`), each run once to warm up and then "
        f"{passes} time(s); k=10, hybrid (dense + BM25, {cfg.fusion} fusion, the service's settings), "
        f"{cfg.candidates} candidates per retriever, no rerank,",
        "default filters (restricted papers excluded). Indexes are built from the Limerick papers as described",
        "in `benchmarks/bigindex.py` (real text in SQLite/FTS5; vectors real or made from real ones). HTTP is",
        "`GET /search?q=...&k=10` from one httpx client, one request at a time, against `council serve` in its",
        "own process on a free loopback port. Raw floor = query encode + FAISS flat search of 100 alone.",
        "The three are taken query by query in turn (raw, search(), HTTP), so load from other processes",
        "falls on all three alike.",
        "",
        *table(["chunks", "raw p50", "raw p95", "search() p50", "search() p95", "HTTP p50", "HTTP p95",
                "search() p95 / raw p95", "HTTP p95 / raw p95", "HTTP errors"], rows),
        "",
        "Times in milliseconds.",
    ]
    if big["http"] is not None:
        p95 = big["http"].p95
        ratio = p95 / big["raw"].p95
        body += [
            "",
            f"- Target HTTP p95 <= {TARGET_P95_MS:.0f} ms at {max(sizes):,} chunks: "
            f"{'met' if p95 <= TARGET_P95_MS else 'MISSED'} ({fmt_ms(p95)} ms)",
            f"- Target HTTP p95 <= {TARGET_RATIO:.0f}x the raw floor: "
            f"{'met' if ratio <= TARGET_RATIO else 'MISSED'} ({ratio:.2f}x)",
        ]
    body += [
        "",
        "## Query encode with 1 or 2 torch threads (interleaved, ms)",
        "",
        *table(["torch threads", "wall p50", "wall p95", "CPU p50", "CPU p95"],
               [(n, fmt_ms(w.p50), fmt_ms(w.p95), fmt_ms(c.p50), fmt_ms(c.p95)) for n, (w, c) in by_threads.items()]),
        "",
        "With 2 threads each encode is split across both cores by OpenMP; when another process holds a core,",
        "the two threads wait for each other at every layer (see the CPU column: spinning counts as CPU).",
        "",
        "## CPU time per query (ms of process CPU, all threads; excludes waiting for a core)",
        "",
        *table(["chunks", "raw p50", "raw p95", "search() p50", "search() p95", "server CPU per HTTP request (mean)",
                "search() / raw, CPU p50"], cpu_rows),
        "",
        "## Where the time goes: each step of search() timed alone",
        "",
        "Wall p50 / p95, then CPU p50, in ms. The what-if rows run search() whole on the first "
        f"{FILTERED_QUERIES} queries (see `time_stages`).",
        "",
    ]
    names = list(stage_clocks[sizes[0]].wall)
    body += table(["step", *(f"{n:,} chunks" for n in sizes)],
                  [(name, *(f"{fmt_ms(Stats.of(stage_clocks[n].wall[name]).p50)} / "
                            f"{fmt_ms(Stats.of(stage_clocks[n].wall[name]).p95)}; "
                            f"cpu {fmt_ms(Stats.of(stage_clocks[n].cpu[name]).p50)}" for n in sizes))
                   for name in names])
    body += ["", "BM25 is `indexer/lexical.py` (bm25s); `benchmarks/results/lexical.md` compares it with the SQLite",
             "FTS5 ranking it replaced (at 100,000 chunks: 43 / 185 ms p50 / p95 for FTS5)."]
    write_result("latency", "Query latency", command, body, started=started)
    return results
