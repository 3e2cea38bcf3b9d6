"""Load test with locust (headless): 16 users for 60 s against `council serve`, a mix of /search,
the search page, /ask and pages, on the Coventry packs (indexed as a user would), then again while
`council index` rebuilds that index under the load (no request may fail, and the server must swap
to the new generation without a restart), and on a large index when one is given. Writes
benchmarks/results/load.md.

    .venv/bin/python benchmarks/load.py --big .cache/bench/indexes/limerick-100000-flat-hash-384
    .venv/bin/python benchmarks/load.py --big DIR --soak 240   # and 240 s more on DIR: >10,000 requests
    .venv/bin/python benchmarks/load.py --quick    # 4 users for 10 s, Coventry only

Requests per second, p50/p95/p99 and failures are locust's; the server's resident memory is read
from /proc at the start and end of each run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

from common import (
    CACHE, CORPUS, REPO, Stats, council_server, fmt_bytes, fmt_ms, rss_of, say, start_clock, table, write_result,
)

REQUEST_TIMEOUT = 30.0
LOCUST_VERSION = version("locust")

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


LOCUSTFILE = Path(__file__).with_name("locustfile.py")
LOCUST = Path(sys.executable).with_name("locust")


def locust(base: str, users: int, seconds: float, out: Path, queries: Path, questions: Path) -> dict[str, dict]:
    """Run locust headless against ``base``; per request name (and "Aggregated"): count, failures,
    requests/s, p50/p95/p99 ms (locust's own percentiles, from its CSV)."""
    prefix = out / "locust"
    env = {**os.environ, "LOAD_QUERIES": str(queries), "LOAD_QUESTIONS": str(questions)}
    cmd = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "-u", str(users), "-r", str(users),
           "-t", f"{int(seconds)}s", "--host", base, "--csv", str(prefix), "--only-summary", "--stop-timeout", "30"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 300)
    if not (prefix.parent / "locust_stats.csv").is_file():
        raise RuntimeError(f"locust wrote no statistics (exit {done.returncode}): {done.stderr[-2000:]}")
    rows = {}

    def num(v: str) -> float:  # locust writes "N/A" where a request name has no response times
        try:
            return float(v)
        except ValueError:
            return float("nan")

    with open(f"{prefix}_stats.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            rows[r["Name"]] = {"requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                               "rps": num(r["Requests/s"]), "p50": num(r["50%"]), "p95": num(r["95%"]),
                               "p99": num(r["99%"]), "max": num(r["Max Response Time"])}
    failures = []
    if Path(f"{prefix}_failures.csv").is_file():
        with open(f"{prefix}_failures.csv", newline="") as fh:
            failures = [f"{r['Method']} {r['Name']}: {r['Error']} x{r['Occurrences']}" for r in csv.DictReader(fh)]
    rows["failures"] = failures
    return rows


def coventry_index(tmp: Path, embedder: str) -> tuple[Path, Path]:
    """A fresh index of a copy of corpus/ made as a user would (`council index`): (index, papers)."""
    papers = tmp / "papers"
    shutil.copytree(CORPUS, papers)
    index_dir = tmp / "index"
    council_index(papers, index_dir, embedder)
    return index_dir, papers


def council_index(papers: Path, index_dir: Path, embedder: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "indexer.cli", "index", str(papers), "--index-dir", str(index_dir),
                    "--model", embedder, "--no-progress"], check=True, cwd=REPO, capture_output=True,
                   env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}, timeout=3600)
    return time.perf_counter() - t


def generation(base: str) -> str:
    import httpx

    return httpx.get(f"{base}/health", timeout=30).json()["generation"]


