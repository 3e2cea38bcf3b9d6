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

import numpy as np

from common import QUERIES, Stats, council_server, cpu_seconds, fmt_ms, say, serve_available, table, write_result

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


def time_raw_floor(index, queries, passes: int, n: int, clock: Clock) -> None:
    for _ in range(passes):
        for q in queries:
            with clock("raw"):
                qv = index.embedder.embed_batch([q], kind="query")[0]
                index.vectors.search(qv, n)


def time_search(index, queries, passes: int, cfg, clock: Clock) -> None:
    from indexer.search import search

    for _ in range(passes):
        for q in queries:
            with clock("search"):
                search(index, q, 10, None, cfg)


RESTRICTED_QUERIES = 10  # the filtered-BM25 case can take seconds per query


def time_stages(index, queries, cfg) -> Clock:
    """The steps of search() one by one, then search() whole; "rest" is whole minus the steps
    (boosts, the SQL fetch of the final rows, building results), so the table stays right when
    search() changes inside."""
    from indexer import search as s
    from indexer.results import Filters

    clock = Clock()
    n = max(cfg.candidates, 10)
    steps = ("allowed_ids (restricted filter)", "query encode", "FAISS search",
             "BM25 (FTS5 MATCH ... ORDER BY bm25 LIMIT 100)", "fusion (RRF)")
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
        with clock("SQL fetch of the 10 result rows (_rows)"):
            s._rows(index, best)
        with clock("search() whole"):
            s.search(index, q, 10, None, cfg)
        parts = sum(clock.wall[name][-1] for name in steps)
        parts_cpu = sum(clock.cpu[name][-1] for name in steps)
        clock.wall["rest of search() (whole - steps above)"].append(clock.wall["search() whole"][-1] - parts)
        clock.cpu["rest of search() (whole - steps above)"].append(clock.cpu["search() whole"][-1] - parts_cpu)
    # The benchmark indexes hold no restricted (Part B) papers, so allowed_ids() returns None
    # and both retrievers run unfiltered. With any restricted chunk, the public filter becomes
    # an explicit list of every other id: time both retrievers with 1% of chunks withheld.
    every = index.vectors.ids()
    allowed = np.setdiff1d(every, every[::100])
    for q in queries[:RESTRICTED_QUERIES]:
        qv = index.embedder.embed_batch([q], kind="query")[0]
        with clock("if 1% were restricted: FAISS search with the allowed-id list"):
            index.vectors.search(qv, n, allowed_ids=allowed)
        with clock("if 1% were restricted: BM25 with the allowed-id list"):
            s.bm25_ranking(index, q, n, allowed)
    return clock


def time_http(server, queries, passes: int) -> tuple[list[float], int, float]:
    """Wall ms per request, errors, and the server process's mean CPU ms per request."""
    import httpx

    out, errors = [], 0
    with httpx.Client(base_url=server.base, timeout=60) as client:
        for q in queries:  # warm-up
            client.get("/search", params={"q": q, "k": 10})
        cpu0 = cpu_seconds(server.pid)
        for _ in range(passes):
            for q in queries:
                t = time.perf_counter()
                r = client.get("/search", params={"q": q, "k": 10})
                out.append(_ms(t))
                errors += r.status_code != 200
        cpu = (cpu_seconds(server.pid) - cpu0) * 1000 / max(len(out), 1)
    return out, errors, cpu


def profile_search(index, queries, cfg) -> str:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return ""
    from indexer.search import search

    p = Profiler(interval=0.001)
    p.start()
    for q in queries:
        search(index, q, 10, None, cfg)
    p.stop()
    return p.output_text(unicode=False, color=False, show_all=False)


def _trim(text: str, min_share: float = 0.02, limit: int = 60) -> str:
    out, root = [], None
    for ln in text.splitlines():
        parts = ln.strip(" |-`").split()
        try:
            secs = float(parts[0])
        except (ValueError, IndexError):
            continue
        root = root or secs
        if secs >= min_share * root:
            out.append(ln.rstrip())
    return "\n".join(out[:limit])


def run(quick: bool, command: str, sizes: tuple[int, ...] | None = None) -> dict:
    import bigindex
    from indexer.embedder import get_embedder
    from indexer.index import Index
    from indexer.search import RetrievalConfig, search

    started = time.perf_counter()
    logging.getLogger("indexer").setLevel(logging.ERROR)
    sizes = sizes or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    passes = 1 if quick else 3
    queries = list(QUERIES)
    cfg = RetrievalConfig()
    embedder = get_embedder("all-MiniLM-L6-v2")
    sample = bigindex.real_sample(embedder=embedder)
    http_ok = serve_available()
    if not http_ok:
        say("latency: `council serve` is not available; HTTP figures are skipped")

    rows, cpu_rows, stage_clocks, results = [], [], {}, {}
    profile = ""
    for n in sizes:
        index_dir = bigindex.cached_index(n, sample)
        index = Index.open(index_dir, embedder=embedder)
        for q in queries:  # warm: model, SQLite page cache, FAISS
            search(index, q, 10, None, cfg)
        say(f"latency: {n} chunks, in-process")
        clock = Clock()
        time_raw_floor(index, queries, passes, cfg.candidates, clock)
        time_search(index, queries, passes, cfg, clock)
        raw, inproc = Stats.of(clock.wall["raw"]), Stats.of(clock.wall["search"])
        stage_clocks[n] = time_stages(index, queries, cfg)
        if n == max(sizes):
            profile = _trim(profile_search(index, queries, cfg))
        index.close()
        http, http_err, http_cpu = None, 0, float("nan")
        if http_ok:
            say(f"latency: {n} chunks, over HTTP")
            with council_server(index_dir) as server:
                vals, http_err, http_cpu = time_http(server, queries, passes)
            http = Stats.of(vals)
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
        f"{passes} time(s); k=10, hybrid (dense + BM25, RRF), 100 candidates per retriever, no rerank,",
        "default filters (restricted papers excluded). Indexes are built from the Limerick papers as described",
        "in `benchmarks/bigindex.py` (real text in SQLite/FTS5; vectors real or made from real ones). HTTP is",
        "`GET /search?q=...&k=10` from one httpx client, one request at a time, against `council serve` in its",
        "own process on a free loopback port. Raw floor = query encode + FAISS flat search of 100 alone.",
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
        "## CPU time per query (ms of process CPU, all threads; excludes waiting for a core)",
        "",
        *table(["chunks", "raw p50", "raw p95", "search() p50", "search() p95", "server CPU per HTTP request (mean)",
                "search() / raw, CPU p50"], cpu_rows),
        "",
        "## Where the time goes: each step of search() timed alone",
        "",
        "Wall p50 / p95, then CPU p50, in ms. The restricted rows are a what-if on the first "
        f"{RESTRICTED_QUERIES} queries (see `time_stages`).",
        "",
    ]
    names = list(stage_clocks[sizes[0]].wall)
    body += table(["step", *(f"{n:,} chunks" for n in sizes)],
                  [(name, *(f"{fmt_ms(Stats.of(stage_clocks[n].wall[name]).p50)} / "
                            f"{fmt_ms(Stats.of(stage_clocks[n].wall[name]).p95)}; "
                            f"cpu {fmt_ms(Stats.of(stage_clocks[n].cpu[name]).p50)}" for n in sizes))
                   for name in names])
    if profile:
        body += ["", f"## pyinstrument: the {len(queries)} queries through search() at {max(sizes):,} chunks "
                 "(frames >= 2%)", "", "```", profile, "```"]
    write_result("latency", "Query latency", command, body, started=started)
    return results
