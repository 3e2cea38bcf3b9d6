"""SIGKILL `council index` at random moments, again and again: the index is never lost.

The real command runs in a child process, with the hash embedder slowed a little (so kills also
land while it embeds). After every kill the last good generation must answer exactly as before,
`council check` must pass, and nothing a killed run embedded is embedded again: the final,
uninterrupted run embeds only what no earlier run had finished embedding.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from indexer.embed.hashing import HashEmbedder
from indexer.retrieve.search import search
from indexer.store.check import check_index
from indexer.store.embedcache import EmbeddingCache
from indexer.store.index import Index, current_generation, update_index

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
PACKS = sorted(CORPUS.glob("*.txt"))
QUERIES = ["social worker retention", "libraries", "early help family hubs", "post 16 NEET", "work programme"]
KILLS = 12

# `council index` itself, with each embedding batch taking 0.25 s longer
SLOW_COUNCIL = textwrap.dedent("""
    import sys, time
    from indexer.embed.hashing import HashEmbedder
    fast = HashEmbedder.embed_batch
    def slow(self, texts, *, kind="passage"):
        if kind == "passage":
            time.sleep(0.25)
        return fast(self, texts, kind=kind)
    HashEmbedder.embed_batch = slow
    from indexer.cli import main
    main(sys.argv[1:], prog_name="council")
""")


def _answers(idx: Path) -> list:
    index = Index.open(idx, embedder=HashEmbedder())
    try:
        return [[(r.id, round(r.score, 5)) for r in search(index, q, 10)] for q in QUERIES]
    finally:
        index.close()


def _cached(idx: Path) -> int:
    cache = EmbeddingCache(idx, HashEmbedder().model_id, HashEmbedder().dim)
    try:
        return cache.count()
    finally:
        cache.close()


def _state(idx: Path, live: Path, cached: int, total_new: int) -> str:
    if current_generation(idx) != live:
        return "after the swap (the run had finished)"
    if cached >= total_new:
        return "after embedding, while writing the new generation"
    if cached:
        return "while embedding"
    if any(p.name > live.name for p in idx.glob("gen-*")):
        return "while parsing, before the first batch was embedded"
    return "while starting"


@pytest.mark.slow
def test_a_dozen_sigkills_never_lose_the_index_or_an_embedding(tmp_path):
    rng = random.Random(22)
    corpus = tmp_path / "papers"
    corpus.mkdir()
    for p in PACKS:
        shutil.copy(p, corpus / p.name)
    pristine = tmp_path / "pristine"
    update_index(pristine, [(corpus / p.name, corpus) for p in PACKS[:2]], HashEmbedder())
    before = _answers(pristine)
    reference = tmp_path / "reference"
    update_index(reference, [(corpus / p.name, corpus) for p in PACKS], HashEmbedder())
    after = _answers(reference)
    total_new = sum(1 for _ in Index.open(reference, embedder=HashEmbedder()).query(
        "SELECT 1 FROM chunks WHERE unit NOT IN (?, ?)", (PACKS[0].name, PACKS[1].name)))

    idx = tmp_path / "idx"
    shutil.copytree(pristine, idx)
    script = tmp_path / "slow_council.py"
    script.write_text(SLOW_COUNCIL)
    env = {**os.environ, "COUNCIL_MODEL": "hash-32", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(script), "index", str(corpus), "--index-dir", str(idx), "--no-progress"]

    t0 = time.perf_counter()  # how long an uninterrupted run takes here, in a scratch copy
    scratch = tmp_path / "scratch"
    shutil.copytree(pristine, scratch)
    subprocess.run([*cmd[:-2], str(scratch), "--no-progress"], env=env, check=True, capture_output=True)
    full = time.perf_counter() - t0

    kinds: Counter = Counter()
    cached_before = 0
    for n in range(KILLS):
        if n == KILLS - 1:  # the last kill lands while embedding, from the old index with nothing cached
            shutil.rmtree(idx)
            shutil.copytree(pristine, idx)
            cached_before = 0
        live = current_generation(idx)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if n < KILLS - 1:
            time.sleep(rng.uniform(0.05, full * 0.97))
        else:
            deadline = time.time() + 60
            while time.time() < deadline and (not (idx / "embedding-cache.sqlite").exists() or _cached(idx) == 0):
                time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        cached = _cached(idx)
        kind = _state(idx, live, cached, total_new)
        kinds[kind] += 1
        assert all(c.ok or c.info for c in check_index(idx)), [c for c in check_index(idx) if not c.ok]
        if current_generation(idx) == live:
            assert _answers(idx) == before, kind  # the last good generation answers as before
            assert cached >= cached_before  # a killed run keeps what it embedded for the next
            cached_before = cached
        else:  # the run had finished: its generation is the reference's; start again from the old one
            assert _answers(idx) == after
            shutil.rmtree(idx)
            shutil.copytree(pristine, idx)
            cached_before = 0
    # the next run finishes, embedding only what no killed run had embedded
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    embedded = int(re.search(r"(\d+) chunks embedded", done.stdout).group(1))
    assert cached_before > 0 and embedded == total_new - cached_before, (done.stdout, cached_before, total_new)
    assert _answers(idx) == after
    assert all(c.ok or c.info for c in check_index(idx))
    print(f"\n{KILLS} SIGKILLs (an uninterrupted run takes {full:.1f} s); index state after each kind: "
          + "; ".join(f"{k}: {n}" for k, n in sorted(kinds.items()))
          + f"; the final run embedded {embedded} of {total_new} new passages ({cached_before} came from the cache)")
