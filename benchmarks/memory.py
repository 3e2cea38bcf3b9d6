"""Memory per chunk: bytes on disk (the files of one generation) and in RAM (the growth of a
fresh process's resident set when it opens the index and answers queries), at 10k and 100k
chunks, extrapolated linearly to 1M.

RAM is measured in a new subprocess per size, so nothing from this process (or an earlier
size) is counted: it imports the project and loads the model first (the baseline), then
``Index.open`` (RSS after open), then runs the benchmark queries (RSS after queries: SQLite's
page cache and FTS5 structures that a serving process holds).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from common import QUERIES, REPO, fmt_bytes, say, start_clock, table, write_result

# Runs in the child process: prints one JSON line of RSS figures.
_CHILD = r"""
import json, sys, time
from pathlib import Path

def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024

from indexer.embed.embedder import get_embedder
from indexer.store.index import Index
from indexer.retrieve.search import search

queries = json.loads(sys.argv[2])
emb = get_embedder("all-MiniLM-L6-v2")
for q in queries:  # the model's own working memory belongs in the baseline
    emb.embed_batch([q], kind="query")
base = rss()
index = Index.open(sys.argv[1], embedder=emb)
opened = rss()
for q in queries:
    search(index, q, 10)
queried = rss()
print(json.dumps({"base": base, "opened": opened, "queried": queried, "count": index.count}))
"""


def measure_rss(index_dir: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(index_dir), json.dumps(list(QUERIES))],
                         capture_output=True, text=True, cwd=REPO, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(f"RSS child failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def sqlite_breakdown(db: Path) -> list[tuple[str, int]]:
    """Bytes per table and index (SQLite's dbstat), largest first; empty if dbstat is missing."""
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [(name, int(size)) for name, size in con.execute(
            "SELECT name, SUM(pgsize) AS s FROM dbstat GROUP BY name ORDER BY s DESC")]
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def run(quick: bool, command: str) -> dict:
    import bigindex

    started = start_clock()
    sizes = (10_000,) if quick else (10_000, 100_000)
    sample = bigindex.real_sample()
    per = {}
    for n in sizes:
        index_dir = bigindex.cached_index(n, sample)
        files = bigindex.generation_files(index_dir)
        say(f"memory: {n} chunks, measuring RSS in a fresh process")
        per[n] = {"files": files, "rss": measure_rss(index_dir),
                  "tables": sqlite_breakdown(bigindex.generation_dir(index_dir) / "meta.sqlite")}

    disk_rows, ram_rows = [], []
    for n in sizes:
        f, r = per[n]["files"], per[n]["rss"]
        sqlite_b = f.get("meta.sqlite", 0)
        faiss_b = f.get("vectors.faiss", 0)
        lexical_b = f.get("lexical", 0)
        other_b = sum(f.values()) - sqlite_b - faiss_b - lexical_b
        total = sum(f.values())
        disk_rows.append((f"{n:,}", fmt_bytes(sqlite_b), fmt_bytes(faiss_b), fmt_bytes(lexical_b), fmt_bytes(other_b),
                          fmt_bytes(total), f"{sqlite_b / n:,.0f}", f"{faiss_b / n:,.0f}", f"{lexical_b / n:,.0f}",
                          f"**{total / n:,.0f}**"))
        open_d, query_d = r["opened"] - r["base"], r["queried"] - r["base"]
        ram_rows.append((f"{n:,}", fmt_bytes(r["base"]), fmt_bytes(open_d), fmt_bytes(query_d),
                         f"{open_d / n:,.0f}", f"**{query_d / n:,.0f}**"))

    # Linear extrapolation: from the largest size, and from the slope between the two sizes
    # (which removes any fixed cost) when both were measured.
    big = max(sizes)
    fb, rb = per[big]["files"], per[big]["rss"]
    disk_per = sum(fb.values()) / big
    ram_per = (rb["queried"] - rb["base"]) / big
    lines = []
    if len(sizes) > 1:
        small = min(sizes)
        fs, rs = per[small]["files"], per[small]["rss"]
        disk_slope = (sum(fb.values()) - sum(fs.values())) / (big - small)
        ram_slope = ((rb["queried"] - rb["base"]) - (rs["queried"] - rs["base"])) / (big - small)
        lines = [f"- Slope between {small:,} and {big:,} chunks: {disk_slope:,.0f} B/chunk on disk, "
                 f"{ram_slope:,.0f} B/chunk in RAM"]
    else:
        disk_slope, ram_slope = disk_per, ram_per
    million = 1_000_000
    body = [
        "How: the same Limerick indexes as the latency benchmark (flat FAISS, 384-dim float32). Disk = the files",
        "of the live generation. RAM = growth of VmRSS in a fresh subprocess that has already imported the",
        f"project and loaded the model: after `Index.open`, and after the {len(QUERIES)} benchmark queries.",
        "",
        "## Disk",
        "",
        *table(["chunks", "meta.sqlite", "vectors.faiss", "lexical/ (bm25s)", "other", "total", "sqlite B/chunk",
                "faiss B/chunk", "bm25s B/chunk", "total B/chunk"], disk_rows),
        "",
        "## RAM (resident set growth)",
        "",
        *table(["chunks", "baseline (project + model)", "after open", "after queries", "open B/chunk",
                "queried B/chunk"], ram_rows),
        "",
        f"At {big:,} chunks the flat FAISS file is {fmt_bytes(fb.get('vectors.faiss', 0))} and opening the index "
        f"grows RSS by {fmt_bytes(rb['opened'] - rb['base'])}: the vectors are read into memory whole. SQLite is",
        "opened read-only without mmap, so its file is read through the OS page cache (not counted in RSS); the",
        "process keeps SQLite's own page cache (2 MiB by default), FTS5 and query buffers.",
        "",
        "## Extrapolated to 1,000,000 chunks (linear)",
        "",
        *lines,
        f"- Disk: about {fmt_bytes(disk_slope * million)} per generation (the index keeps up to 2 generations, "
        f"so up to {fmt_bytes(2 * disk_slope * million)} while a new one is written)",
        f"- RAM: about {fmt_bytes(ram_slope * million)} above the model, of which the flat FAISS matrix alone is "
        f"{fmt_bytes(384 * 4 * million)} (384 float32 per chunk) plus 8 B per id",
        "",
        f"## What the SQLite file holds at {big:,} chunks (dbstat; tables and indexes over 1% of the file)",
        "",
        *table(["table or index", "size", "B/chunk", "share"],
               [(name, fmt_bytes(size), f"{size / big:,.0f}", f"{size / max(fb.get('meta.sqlite', 1), 1):.0%}")
                for name, size in per[big]["tables"] if size >= 0.01 * fb.get("meta.sqlite", 1)]),
        "",
        "`chunks` holds each chunk's text, header and five string ids; `files` holds the full text of every",
        "source file (for citations and the source view). BM25 lives beside the file (`lexical/`, bm25s).",
        "Indexes written by earlier versions also held an FTS5 copy of every chunk (`chunks_fts_*`, about",
        "1,760 B per chunk at 100,000 chunks, 26% of this file), which nothing read; the next update drops it.",
    ]
    write_result("memory", "Memory per chunk", command, body, started=started)
    return {"disk_per_chunk": disk_slope, "ram_per_chunk": ram_slope}
