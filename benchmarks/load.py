"""Load test: concurrent clients against `council serve` on the corpus index, a mix of
``GET /search`` and ``POST /ask``, for a fixed time. Writes benchmarks/results/load.md.

    .venv/bin/python benchmarks/load.py            # 50 clients, 60 s
    .venv/bin/python benchmarks/load.py --quick    # 10 clients, 10 s

Bounded on every side: the server is started on a free port of 127.0.0.1 and stopped at the
end; clients stop sending at the deadline and never exceed ``MAX_REQUESTS`` in total; each
request times out after ``REQUEST_TIMEOUT`` seconds (counted as an error). Latency is measured
by each client from send to full response, so under load it includes queueing in the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import (
    CORPUS, REPO, Stats, council_server, fmt_bytes, fmt_ms, rss_of, say, start_clock, table, write_result,
)

ASK_SHARE = 0.25  # a quarter of requests are /ask, the rest /search
MAX_REQUESTS = 200_000
REQUEST_TIMEOUT = 30.0
SEED = 7

# Things typed into the search box over Coventry's Education and Children's Services papers.
SEARCHES = (
    "social worker retention", "Family Hubs", "libraries budget", "Ofsted inspection", "NEET young people",
    "school readiness", "Saplings programme", "Family Valued grant", "safeguarding children board",
    "child protection plans", "foster placements", "post 16 transitions", "youth justice service",
    "work programme 2023/24", "Social Work Academy", "agency social workers", "Covid impact on schools",
    "secondary school places", "young carers", "Coventry College merger", "SEND support",
    "minute 25", "Connecting Communities", "principal social worker", "caseload per worker",
)


def gold_questions() -> list[str]:
    path = REPO / "eval" / "gold.jsonl"
    if not path.is_file():
        return [f"what did the board decide about {s}?" for s in SEARCHES]
    return [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]


def corpus_index(tmp: Path) -> Path:
    """data/index if it holds a usable index (current schema), else a fresh index of corpus/
    under ``tmp``."""
    from indexer.store import metadata as store
    from indexer.common.errors import CouncilError
    from indexer.store.index import read_manifest

    data = REPO / "data" / "index"
    try:
        if read_manifest(data).get("schema_version") == store.SCHEMA_VERSION:
            return data
    except CouncilError:
        pass
    from indexer.embed.embedder import get_embedder
    from indexer.store.index import update_index
    from indexing import corpus_units

    say("load: data/index is missing or out of date; indexing corpus/ into a temporary directory")
    update_index(tmp / "index", corpus_units(CORPUS), get_embedder("all-MiniLM-L6-v2"))
    return tmp / "index"


def unloaded(base: str, questions: list[str], n: int = 20) -> dict[str, Stats]:
    """One request at a time: what each endpoint costs when nothing else is running."""
    import httpx

    out: dict[str, list[float]] = {"/search": [], "/ask": []}
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT) as client:
        for i in range(n):
            q = questions[i % len(questions)]
            t = time.perf_counter()
            client.get("/search", params={"q": q, "k": 10})
            out["/search"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            client.post("/ask", json={"question": q})
            out["/ask"].append((time.perf_counter() - t) * 1000)
    return {k: Stats.of(v) for k, v in out.items()}


def threads_what_if(index_dir: Path, workers: int = 8, seconds: float = 15.0) -> list[tuple[int, float, Stats]]:
    """In-process what-if for the service's concurrency: ``workers`` threads call search() in a
    loop (as the thread pool does under load) with torch at 1 and then 2 intra-op threads.
    Returns (torch threads, searches/s, latency Stats) for each."""
    import threading

    import torch

    from indexer.store.index import Index
    from indexer.retrieve.search import RetrievalConfig, search
    from indexer.common.settings import Settings

    cfg = RetrievalConfig.from_settings(Settings())
    index = Index.open(index_dir)
    questions = gold_questions()
    search(index, questions[0], 10, None, cfg)  # loads the model
    found = torch.get_num_threads()
    out = []
    try:
        for n in (1, 2):
            lat: list[float] = []
            stop = time.perf_counter() + seconds

            def work(i: int) -> None:
                torch.set_num_threads(n)  # per thread, as each pool thread would
                k = i
                while time.perf_counter() < stop:
                    t = time.perf_counter()
                    search(index, questions[k % len(questions)], 10, None, cfg)
                    lat.append((time.perf_counter() - t) * 1000)
                    k += workers

            threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            out.append((n, len(lat) / (time.perf_counter() - t0), Stats.of(lat)))
    finally:
        torch.set_num_threads(found)
        index.close()
    return out


async def _client(client, rng: random.Random, deadline: float, budget: list[int], questions: list[str],
                  records: list[tuple[str, float, str]]) -> None:
    import httpx

    while time.perf_counter() < deadline and budget[0] > 0:
        budget[0] -= 1
        ask = rng.random() < ASK_SHARE
        t = time.perf_counter()
        try:
            if ask:
                r = await client.post("/ask", json={"question": rng.choice(questions)})
            else:
                pool = SEARCHES if rng.random() < 0.5 else questions
                r = await client.get("/search", params={"q": rng.choice(pool), "k": 10})
            outcome = "ok" if r.status_code == 200 else f"HTTP {r.status_code}"
        except httpx.TimeoutException:
            outcome = "timeout"
        except httpx.HTTPError as exc:
            outcome = type(exc).__name__
        records.append(("/ask" if ask else "/search", (time.perf_counter() - t) * 1000, outcome))


async def drive(base: str, clients: int, seconds: float) -> tuple[list[tuple[str, float, str]], float]:
    import httpx

    questions = gold_questions()
    records: list[tuple[str, float, str]] = []
    budget = [MAX_REQUESTS]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, limits=limits) as client:
        start = time.perf_counter()
        deadline = start + seconds
        tasks = [_client(client, random.Random(SEED + i), deadline, budget, questions, records)
                 for i in range(clients)]
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + REQUEST_TIMEOUT + 30)
        elapsed = time.perf_counter() - start
    return records, elapsed


def run(quick: bool, command: str, clients: int | None = None, seconds: float | None = None,
        index_dir: Path | None = None) -> dict:
    import httpx

    started = start_clock()
    clients = clients or (10 if quick else 50)
    seconds = seconds or (10.0 if quick else 60.0)
    with tempfile.TemporaryDirectory(prefix="council-bench-load-") as tmp:
        index_dir = index_dir or corpus_index(Path(tmp))
        from indexer.store.index import read_manifest

        chunks = read_manifest(index_dir)["chunks"]
        with council_server(index_dir) as server:
            for q in gold_questions()[:5]:  # warm /ask too
                httpx.post(f"{server.base}/ask", json={"question": q}, timeout=60)
            alone = unloaded(server.base, gold_questions())
            rss_before = rss_of(server.pid)
            say(f"load: {clients} clients for {seconds:.0f} s against {server.base} ({chunks} chunks)")
            records, elapsed = asyncio.run(drive(server.base, clients, seconds))
            rss_after = rss_of(server.pid)
        say("load: in-process what-if, 8 threads searching with torch at 1 and 2 threads")
        what_if = threads_what_if(index_dir, seconds=5.0 if quick else 15.0)

    ok = [r for r in records if r[2] == "ok"]
    errors = Counter(r[2] for r in records if r[2] != "ok")
    rows = []
    for name in ("/search", "/ask", "all"):
        vals = [ms for ep, ms, out in ok if name in ("all", ep)]
        n_all = sum(1 for ep, _, _ in records if name in ("all", ep))
        st = Stats.of(vals)
        rows.append((name, n_all, f"{len(vals) / elapsed:.1f}", fmt_ms(st.p50), fmt_ms(st.p95), fmt_ms(st.p99),
                     fmt_ms(st.max), n_all - len(vals)))
    total_err = sum(errors.values())
    shown = index_dir.relative_to(REPO) if index_dir.is_relative_to(REPO) else "of corpus/ (temporary)"
    body = [
        f"How: {clients} concurrent asyncio clients (one shared httpx.AsyncClient, up to {clients} connections) for",
        f"{seconds:.0f} s against `council serve` on 127.0.0.1, index {shown}",
        f"({chunks} chunks, all-MiniLM-L6-v2, flat FAISS). Each client sends its next request when the last one",
        f"is answered: {1 - ASK_SHARE:.0%} `GET /search?q=...&k=10` (half short searches, half gold questions),",
        f"{ASK_SHARE:.0%} `POST /ask` with a gold question (`eval/gold.jsonl`). Latency is client-side, send to",
        f"full response, so it includes waiting in the server's queue. Request timeout {REQUEST_TIMEOUT:.0f} s.",
        "",
        *table(["endpoint", "requests", "ok/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"], rows),
        "",
        "Before the load, one request at a time (20 gold questions to each endpoint): "
        + "; ".join(f"`{ep}` p50 {fmt_ms(st.p50)} ms, p95 {fmt_ms(st.p95)} ms" for ep, st in alone.items()) + ".",
        "",
        f"- Throughput: **{len(ok) / elapsed:.1f} requests/s** ({len(ok)} ok in {elapsed:.1f} s)",
        f"- Errors: **{total_err}** (target 0)" + (": " + ", ".join(f"{k} x{v}" for k, v in errors.items())
                                                    if errors else ""),
        f"- Server resident memory: {fmt_bytes(rss_before)} before the load, {fmt_bytes(rss_after)} after "
        "(routes are plain `def`: up to 40 requests run at once in the thread pool)",
        f"- Little's law: with {clients} clients always waiting, mean latency is about clients / throughput "
        f"= {clients / max(len(ok) / elapsed, 1e-9) * 1000:.0f} ms; latency under load is mostly waiting in the "
        "server's queue.",
    ]
    body += [
        "",
        "## What-if: torch threads under concurrency (in-process, no HTTP)",
        "",
        "8 Python threads call `search()` in a loop on the same index, as the service's thread pool does",
        "under load; each thread sets torch's intra-op threads first (`council serve` uses 1, see "
        "`api.app.serve_threads`; indexing uses 2).",
        "",
        *table(["torch threads per search", "searches/s", "p50 ms", "p95 ms"],
               [(n, f"{rate:.1f}", fmt_ms(st.p50), fmt_ms(st.p95)) for n, rate, st in what_if]),
    ]
    write_result("load", "Load test", command, body, started=started)
    return {"throughput": len(ok) / elapsed, "errors": total_err, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10 clients for 10 s")
    ap.add_argument("--clients", type=int, help="concurrent clients (default 50, or 10 with --quick)")
    ap.add_argument("--seconds", type=float, help="duration (default 60, or 10 with --quick)")
    ap.add_argument("--index-dir", type=Path, help="index to serve (default data/index, else a fresh one)")
    args = ap.parse_args(argv)
    command = " ".join([".venv/bin/python benchmarks/load.py", *(argv if argv is not None else sys.argv[1:])])
    out = run(args.quick, command, args.clients, args.seconds, args.index_dir)
    say(f"load: {out['throughput']:.1f} requests/s, {out['errors']} errors")
    return 0 if out["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
