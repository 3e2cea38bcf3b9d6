"""Benchmark: `/ask` against `/search` over HTTP, on the same questions, in one run.

    /work/main/.venv/bin/python benchmarks/ask_vs_search.py [--index DIR] [--rounds 2]

The server is this checkout's `council serve` (``python -m indexer.cli serve`` with this
checkout first on ``PYTHONPATH``), started on a free loopback port and stopped at the end. The
questions are those of ``eval/answers.jsonl`` on the Coventry packs (answerable and
unanswerable). Two servers run on the same index, one for each endpoint, so neither reuses the
other's embedding of a question: for each question ``GET /search?q=...&k=5`` to one and ``POST
/ask`` to the other, one request at a time, in the order written, ``--rounds`` times. Round 1
meets every question for the first time on both (each embeds it); later rounds repeat them
(both have its vector cached). Latency is client-side, send to full response. The target
(issue 19): p95 of `/ask` within 1.5× of `/search`. Writes benchmarks/results/ask_vs_search.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import REPO, Stats, fmt_ms, free_port, say, start_clock, table, write_result

DEFAULT_INDEX = REPO / "data" / "eval" / "answers-coventry-all-MiniLM-L6-v2"
TARGET = 1.5


def questions() -> list[str]:
    rows = [json.loads(x) for x in (REPO / "eval" / "answers.jsonl").read_text().splitlines() if x.strip()]
    return [r["question"] for r in rows if r.get("layout") == "coventry"]


def serve(index_dir: Path):
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "COUNCIL_ASK_RATE_LIMIT": "",  # one client asks every question: latency is measured, not the limit
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "serve", "--index-dir", str(index_dir),
                             "--host", "127.0.0.1", "--port", str(port)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}"


def wait_ready(base: str, proc, timeout: float = 300.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"council serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/search", params={"q": "warm up"}, timeout=60).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("council serve did not answer /search in time")


def run(index_dir: Path, rounds: int) -> tuple[dict, int]:
    import httpx

    qs = questions()
    times: dict[tuple[str, int], list[float]] = {}
    servers = {ep: serve(index_dir) for ep in ("/search", "/ask")}
    try:
        for proc, base in servers.values():
            wait_ready(base, proc)
        clients = {ep: httpx.Client(base_url=base, timeout=60) for ep, (_, base) in servers.items()}
        clients["/ask"].post("/ask", json={"question": "warm up the answer path"})
        for rnd in range(1, rounds + 1):
            for q in qs:
                for ep in ("/search", "/ask"):
                    t0 = time.perf_counter()
                    r = (clients[ep].get("/search", params={"q": q, "k": 5}) if ep == "/search"
                         else clients[ep].post("/ask", json={"question": q}))
                    ms = (time.perf_counter() - t0) * 1000
                    r.raise_for_status()
                    times.setdefault((ep, rnd), []).append(ms)
            say(f"round {rnd}: {len(qs)} questions")
        for c in clients.values():
            c.close()
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    return times, len(qs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    started = start_clock()
    times, n = run(args.index, args.rounds)
    rows, verdict = [], []
    for rnd in range(1, args.rounds + 1):
        s, a = Stats.of(times[("/search", rnd)]), Stats.of(times[("/ask", rnd)])
        ratio = a.p95 / s.p95
        label = "1 (first time)" if rnd == 1 else f"{rnd} (repeated)"
        rows.append([label, fmt_ms(s.p50), fmt_ms(s.p95), fmt_ms(a.p50), fmt_ms(a.p95), f"{ratio:.2f}×",
                     "yes" if ratio <= TARGET else "**no**"])
        verdict.append(ratio)
    all_s = Stats.of([x for (ep, _), v in times.items() if ep == "/search" for x in v])
    all_a = Stats.of([x for (ep, _), v in times.items() if ep == "/ask" for x in v])
    rows.append(["all", fmt_ms(all_s.p50), fmt_ms(all_s.p95), fmt_ms(all_a.p50), fmt_ms(all_a.p95),
                 f"{all_a.p95 / all_s.p95:.2f}×", "yes" if all_a.p95 / all_s.p95 <= TARGET else "**no**"])
    body = [f"How: this checkout's `council serve` on 127.0.0.1, index `{args.index.relative_to(REPO)}` "
            f"(all-MiniLM-L6-v2), the {n} Coventry questions of `eval/answers.jsonl`; two servers, one per endpoint; "
            f"for each question `GET /search?k=5` to one, then `POST /ask` to the other, one request at a time, "
            f"{args.rounds} rounds. Latency is client-side, send to full response.", "",
            *table(["round", "/search p50 ms", "/search p95 ms", "/ask p50 ms", "/ask p95 ms", "/ask p95 ÷ /search p95",
                    f"within {TARGET}×"], rows)]
    path = write_result("ask_vs_search", "/ask against /search (HTTP, same questions)",
                        "/work/main/.venv/bin/python benchmarks/ask_vs_search.py", body, started=started)
    say(f"wrote {path}")
    print("\n".join(body))
    return 0


if __name__ == "__main__":
    sys.exit(main())
