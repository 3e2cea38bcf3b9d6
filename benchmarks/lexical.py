"""BM25 with bm25s (``indexer.lexical``) against SQLite FTS5, which search() used before it.

Run it by hand (``benchmarks/run.py`` does not list it yet)::

    .venv/bin/python benchmarks/lexical.py            # 100k Limerick index + the real corpus index
    .venv/bin/python benchmarks/lexical.py --quick    # 10k instead of 100k, one pass

Both engines rank the same chunks: ``(rowid, text, header)`` read from the ``chunks`` table of
an existing index. Indexes no longer carry an FTS5 table (nothing read it once BM25 moved to
bm25s), so this benchmark builds one over the same rows in a scratch database under
.cache/bench/lexical (FTS5's ``title`` column holds the header) and queries it with the SQL
``search()`` ran then (:func:`fts5`); bm25s is ``LexicalIndex.rank``. Both are asked for n=100,
what ``search()`` takes from each side before fusion, and the two are timed query by query in
turn so that drift in the machine's load falls on both.

- The 100k index is the cached benchmark index (``benchmarks/bigindex.py``); it is opened in
  place, never rebuilt (the module stops if it is missing). Its text is the Limerick corpus
  repeated as replicas, so up to five chunks share a text and differ only in the committee
  name of their header; overlap is therefore given by rowid and by distinct text.
- The small index is ``data/index`` (the real corpus, about 400 chunks), where the gold
  questions (``eval/gold.jsonl``) also score each engine with the project's metrics
  (``indexer.evaluation.metrics``: a hit is a passage holding a judged phrase with the judged date).
- Build variants: the title at the module's default weight, at the other of half weight (as
  FTS5's ``bm25(chunks_fts, 1.0, 0.5)``) and full weight, ignored, and, on the small corpus,
  the default without compound tokens.
- Filters: FTS5's ``rowid IN (...)`` plan takes seconds per query at 100k, so filtered runs
  use every fifth query, once.
- RSS of a loaded index is measured in a fresh process (load, then every query three times).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from common import CACHE, QUERIES, REPO, Stats, fmt_bytes, fmt_ms, say, start_clock, table, write_result

BIG = CACHE / "indexes" / "limerick-{n}-flat"
SMALL = REPO / "data" / "index"
GOLD = REPO / "eval" / "gold.jsonl"
OUT = CACHE / "lexical"
N = 100  # what search() asks of each retriever (RetrievalConfig.candidates)
FILTER_QUERIES = QUERIES[::5]  # FTS5 takes seconds per filtered query at 100k


def variants() -> list[tuple[float, str]]:
    from indexer.store.lexical import TITLE_WEIGHT

    return [(tw, f"title ×{tw:g}" + (" (default)" if tw == TITLE_WEIGHT else "") if tw else "no title")
            for tw in (TITLE_WEIGHT, *(w for w in (0.5, 1, 0) if w != TITLE_WEIGHT))]


# ------------------------------------------------------------------ the two engines

_FTS_TOKEN = re.compile(r"[\w][\w'’-]*", re.UNICODE)


def fts_query(q: str) -> str | None:
    """A user's words as an FTS5 OR-query of quoted terms, as search() built it before bm25s."""
    from indexer.store.metadata import _FTS_STOP

    terms = [t.replace("'", "").replace("’", "") for t in _FTS_TOKEN.findall(q)]
    terms = [t for t in terms if t and t.lower() not in _FTS_STOP]
    return " OR ".join(f'"{t}"' for t in dict.fromkeys(terms)) if terms else None


