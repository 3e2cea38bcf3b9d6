"""When does a query match nothing? The evidence search_items() uses to drop non-matches, measured.

A passage is evidence of a match when it holds one of the query's index terms (BM25 score > 0)
or its dense cosine to the query reaches ``indexer.retrieve.items.MIN_COSINES`` (for this model). This script
measures both on an index built with the real model, for the real questions of eval/*.jsonl
(every question set, answerable or not: they are about the papers) and for gibberish queries
(random letters, keyboard runs, made-up words), and writes benchmarks/results/no_match.md::

    .venv/bin/python benchmarks/no_match.py --index-dir data/index

The threshold must sit above the best gibberish cosine and below the real questions' best
cosines; BM25 evidence alone already separates most of them (gibberish holds no indexed word).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import string
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.retrieve.fusion import bm25_ranking, dense_ranking  # noqa: E402
from indexer.retrieve.items import MIN_COSINE, matches, search_items  # noqa: E402
from indexer.retrieve.search import search  # noqa: E402
from indexer.store.index import Index  # noqa: E402

MADE_UP = ["xqzv blorf", "asdfghjkl", "qwertyuiop zxcvbnm", "flurbo gnarp wibble", "zzzzzz", "ljkhsdf oiuwer",
           "grmbl frzzt", "plok vreen dask", "hjkl hjkl", "snorfle the wumpus", "kxq", "blibber blabber",
           "mxyzptlk", "quux frobnicate", "vlorp", "ooga booga", "zorblax quintessor", "fnord", "wug wugs",
           "jabberwocky borogoves"]


def gibberish(n: int, seed: int = 20) -> list[str]:
    rnd = random.Random(seed)
    out = list(MADE_UP)
    while len(out) < n:
        words = ["".join(rnd.choice(string.ascii_lowercase) for _ in range(rnd.randint(4, 9)))
                 for _ in range(rnd.randint(1, 3))]
        out.append(" ".join(words))
    return out[:n]


def real_questions() -> list[tuple[str, str]]:
    out = []
    for p in sorted((ROOT / "eval").glob("*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)
                out.append((p.name, q["question"]))
    return out


def evidence(index: Index, q: str) -> tuple[float, int]:
    dense = dense_ranking(index, q, 1, None)
    bm25 = bm25_ranking(index, q, 10_000, None)
    return (dense[0][1] if dense else 0.0), len(bm25)


def pct(xs, p):
    return float(np.percentile(xs, p)) if len(xs) else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index-dir", type=Path, default=ROOT / "data" / "index")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "no_match.md")
    args = ap.parse_args()
    index = Index.open(args.index_dir)
    real = [(src, q, *evidence(index, q)) for src, q in real_questions()]
    gib = [(q, *evidence(index, q)) for q in gibberish(100)]
    rc = [c for _, _, c, _ in real]
    gc = [c for _, c, _ in gib]
    real_no_bm25 = [r for r in real if r[3] == 0]
    gib_bm25 = [g for g in gib if g[2] > 0]
    lost = [r for r in real if r[3] == 0 and r[2] < MIN_COSINE]
    kept = [g for g in gib if g[2] > 0 or g[1] >= MIN_COSINE]
    dropped, totals = 0, []
    for _, q, _, _ in real:
        dropped += sum(not matches(r, MIN_COSINE) for r in search(index, q, 10))
        totals.append(search_items(index, q, 10).total)
    lines = [
        "# No match: the evidence that a query matches the papers",
        "",
        f"Written by `benchmarks/no_match.py` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; index "
        f"{index.embedder.model_id}, {index.manifest.get('chunks', '?')} passages (corpus/). Real questions: every "
        f"question of eval/*.jsonl ({len(real)}); gibberish: {len(gib)} queries (made-up words and random letters, "
        "seeded).",
        "",
        f"Command: `.venv/bin/python benchmarks/no_match.py --index-dir <corpus index>`; machine: {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}.",
        "",
        "| queries | n | best cosine p5 | p50 | p95 | max | with a BM25 hit |",
        "|---|---|---|---|---|---|---|",
        f"| real questions | {len(real)} | {pct(rc, 5):.3f} | {pct(rc, 50):.3f} | {pct(rc, 95):.3f} | {max(rc):.3f} | "
        f"{len(real) - len(real_no_bm25)} |",
        f"| gibberish | {len(gib)} | {pct(gc, 5):.3f} | {pct(gc, 50):.3f} | {pct(gc, 95):.3f} | {max(gc):.3f} | "
        f"{len(gib_bm25)} |",
        "",
        f"Lowest best cosine of a real question: {min(rc):.3f}; highest of a gibberish query: {max(gc):.3f}.",
        "",
        f"Rule (`indexer/retrieve/items.py`): a passage matches when it holds a query term or its cosine is at "
        f"least MIN_COSINE = {MIN_COSINE}. With it, real questions that match nothing: {len(lost)}; gibberish "
        f"queries that match something: {len(kept)}.",
        "",
        f"Passages the rule drops from the real questions' top 10 (passage search): {dropped} of {10 * len(real)}. "
        f"Items matching a real question (`total`): median {pct(totals, 50):.0f}, p5 {pct(totals, 5):.0f}, "
        f"p95 {pct(totals, 95):.0f}.",
        "",
    ]
    if real_no_bm25:
        lines += ["Real questions with no BM25 hit (they match by meaning only):", ""]
        lines += [f"- {src}: {q!r}: cosine {c:.3f}" for src, q, c, _ in real_no_bm25] + [""]
    if kept:
        lines += ["Gibberish that still matches (a real word, or a close vector):", ""]
        lines += [f"- {q!r}: cosine {c:.3f}, {n} passages hold a term" for q, c, n in kept] + [""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