def measure(index_dir: Path, label: str, users: int, seconds: float, tmp: Path,
            rebuild: Path | None = None, embedder: str = "") -> dict:
    """One locust run against `council serve` on ``index_dir``. With ``rebuild`` (the papers folder
    of the index), a pack is changed and `council index` run a third of the way in: the server
    must swap generations while the load goes on."""
    import httpx

    from indexer.store.index import read_manifest

    chunks = read_manifest(index_dir)["chunks"]
    queries, questions = tmp / "queries.txt", tmp / "questions.txt"
    queries.write_text("\n".join(SEARCHES) + "\n")
    questions.write_text("\n".join(gold_questions()) + "\n")
    out = CACHE / "load" / label.replace(" ", "_").replace(",", "")  # locust's CSVs, kept for reading
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with council_server(index_dir) as server:
        for q in gold_questions()[:3]:  # warm /ask too
            httpx.post(f"{server.base}/ask", json={"question": q}, timeout=120)
        alone = unloaded(server.base, gold_questions(), n=10)
        rss_before = rss_of(server.pid)
        gen_before = generation(server.base)
        swap: dict = {}
        if rebuild is not None:
            def change() -> None:
                time.sleep(seconds / 3)
                pack = sorted(rebuild.glob("*.txt"))[0]
                with open(pack, "a", encoding="utf-8") as fh:
                    fh.write("\n\nAddendum: a late note on the work programme, added while the site was serving.\n")
                swap["index_s"] = council_index(rebuild, index_dir, embedder)
            worker = threading.Thread(target=change)
            worker.start()
        say(f"load: locust, {users} users for {seconds:.0f} s against {label} ({chunks:,} passages)")
        samples: list[tuple[float, int]] = []  # (seconds in, server RSS): does memory level off?
        sampling = threading.Event()

        def sample() -> None:
            t_start = time.perf_counter()
            while not sampling.wait(max(1.0, seconds / 12)):
                try:
                    samples.append((time.perf_counter() - t_start, rss_of(server.pid)))
                except OSError:
                    return
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stats = locust(server.base, users, seconds, out, queries, questions)
        sampling.set()
        sampler.join()
        if rebuild is not None:
            worker.join()
            time.sleep(2 * 1.0)  # the server checks CURRENT once a second
            swap["generation_before"], swap["generation_after"] = gen_before, generation(server.base)
        rss_after = rss_of(server.pid)
    return {"label": label, "chunks": chunks, "stats": stats, "alone": alone, "rss_before": rss_before,
            "rss_after": rss_after, "rss_samples": samples, "swap": swap, "users": users, "seconds": seconds}


def _rows(runs: list[dict]) -> list[tuple]:
    rows = []
    for run_ in runs:
        st = run_["stats"]
        for name in ("/search", "/?q= (search page)", "/ask", "pages", "Aggregated"):
            if name not in st:
                continue
            r = st[name]
            rows.append((run_["label"], "all" if name == "Aggregated" else name, f"{r['requests']:,}",
                         f"{r['rps']:.1f}", f"{r['p50']:.0f}", f"{r['p95']:.0f}", f"{r['p99']:.0f}", r["failures"]))
    return rows