class Fts5:
    """SQLite FTS5 over the same ``(rowid, text, header)`` rows, in a scratch database under
    .cache/bench/lexical: the table and tokeniser indexes carried until BM25 moved to bm25s."""

    def __init__(self, db: Path, rows: list[tuple[int, str, str]]) -> None:
        db.unlink(missing_ok=True)
        con = sqlite3.connect(db)
        t = time.perf_counter()
        con.execute("CREATE VIRTUAL TABLE chunks_fts USING fts5("
                    "text, title, tokenize = 'porter unicode61 remove_diacritics 2')")
        con.executemany("INSERT INTO chunks_fts(rowid, text, title) VALUES (?,?,?)", rows)
        con.commit()
        self.build_s = time.perf_counter() - t
        con.close()
        self.con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)

    def query(self, sql: str, args=()) -> list:
        return self.con.execute(sql, list(args)).fetchall()


def fts5(sql: Fts5, q: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The SQL search() ran before bm25s: title at half weight, filters as ``rowid IN`` below 30,000."""
    fq = fts_query(q)
    if fq is None or (allowed is not None and len(allowed) == 0):
        return []
    big = allowed is not None and len(allowed) >= 30000
    sql_text = "SELECT rowid, bm25(chunks_fts, 1.0, 0.5) AS s FROM chunks_fts WHERE chunks_fts MATCH ?"
    args: list = [fq]
    if allowed is not None and not big:
        sql_text += f" AND rowid IN ({','.join('?' * len(allowed))})"
        args += [int(x) for x in allowed]
    sql_text += " ORDER BY s LIMIT ?"
    args.append(n * 20 if big else n)
    out = [(int(r[0]), -float(r[1])) for r in sql.query(sql_text, args)]
    if big:
        keep = set(allowed.tolist())
        out = [x for x in out if x[0] in keep][:n]
    return out


def generation(index_dir: Path) -> Path:
    from indexer.store.index import current_generation

    gen = current_generation(index_dir)
    if gen is None:
        raise SystemExit(f"no index at {index_dir}: build it first (benchmarks/bigindex.py)")
    return gen


def read_rows(db: Path) -> list[tuple[int, str, str]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT rowid, text, header FROM chunks ORDER BY rowid").fetchall()
    finally:
        con.close()


def rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def dir_bytes(d: Path) -> int:
    return sum(p.stat().st_size for p in d.iterdir() if p.is_file())


# ------------------------------------------------------------------ measurements

def build_variant(rows, title_weight: float, out: Path) -> tuple[object, dict]:
    from indexer.store.lexical import LexicalIndex

    before, peak_before = rss(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t = time.perf_counter()
    ix = LexicalIndex.build(rows, title_weight=title_weight)
    secs = time.perf_counter() - t
    grown = rss() - before
    if out.exists():
        shutil.rmtree(out)
    ix.save(out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return ix, {"build_s": secs, "rss_grown": grown, "disk": dir_bytes(out),
                "peak": peak if peak > peak_before else None}  # None: an earlier step set the peak


def timed(sql: Fts5, ix, queries, passes: int, allowed=None) -> tuple[Stats, Stats, dict, dict]:
    """p50/p95 of both engines, query by query in turn; the first pass's rankings."""
    t_fts, t_lex, r_fts, r_lex = [], [], {}, {}
    fts5(sql, queries[0], N, allowed), ix.rank(queries[0], N, allowed)  # warm-up
    for p in range(passes):
        for q in queries:
            t = time.perf_counter()
            a = fts5(sql, q, N, allowed)
            t_fts.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            b = ix.rank(q, N, allowed)
            t_lex.append((time.perf_counter() - t) * 1000)
            if p == 0:
                r_fts[q], r_lex[q] = a, b
    return Stats.of(t_fts), Stats.of(t_lex), r_fts, r_lex


def overlap(ra: dict, rb: dict, k: int, key=None) -> float:
    """Mean |top-k of A ∩ top-k of B| / max(|top-k A|, |top-k B|) (1 when both are empty);
    with ``key`` (rowid -> text) counted over distinct texts instead of rowids."""
    vals = []
    for q in ra:
        a = [r for r, _ in ra[q][:k]]
        b = [r for r, _ in rb[q][:k]]
        if key is not None:
            a, b = {key[r] for r in a}, {key[r] for r in b}
        a, b = set(a), set(b)
        vals.append(len(a & b) / max(len(a), len(b)) if (a or b) else 1.0)
    return float(np.mean(vals))


def loaded_rss(lex_dir: Path, passes: int) -> dict:
    """In a fresh process: RSS added by load(mmap=True), and after every query ``passes`` times."""
    code = (
        "import json,sys,time; sys.path.insert(0, sys.argv[1]); import lexical as b; "
        "from indexer.store.lexical import LexicalIndex; import numpy as np; r0=b.rss(); t=time.perf_counter(); "
        "ix=LexicalIndex.load(sys.argv[2], mmap=True); lt=time.perf_counter()-t; r1=b.rss(); "
        "[ix.rank(q, b.N) for _ in range(int(sys.argv[3])) for q in b.QUERIES]; "
        "print(json.dumps({'load_s': lt, 'after_load': r1-r0, 'after_queries': b.rss()-r0}))")
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(lex_dir), str(passes)],
                         capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def filters(db: Path) -> list[tuple[str, np.ndarray]]:
    """Filters as ``search.allowed_ids`` produces them, from about 1% to 60% of the chunks."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    base = "SELECT c.rowid FROM chunks c JOIN meetings m ON m.id = c.meeting_id WHERE "
    out = []
    like = "lower(m.committee) LIKE ?"
    for name, where, args in (
            ("committee 'travel and transportation'", like, ("%travel and transportation%",)),
            ("committee 'joint policing'", like, ("%joint policing%",)),
            ("committee 'newcastle west'", like, ("%newcastle west%",)),
            ("date from 2019-01-01", "m.date >= ?", ("2019-01-01",))):
        ids = np.array(sorted(r[0] for r in con.execute(base + where, args)), dtype=np.int64)
        out.append((name, ids))
    con.close()
    return out


def quality(db: Path, lex: dict, sql: Fts5) -> list[tuple[str, dict]]:
    """Gold-set metrics of the top 10 of each engine (no fusion, no boosts)."""
    from indexer.evaluate import metrics as ev

    questions = ev.load_gold(GOLD)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = {r[0]: r for r in con.execute(
        "SELECT c.rowid, c.id, c.text, m.date FROM chunks c JOIN meetings m ON m.id = c.meeting_id")}
    con.close()

    def hits(ranking):
        return [ev.Hit(rows[r][1], rows[r][2], rows[r][3], s) for r, s in ranking[:ev.K]]

    out = [("FTS5 (the SQL search() ran before bm25s)", ev.evaluate(questions, lambda q: hits(fts5(sql, q, N)))[0])]
    for name, (ix, patch) in lex.items():
        with patch():
            out.append((f"bm25s, {name}", ev.evaluate(questions, lambda q: hits(ix.rank(q, N)))[0]))
    return out


@contextlib.contextmanager
def no_compounds():
    """Tokenise without step 2's compound tokens (an ablation; only for the comparison)."""
    from indexer.store import lexical

    saved = lexical._COMPOUND
    lexical._COMPOUND = re.compile(r"(?!x)x")  # matches nothing
    try:
        yield
    finally:
        lexical._COMPOUND = saved


