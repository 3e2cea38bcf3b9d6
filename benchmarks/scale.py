"""A million passages on one machine: build, disk, serving memory and latency, HNSW recall,
BM25, /ask, and adding one pack to the big index.

    python benchmarks/scale.py                         # 100k and 1M (builds them first if needed)
    python benchmarks/scale.py --sizes 100000          # one size
    python benchmarks/scale.py add DIR                 # (child) add one corpus pack to a copy of DIR

Writes benchmarks/results/scale.md. The indexes are built by ``scale_build.py`` in a process of
their own (its peak RSS is the build's); the vectors are ``hash-384`` (see there), so serving
encodes each query with the hash embedder: the latencies below are retrieval without the
model's query encode, which ``results/latency.md`` measures (16 ms on a quiet machine).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from common import (CACHE, CORPUS, QUERIES, REPO, Stats, fmt_bytes, fmt_ms, free_port, load_average, say,
                    start_clock, table, write_result)

MODEL = "hash-384"
EF_SWEEP = (64, 128, 256, 512)  # HNSW efSearch values measured for recall (indexer/store/vectors.py's default among them)
PACK = sorted(CORPUS.glob("*.txt"))[2]  # one real ModernGov pack, added to the big index
ENV = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
       "COUNCIL_ASK_RATE_LIMIT": ""}  # one client asks every question: latency is measured, not the limit


def built(n: int) -> dict:
    path = CACHE / f"scale-build-{n}.json"
    if not path.is_file():
        say(f"building the {n:,}-passage indexes (scale_build.py, own process)")
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "scale_build.py"), str(n)], check=True, env=ENV,
                       cwd=REPO / "benchmarks")
    return json.loads(path.read_text())


def status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


# ------------------------------------------------------------------ in-process: recall and BM25

def recall_and_bm25(flat_dir: Path, hnsw_dir: Path, n_random: int = 200) -> dict:
    from indexer.embed.embedder import get_embedder
    from indexer.store import index as ix
    from indexer.store.lexical import LexicalIndex
    from indexer.store.vectors import VectorIndex

    flat = VectorIndex.load(ix.current_generation(flat_dir) / ix.VECTORS)
    ids = flat.ids()
    rng = np.random.default_rng(7)
    # the benchmark queries, and passages' own vectors moved a little (queries near real passages)
    picked = flat.vectors_for(rng.choice(ids, n_random, replace=False))
    noisy = picked + rng.normal(0, 0.05, picked.shape).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    # The queries must be in the passages' space. Here that is hash-384's (scale_build.py hashes the
    # sampled texts, see bigindex.real_sample): the serving embedder's own query vectors, which are
    # what `council serve` searches with, and passages' vectors moved a little. (A MiniLM query vector
    # would point anywhere in a hash index: HNSW's recall on such queries says nothing about users'.)
    served_by = get_embedder(MODEL)
    qv = np.concatenate([served_by.embed_batch(list(QUERIES), kind="query"), noisy]).astype(np.float32)
    n_typed = len(QUERIES)
    truth = [flat.search(q[None], 10)[1][0] for q in qv]
    t = [time.perf_counter()]
    for q in qv[:50]:
        flat.search(q[None], 100)
    flat_ms = (time.perf_counter() - t[0]) * 1000 / 50
    del flat
    hnsw = VectorIndex.load(ix.current_generation(hnsw_dir) / ix.VECTORS)
    sweep = []
    for ef in EF_SWEEP:
        hnsw.params["ef_search"] = ef
        hnsw._apply_search_params()
        times, hits = [], []
        for q, want in zip(qv, truth):
            t0 = time.perf_counter()
            got = hnsw.search(q[None], 100)[1][0][:10]
            times.append((time.perf_counter() - t0) * 1000)
            hits.append(len(set(got.tolist()) & set(want.tolist())))
        sweep.append({"ef_search": ef, "recall10": sum(hits) / (10 * len(qv)),
                      "recall10_typed": sum(hits[:n_typed]) / (10 * n_typed),
                      "recall10_near": sum(hits[n_typed:]) / (10 * (len(qv) - n_typed)), "ms": Stats.of(times)})
    del hnsw
    lex = LexicalIndex.load(ix.current_generation(flat_dir) / ix.LEXICAL)
    times = []
    for _ in range(3):
        for q in QUERIES:
            t0 = time.perf_counter()
            lex.rank(q, 100)
            times.append((time.perf_counter() - t0) * 1000)
    return {"sweep": sweep, "bm25": Stats.of(times), "flat_ms": flat_ms, "queries": len(qv)}


# ------------------------------------------------------------------ over HTTP

def served(index_dir: Path, asks: int = 25) -> dict:
    import httpx

    port = free_port()
    log = open(CACHE / f"scale-serve-{port}.log", "w")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "serve", "--index-dir", str(index_dir),
                             "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            env=ENV, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"council serve exited {proc.returncode}; see {log.name}")
            try:
                if httpx.get(f"{base}/search", params={"q": "warm up"}, timeout=120).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        ready = time.perf_counter() - t0
        rss_open = status(proc.pid, "VmRSS")
        search_ms = []
        with httpx.Client(base_url=base, timeout=120) as c:
            for _ in range(3):
                for q in QUERIES:
                    t = time.perf_counter()
                    r = c.get("/search", params={"q": q, "k": 10})
                    search_ms.append((time.perf_counter() - t) * 1000)
                    r.raise_for_status()
            ask_ms = []
            for q in QUERIES[:asks]:
                t = time.perf_counter()
                r = c.post("/ask", json={"question": f"What was decided about {q}?"})
                ask_ms.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
        return {"ready_s": ready, "search": Stats.of(search_ms), "ask": Stats.of(ask_ms),
                "rss_open": rss_open, "rss": status(proc.pid, "VmRSS"), "rss_peak": status(proc.pid, "VmHWM")}
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


# ------------------------------------------------------------------ adding one pack

def add_child(src: Path) -> None:
    """In a child process: add PACK to a hard-linked copy of ``src``; print one JSON line."""
    import resource

    from indexer.embed.hashing import HashEmbedder
    from indexer.store import index as ix
    from indexer.store.index import update_index
    from indexer.structure.privacy import PRIVACY_VERSION
    from indexer.structure.reader import READER_VERSION

    class Counting(HashEmbedder):
        texts = 0

        def embed_batch(self, texts, *, kind="passage"):
            Counting.texts += len(texts)
            return super().embed_batch(texts, kind=kind)

    dst = src.with_name(src.name + "-add")
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, copy_function=os.link)  # nothing is written in place: links are safe
    gen = ix.current_generation(dst)
    manifest = json.loads((gen / ix.MANIFEST).read_text())
    # written by the benchmark builder with the same chunker: say so, or update_index re-reads every
    # file (and, given only the new pack, keeps only its passages)
    manifest["chunker"].update(reader=READER_VERSION, privacy=PRIVACY_VERSION)
    (gen / ix.MANIFEST).unlink()
    (gen / ix.MANIFEST).write_text(json.dumps(manifest))
    before = manifest["chunks"]
    prof = None
    try:
        from pyinstrument import Profiler

        prof = Profiler(interval=0.01)
        prof.start()
    except ImportError:
        pass
    import logging

    class Grab(logging.Handler):  # the lexical build says how many chunks it tokenised
        said: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            Grab.said.append(record.getMessage())

    lex_log = logging.getLogger("indexer.store.lexical")
    lex_log.addHandler(Grab())
    lex_log.setLevel(logging.INFO)
    emb = Counting(384)
    report = update_index(dst, [(PACK, CORPUS)], emb)
    text = ""
    if prof is not None:
        prof.stop()
        text = prof.output_text(unicode=False, color=False)
    after = json.loads((ix.current_generation(dst) / ix.MANIFEST).read_text())["chunks"]
    shutil.rmtree(dst)
    if after < before:
        raise SystemExit(f"adding one pack lost passages: {before:,} -> {after:,} ({report.warnings})")
    print(json.dumps({"seconds": report.seconds, "embed_seconds": report.embed_seconds,
                      "embedded": report.chunks_embedded, "reused": report.chunks_reused,
                      "texts_sent_to_embedder": Counting.texts, "added": report.added,
                      "lexical": [m for m in Grab.said if "tokenised" in m],
                      "before": before, "after": after,
                      "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "profile": text}))


def add_one_pack(flat_dir: Path) -> dict:
    out = subprocess.run([sys.executable, str(Path(__file__)), "add", str(flat_dir)], capture_output=True,
                         text=True, env=ENV, cwd=REPO / "benchmarks", timeout=3600)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _trim(profile: str, keep: float = 0.04) -> str:
    lines = [ln for ln in profile.splitlines() if ln.strip()]
    out, root = [], None
    for ln in lines:
        try:
            secs = float(ln.strip(" |-`").split()[0])
        except (ValueError, IndexError):
            continue
        root = root or secs
        if secs >= keep * root:
            out.append(ln)
    return "\n".join(out[:40])


# ------------------------------------------------------------------ the report

def measure(n: int) -> dict:
    when = {"started": time.strftime("%H:%M UTC", time.gmtime()), "load_start": load_average()}
    t_measure = time.perf_counter()
    b = built(n)
    flat_dir, hnsw_dir = Path(b["flat_dir"]), Path(b["hnsw_dir"])
    import bigindex

    files = bigindex.generation_files(flat_dir)
    hnsw_files = bigindex.generation_files(hnsw_dir)
    say(f"{n:,}: recall and BM25 in-process")
    rb = recall_and_bm25(flat_dir, hnsw_dir)
    say(f"{n:,}: HNSW recall@10 " + ", ".join(f"ef {w['ef_search']}: {w['recall10']:.3f} (typed {w['recall10_typed']:.3f}, "
                                              f"near {w['recall10_near']:.3f}, p95 {w['ms'].p95:.2f} ms)"
                                              for w in rb["sweep"]))
    say(f"{n:,}: serving flat")
    sf = served(flat_dir)
    say(f"{n:,}: serving hnsw")
    sh = served(hnsw_dir)
    say(f"{n:,}: adding one pack")
    add = add_one_pack(flat_dir)
    when.update(load_end=load_average(), minutes=round((time.perf_counter() - t_measure) / 60, 1))
    return {"n": n, "build": b, "files": files, "hnsw_vectors": hnsw_files.get("vectors.faiss", 0), "rb": rb,
            "flat": sf, "hnsw": sh, "add": add, "when": when}


def report(results: list[dict], command: str, started) -> None:
    rows = []
    def row(name, f):
        rows.append([name] + [f(r) for r in results])

    row("build s per passage, excluding vectors (read+chunk, SQLite, tracker, BM25, FAISS)",
        lambda r: f"{1e3 * sum(v for k, v in r['build']['timings'].items() if k != 'vectors') / r['n']:.2f} ms")
    row("  of which BM25 build", lambda r: f"{r['build']['timings']['lexical']:.0f} s")
    row("HNSW graph build (2 threads)", lambda r: f"{r['build']['hnsw_build_seconds']:.0f} s")
    row("peak RSS while building (flat)", lambda r: fmt_bytes(r["build"]["peak_rss_flat_build"]))
    row("disk per passage (one generation, flat)", lambda r: f"{sum(r['files'].values()) / r['n']:,.0f} B")
    row("  meta.sqlite / vectors.faiss / lexical per passage", lambda r: " / ".join(
        f"{r['files'].get(k, 0) / r['n']:,.0f}" for k in ("meta.sqlite", "vectors.faiss", "lexical")))
    row("  hnsw vectors.faiss per passage", lambda r: f"{r['hnsw_vectors'] / r['n']:,.0f} B")
    for kind in ("flat", "hnsw"):
        row(f"/search p50 / p95 over HTTP, {kind}", lambda r, k=kind: f"{fmt_ms(r[k]['search'].p50)} / "
            f"**{fmt_ms(r[k]['search'].p95)}** ms")
        row(f"serving RSS after queries (peak), {kind}", lambda r, k=kind: f"{fmt_bytes(r[k]['rss'])} "
            f"({fmt_bytes(r[k]['rss_peak'])})")
        row(f"time to first answer (open), {kind}", lambda r, k=kind: f"{r[k]['ready_s']:.0f} s")
    row("/ask p50 / p95 (flat)", lambda r: f"{fmt_ms(r['flat']['ask'].p50)} / **{fmt_ms(r['flat']['ask'].p95)}** ms")
    row("/ask p50 / p95 (hnsw)", lambda r: f"{fmt_ms(r['hnsw']['ask'].p50)} / **{fmt_ms(r['hnsw']['ask'].p95)}** ms")
    for i, ef in enumerate(EF_SWEEP):
        row(f"HNSW recall@10 vs flat, efSearch {ef}: all (typed / near a passage); FAISS ms p50/p95", lambda r, i=i:
            f"**{r['rb']['sweep'][i]['recall10']:.3f}** ({r['rb']['sweep'][i]['recall10_typed']:.3f} / "
            f"{r['rb']['sweep'][i]['recall10_near']:.3f}); {r['rb']['sweep'][i]['ms'].p50:.2f}/"
            f"{r['rb']['sweep'][i]['ms'].p95:.2f}")
    row("flat FAISS search alone, mean", lambda r: f"{r['rb']['flat_ms']:.1f} ms")
    row("BM25 rank (top 100) p50 / p95", lambda r: f"{fmt_ms(r['rb']['bm25'].p50)} / {fmt_ms(r['rb']['bm25'].p95)} ms")
    row("add one pack: seconds (of which embedding)", lambda r: f"**{r['add']['seconds']:.0f} s** "
        f"({r['add']['embed_seconds']:.2f} s)")
    row("add one pack: passages embedded / texts sent to the embedder / passages before→after",
        lambda r: f"{r['add']['embedded']} / {r['add']['texts_sent_to_embedder']} / "
                  f"{r['add']['before']:,}→{r['add']['after']:,}")
    row("add one pack: BM25 term counts reused / chunks tokenised", lambda r: "; ".join(
        m.replace("lexical: ", "").replace(" chunks' term counts reused, ", " / ").replace(" tokenised", "")
        for m in r["add"].get("lexical", [])) or "all tokenised")
    row("add one pack: peak RSS", lambda r: fmt_bytes(r["add"]["peak_rss"]))
    if any("add_again" in r for r in results):
        row("add one pack again (see below): seconds (of which embedding)", lambda r: (
            f"**{r['add_again']['seconds']:.0f} s** ({r['add_again']['embed_seconds']:.2f} s)") if "add_again" in r else "")
        row("  passages embedded / texts sent to the embedder / passages before→after", lambda r: (
            f"{r['add_again']['embedded']} / {r['add_again']['texts_sent_to_embedder']} / "
            f"{r['add_again']['before']:,}→{r['add_again']['after']:,}") if "add_again" in r else "")
        row("  peak RSS", lambda r: fmt_bytes(r["add_again"]["peak_rss"]) if "add_again" in r else "")
    body = [
        "Indexes: Limerick's real passages repeated as replicas (benchmarks/bigindex.py), hash-384 vectors",
        "(scale_build.py). Serving: `council serve` in its own process, 150 sequential `/search` (50 queries × 3)",
        "and 25 `/ask`; the query encoder is the hash embedder, so add the model's query encode",
        "(results/latency.md) to compare with a MiniLM index. Adding a pack: a hard-linked copy of the flat",
        f"index, `update_index` of one Coventry pack ({PACK.name}), in a child process.",
        "",
        *table(["", *[f"{r['n']:,}" for r in results]], rows),
        "",
        *[f"- {r['n']:,}: measured from {r['when']['started']} for {r['when']['minutes']} min (building included "
          f"when it was not cached); load average at its start {r['when']['load_start']}, at its end "
          f"{r['when']['load_end']}" for r in results if "when" in r],
        "",
    ]
    for r in results:
        body += [f"### Profile of adding one pack at {r['n']:,} (pyinstrument, lines over 4%)", "", "```",
                 _trim(r["add"]["profile"]), "```", ""]
        if "add_again" in r:
            body += [f"### Profile of adding one pack again at {r['n']:,}", "", ADD_AGAIN_NOTE, "", "```",
                     _trim(r["add_again"]["profile"]), "```", ""]
    body.append(f"Load average at the end: {load_average()}")
    write_result("scale", "A million passages on one machine", command, body, started=started)
    (CACHE / "scale-results.json").write_text(json.dumps(results, default=lambda o: o.__dict__, indent=1))


ADD_AGAIN_NOTE = (
    "The index was built before the version that keeps the abbreviation counts beside BM25 "
    "(`lexical/acronym-counts.json`) and before the tracker's word statistics could be carried over "
    "(they are, when `tracker_meta`'s version is this code's). Before this run both were brought to what "
    "this version writes: the counts file written from the index's own passages, and the version stamp "
    "set (the statistics themselves depend only on the passages, which are unchanged). This is the "
    "cost of adding a pack to an index that this version wrote.")


def _saved(n: int) -> Path:
    return CACHE / f"scale-measure-{n}.json"


def _load_saved(n: int) -> dict:
    """A size measured by an earlier run (``--reuse``), its Stats made again."""
    r = json.loads(_saved(n).read_text())

    def stats(d: dict) -> Stats:
        return Stats(**d)
    for k in ("flat", "hnsw"):
        r[k]["search"], r[k]["ask"] = stats(r[k]["search"]), stats(r[k]["ask"])
    r["rb"]["bm25"] = stats(r["rb"]["bm25"])
    for w in r["rb"]["sweep"]:
        w["ms"] = stats(w["ms"])
    return r


def main(argv: list[str]) -> None:
    if argv[:1] == ["add"]:
        add_child(Path(argv[1]))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--reuse", default="", help="sizes (comma-separated) to take from an earlier run's "
                                                ".cache/bench/scale-measure-N.json instead of measuring")
    ap.add_argument("--add-again", default="", help="sizes (of --reuse) whose add-one-pack step is run again "
                                                    "(its first run is kept in the table too)")
    args = ap.parse_args(argv)
    started = start_clock()
    reuse = {int(n) for n in args.reuse.split(",") if n}
    results = []
    again = {int(n) for n in args.add_again.split(",") if n}
    for n in (int(n) for n in args.sizes.split(",")):
        if n in reuse:
            results.append(_load_saved(n))
            if n in again:
                say(f"{n:,}: adding one pack again")
                results[-1]["add_again"] = add_one_pack(Path(results[-1]["build"]["flat_dir"]))
                _saved(n).write_text(json.dumps(results[-1], default=lambda o: o.__dict__, indent=1))
            continue
        results.append(measure(n))
        _saved(n).write_text(json.dumps(results[-1], default=lambda o: o.__dict__, indent=1))
    command = "python benchmarks/scale.py --sizes " + args.sizes + (f" --reuse {args.reuse}" if reuse else "") + \
        (f" --add-again {args.add_again}" if again else "")
    report(results, command, started)


if __name__ == "__main__":
    main(sys.argv[1:])