def run_load(command: str, users: int, seconds: float, big: Path | None, soak: float = 0.0,
             soak_only: bool = False) -> dict:
    started = start_clock()
    runs = []
    with tempfile.TemporaryDirectory(prefix="council-bench-load-") as tmp_s:
        tmp = Path(tmp_s)
        say("load: indexing a copy of corpus/ with `council index` (all-MiniLM-L6-v2)")
        index_dir, papers = coventry_index(tmp, "all-MiniLM-L6-v2")
        if not soak_only:
            runs.append(measure(index_dir, "Coventry packs", users, seconds, tmp))
            runs.append(measure(index_dir, "Coventry, rebuilt under load", users, seconds, tmp,
                                rebuild=papers, embedder="all-MiniLM-L6-v2"))
            if big is not None:
                runs.append(measure(big, f"{read_chunks(big):,} passages", users, seconds, tmp))
        if soak:  # long enough for 10,000 requests or more: memory growth over many requests
            target = big if big is not None else index_dir
            name = f"{read_chunks(target):,} passages" if big is not None else "Coventry packs"
            runs.append(measure(target, f"{name}, {soak:.0f} s soak", users, soak, tmp))
    (CACHE / "load-results.json").write_text(json.dumps(runs, default=lambda o: o.__dict__, indent=1))
    body = [
        f"How: [locust](https://locust.io) {LOCUST_VERSION}, headless, {users} users spawned at once for {seconds:.0f} s "
        "against `council serve` on 127.0.0.1 (benchmarks/locustfile.py). Each user waits 0-0.2 s between "
        "requests and picks, by weight: `GET /search?k=10` 6, the search page `GET /?q=` 3, "
        "`POST /ask` with a gold question 2, and a page (home, meetings list, recommendations) 1. Searches "
        "are things typed into the box; questions are `eval/gold.jsonl`. Latency is locust's, send to full "
        "response, so it includes queueing. The per-client /ask limit is off (every user is 127.0.0.1).",
        "",
        "The Coventry index is made by `council index` from a copy of corpus/; "
        + (f"the large one is `{big.name}` (benchmarks/scale_build.py: Limerick passages repeated, hash-384 "
           "vectors, flat FAISS), so its /ask and /search skip the model's query encode "
           "(about 10-20 ms, results/latency.md)." if big is not None else "no large index was given (--big)."),
        "",
        *table(["index", "request", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "failures"], _rows(runs)),
        "",
    ]
    for run_ in runs:
        agg = run_["stats"].get("Aggregated", {"requests": 0})
        growth = (run_["rss_after"] - run_["rss_before"]) / max(run_["rss_before"], 1)
        body.append(f"- **{run_['label']}**: server memory {fmt_bytes(run_['rss_before'])} at the start, "
                    f"{fmt_bytes(run_['rss_after'])} at the end ({growth:+.1%} over {agg['requests']:,} requests); "
                    "one request at a time before the load: "
                    + "; ".join(f"`{ep}` p50 {fmt_ms(st.p50)} ms, p95 {fmt_ms(st.p95)} ms" for ep, st in run_["alone"].items())
                    + (f"; failures: {', '.join(run_['stats']['failures'])}" if run_["stats"]["failures"] else "")
                    + (f"; **growth over {agg['requests']:,} requests {'under' if growth < 0.10 else 'OVER'} "
                       "10%**" if agg["requests"] >= 10_000 else ""))
        if run_["rss_samples"]:
            body.append("  - server memory during the run (s: MiB): " + ", ".join(
                f"{t:.0f}: {rss / 2**20:.0f}" for t, rss in run_["rss_samples"]))
        if run_["swap"]:
            sw = run_["swap"]
            body.append(f"  - rebuild: a third of the way in, one pack was changed and `council index` ran "
                        f"({sw['index_s']:.0f} s) while the load went on; the server went from generation "
                        f"`{sw['generation_before']}` to `{sw['generation_after']}` without a restart, and "
                        f"{run_['stats'].get('Aggregated', {}).get('failures', 0)} requests failed.")
    write_result("load-soak" if soak_only else "load", "Load test (locust)" + (": a long run" if soak_only else ""),
                 command, body, started=started)
    fails = sum(r["stats"].get("Aggregated", {}).get("failures", 0) for r in runs)
    swapped = all(r["swap"]["generation_before"] != r["swap"]["generation_after"] for r in runs if r["swap"])
    return {"failures": fails, "swapped": swapped, "runs": len(runs)}


def run(quick: bool, command: str) -> dict:
    """For benchmarks/run.py: the Coventry runs (16 users for 60 s, or 4 for 10 s with quick)."""
    return run_load(command, 4 if quick else 16, 10.0 if quick else 60.0, None)


def read_chunks(index_dir: Path) -> int:
    from indexer.store.index import read_manifest

    return read_manifest(index_dir)["chunks"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=16, help="concurrent locust users (default 16)")
    ap.add_argument("--seconds", type=float, default=60.0, help="duration of each run (default 60)")
    ap.add_argument("--big", type=Path, help="a large index to load too (e.g. one benchmarks/scale.py built)")
    ap.add_argument("--quick", action="store_true", help="4 users for 10 s, Coventry only")
    ap.add_argument("--soak-only", action="store_true",
                    help="only the --soak run (on --big, or on Coventry), written to results/load-soak.md")
    ap.add_argument("--soak", type=float, default=0.0,
                    help="then one more run of this many seconds on the large index (or Coventry), "
                         "for memory growth over 10,000 requests or more")
    args = ap.parse_args(argv)
    command = " ".join([".venv/bin/python benchmarks/load.py", *(argv if argv is not None else sys.argv[1:])])
    users, seconds = (4, 10.0) if args.quick else (args.users, args.seconds)
    out = run_load(command, users, seconds, None if args.quick else args.big, 0.0 if args.quick else args.soak,
                   soak_only=args.soak_only and not args.quick)
    say(f"load: {out['runs']} runs, {out['failures']} failed requests, generation swapped: {out['swapped']}")
    return 0 if out["failures"] == 0 and out["swapped"] else 1


if __name__ == "__main__":
    sys.exit(main())