# ------------------------------------------------------------------ one index

def measure(label: str, index_dir: Path, passes: int, builds, with_filters: bool) -> tuple[list[str], dict]:
    gen = generation(index_dir)
    db = gen / "meta.sqlite"
    t = time.perf_counter()
    rows = read_rows(db)
    read_s = time.perf_counter() - t
    texts = {r: text for r, text, _ in rows}
    say(f"{label}: building FTS5 over the same rows")
    sql = Fts5(OUT / f"{gen.parent.name}-fts5.sqlite", rows)
    fts_bytes = sql.query("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'chunks_fts%'")[0][0] \
        if _has_dbstat(sql) else None
    say(f"{label}: {len(rows):,} chunks read in {read_s:.1f} s")
    built, by_variant = {}, []
    for tw, name in builds:
        say(f"{label}: building bm25s, {name}")
        ix, info = build_variant(rows, tw, OUT / f"{gen.parent.name}-tw{tw}")
        built[tw] = (ix, info)
    default = builds[0][0]
    ix, info = built[default]
    lex_dir = OUT / f"{gen.parent.name}-tw{default}"
    say(f"{label}: timing {len(QUERIES)} queries × {passes}")
    s_fts, s_lex, r_fts, r_lex = timed(sql, ix, QUERIES, passes)
    mem = loaded_rss(lex_dir, passes)
    for tw, name in builds:
        v_ix = built[tw][0]
        r_v = r_lex if tw == default else {q: v_ix.rank(q, N) for q in QUERIES}
        by_variant.append((name, fmt_s(built[tw][1]["build_s"]), fmt_bytes(built[tw][1]["disk"]),
                           f"{overlap(r_fts, r_v, 10):.2f}", f"{overlap(r_fts, r_v, 100):.2f}",
                           f"{overlap(r_fts, r_v, 10, texts):.2f}", f"{overlap(r_fts, r_v, 100, texts):.2f}"))
    n = len(rows)
    body = [
        f"## {label}: {n:,} chunks (`{gen.relative_to(REPO)}`)",
        "",
        *table(["", "FTS5 (scratch table, the SQL search() ran)", "bm25s (`LexicalIndex.rank`)"], [
            (f"query p50 / p95, n={N} (ms)", f"{fmt_ms(s_fts.p50)} / {fmt_ms(s_fts.p95)}",
             f"{fmt_ms(s_lex.p50)} / {fmt_ms(s_lex.p95)}"),
            ("query mean / max (ms)", f"{fmt_ms(s_fts.mean)} / {fmt_ms(s_fts.max)}",
             f"{fmt_ms(s_lex.mean)} / {fmt_ms(s_lex.max)}"),
            ("build", f"{fmt_s(sql.build_s)} (inserting the rows)",
             f"{fmt_s(info['build_s'])} ({fmt_s(read_s)} more to read the rows from SQLite)"),
            ("size on disk", fmt_bytes(fts_bytes) + " (the `chunks_fts*` tables)" if fts_bytes else "n/a",
             f"{fmt_bytes(info['disk'])} ({info['disk'] / n:.0f} B per chunk)"),
            ("RSS added by load(mmap=True) / after the queries", "SQLite page cache",
             f"{fmt_bytes(mem['after_load'])} / {fmt_bytes(mem['after_queries'])} "
             f"({mem['after_queries'] / n:.0f} B per chunk; load {mem['load_s'] * 1000:.0f} ms)"),
            ("RSS grown while building (process peak)", "",
             f"{fmt_bytes(info['rss_grown'])} ({fmt_bytes(info['peak']) if info['peak'] else 'set earlier'})"),
        ]),
        "",
        f"Agreement with FTS5 over the {len(QUERIES)} queries (|top-k ∩ top-k| / k, by rowid and by distinct text):",
        "",
        *table(["bm25s build", "build", "disk", "top-10", "top-100", "top-10 texts", "top-100 texts"], by_variant),
    ]
    result = {"n": n, "fts": s_fts, "lex": s_lex, "info": info, "mem": mem, "variants": by_variant}
    if with_filters:
        frows = []
        for name, allowed in filters(db):
            say(f"{label}: filter {name} ({len(allowed):,} chunks)")
            f_fts, f_lex, fr_fts, fr_lex = timed(sql, ix, FILTER_QUERIES, 1, allowed)
            keep = set(allowed.tolist())
            outside = sum(1 for q in FILTER_QUERIES for r, _ in fr_lex[q] if r not in keep)
            short = sum(1 for q in FILTER_QUERIES if len(fr_fts[q]) < len(fr_lex[q]))
            frows.append((name, f"{len(allowed):,}", f"{fmt_ms(f_fts.p50)} / {fmt_ms(f_fts.p95)}",
                          f"{fmt_ms(f_lex.p50)} / {fmt_ms(f_lex.p95)}", f"{overlap(fr_fts, fr_lex, 10):.2f}",
                          f"{overlap(fr_fts, fr_lex, 100):.2f}", str(short), str(outside)))
        body += ["", f"Filtered (`allowed` as `search.allowed_ids` makes it), n={N}, every fifth query "
                 f"({len(FILTER_QUERIES)}) once, p50 / p95 ms:", "",
                 *table(["filter", "allowed", "FTS5", "bm25s", "top-10", "top-100",
                         "queries where FTS5 returned fewer", "bm25s results outside allowed"], frows),
                 "",
                 "FTS5's plans (the SQL search() ran): under 30,000 allowed ids the SQL carries `AND rowid IN (...)` "
                 "with every id as a parameter; from 30,000 it fetches the top n×20 unfiltered and filters in "
                 "Python, which can come back short of n. bm25s scores every chunk and masks."]
        result["filters"] = frows
    return body, result | {"built": built, "sql": sql, "db": db}


def fmt_s(s: float) -> str:
    return f"{s:.1f} s" if s >= 1 else f"{s * 1000:.0f} ms"


def _has_dbstat(sql: Fts5) -> bool:
    try:
        sql.query("SELECT 1 FROM dbstat LIMIT 1")
        return True
    except sqlite3.Error:
        return False


# ------------------------------------------------------------------ the run

def run(quick: bool, command: str) -> dict:
    from indexer.store.lexical import K1, B, TOKEN_PATTERN, TOKENIZER, LexicalIndex

    started = start_clock()
    logging.getLogger("indexer").setLevel(logging.ERROR)
    n = 10_000 if quick else 100_000
    passes = 1 if quick else 3
    OUT.mkdir(parents=True, exist_ok=True)
    body_big, big = measure("Limerick benchmark index", Path(str(BIG).format(n=n)), passes, variants(), True)
    body_small, small = measure("Real corpus index", SMALL, passes, variants(), False)

    say("quality on the gold questions")
    ix_small = {tw: v[0] for tw, v in small["built"].items()}
    small_rows = read_rows(small["db"])
    with no_compounds():
        plain = LexicalIndex.build(small_rows)
    lex = {name: (ix_small[tw], contextlib.nullcontext) for tw, name in variants()}
    lex[f"{variants()[0][1]}, no compound tokens"] = (plain, no_compounds)
    q_rows = quality(small["db"], lex, small["sql"])
    cols = ["hit@1", "hit@5", "mrr@10", "ndcg@10", "recall@10"]

    body = [
        f"How: `.venv/bin/python benchmarks/lexical.py{' --quick' if quick else ''}`; see the module docstring. "
        f"Each engine answers the {len(QUERIES)} benchmark queries (`benchmarks/common.py`) {passes}× "
        f"with n={N}, alternating query by query. bm25s: Lucene BM25, k1={K1}, b={B}, tokeniser "
        f"`{TOKENIZER}` (pattern `{TOKEN_PATTERN}`), numpy backend (no numba).",
        "",
        *body_big,
        "",
        *body_small,
        "",
        "## Quality on the gold questions (real corpus index, top 10, no fusion or boosts)",
        "",
        *table(["engine", *cols], [(name, *(f"{m[c]:.3f}" for c in cols)) for name, m in q_rows]),
        "",
        f"{q_rows[0][1]['n']} answerable questions; metrics as in `eval/results.md` (whose 'bm25 only' row is "
        "FTS5 through `search()`).",
    ]
    write_result("lexical", "BM25: bm25s against SQLite FTS5", command, body, started=started)
    return {"big": big, "small": small, "quality": q_rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="the 10k index, one pass")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    command = " ".join([".venv/bin/python benchmarks/lexical.py", *(argv if argv is not None else sys.argv[1:])])
    run(args.quick, command)
    say("results written to benchmarks/results/lexical.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
