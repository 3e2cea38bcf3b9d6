"""Index directory, incremental indexing, crash safety, retrieval filters and citations."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from indexer.store import metadata as store
from indexer.chunk.chunker import chunk_source
from indexer.embed.hashing import HashEmbedder
from indexer.common.errors import IndexNotFound, ModelMismatch
from indexer.store.index import Index, current_generation, update_index
from indexer.structure.reader import parse_path
from indexer.common.results import BadQuery, Filters
from indexer.retrieve.search import RetrievalConfig, search

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
PACKS = sorted(p for p in CORPUS.iterdir() if p.suffix == ".txt")

QUERIES = [
    "social worker retention", "minute 25", "Ofsted", "SEND", "Family Hubs", "libraries opening hours",
    "young carers", "work programme", "NEET young people", "early years school readiness",
    "Family Valued programme Leeds", "Covid impact on schools", "outstanding issues response",
    "safeguarding children board annual report", "agency social workers caseload",
]


class CountingEmbedder(HashEmbedder):
    """The fake embedder, counting how many texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_batch(self, texts, *, kind="passage"):
        self.embedded += len(texts)
        return super().embed_batch(texts, kind=kind)


def units(paths):
    return [(p, CORPUS) for p in paths]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("idx")
    update_index(d, units(PACKS), HashEmbedder())
    return Index.open(d, embedder=HashEmbedder())


def test_manifest_describes_the_index(built):
    m = built.manifest
    assert m["model_id"] == "hash-32" and m["dim"] == 32 and m["normaliser"] == "l2"
    assert m["chunker"]["max_words"] == 180 and m["schema_version"] == store.SCHEMA_VERSION
    assert set(m["units"]) == {p.name for p in PACKS}
    assert all(len(u["sha256"]) == 64 for u in m["units"].values())
    assert built.count == m["chunks"] > 300


def test_opening_with_another_model_is_a_clear_error(built):
    with pytest.raises(ModelMismatch, match="hash-32"):
        Index.open(built.index_dir, model="all-MiniLM-L6-v2")


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexNotFound, match="council index"):
        Index.open(tmp_path / "nothing", embedder=HashEmbedder())


def test_every_result_is_cited_at_its_place_in_the_source(built):
    """Each passage is verbatim at its span, inside its item's (or document's) span, with the
    item's meeting date, number and pages as the reader gave them."""
    parsed = {p.name: parse_path(p, root=CORPUS) for p in PACKS}
    items = {it.id: (ps, it) for ps in parsed.values() for it in ps.items}
    docs = {d.id: d for ps in parsed.values() for d in ps.documents}
    meetings = {m.id: m for ps in parsed.values() for m in ps.meetings}
    seen = 0
    for q in QUERIES:
        for r in search(built, q, 10):
            ps, item = items[r.item_id]
            src = ps.source_for(r.path)
            assert src.text[r.span[0]:r.span[1]] == r.text
            container = item.span if item.kind == "minute" else docs[r.document_id].span
            assert container[0] <= r.span[0] and r.span[1] <= container[1], r.id
            assert r.document_id in item.document_ids
            assert r.meeting_date == meetings[item.meeting_id].date
            assert (r.item_number, r.item_title) == (item.number, item.title)
            doc = docs[r.document_id]
            assert r.published_for == meetings[doc.published_for].date
            if item.kind == "minute":
                lo, hi = item.page_start, item.page_end
            else:
                lo, hi = doc.page_start, doc.page_end
            if lo is not None:
                assert lo <= r.page_start <= r.page_end <= hi
            seen += 1
    assert seen == 10 * len(QUERIES)


def test_minutes_carry_the_date_of_the_meeting_they_record(built):
    hits = search(built, "minute 25 Children's Services Improvement social work academy", 5)
    top = hits[0]
    assert top.meeting_date == date(2019, 11, 28) and top.published_for == date(2020, 1, 9)
    assert top.item_number == "25" and top.doc_type == "minutes"
    assert top.citation.startswith(
        "Education and Children's Services Scrutiny Board (2), 28 November 2019, minute 25: "
        "Children's Services Improvement")


def test_result_contract_shape(built):
    d = search(built, "young carers", 1)[0].to_dict()
    assert set(d) == {"id", "score", "text", "committee", "meeting_date", "doc_type", "item", "item_id", "meeting_id",
                      "document_id", "url", "source", "citation", "restricted"}
    assert d["citation"]["text"].startswith("Education and Children's Services Scrutiny Board (2), ")
    assert set(d["item"]) == {"number", "title"}
    assert set(d["source"]) == {"path", "published_for", "page_start", "page_end", "ocr", "url", "page_url"}
    assert not d["text"].startswith("Education and Children's Services Scrutiny Board (2), ")  # no header


@pytest.mark.parametrize("filters,check", [
    (Filters(doc_type="minutes"), lambda r: r.doc_type == "minutes"),
    (Filters(doc_type="work_programme"), lambda r: r.doc_type == "work_programme"),
    (Filters(date_from=date(2021, 1, 1)), lambda r: r.meeting_date >= date(2021, 1, 1)),
    (Filters(date_to=date(2017, 12, 31)), lambda r: r.meeting_date <= date(2017, 12, 31)),
    (Filters(date_from=date(2019, 11, 28), date_to=date(2019, 11, 28)), lambda r: r.meeting_date == date(2019, 11, 28)),
    (Filters(committee="scrutiny board (2)"), lambda r: "Scrutiny Board (2)" in r.committee),
])
def test_filters_apply_inside_retrieval_and_still_return_k(built, filters, check):
    for q in ("libraries", "tram extension", "social workers"):
        results = search(built, q, 10, filters)
        assert len(results) == 10, (q, filters)  # each filter admits far more than 10 chunks
        assert all(check(r) for r in results)


def test_selective_filter_returns_all_that_exist(built):
    one_day = Filters(date_from=date(2023, 3, 16), date_to=date(2023, 3, 16), doc_type="minutes")
    n = built.query("SELECT COUNT(*) FROM chunks c JOIN meetings m ON m.id=c.meeting_id WHERE m.date='2023-03-16'")[0][0]
    assert 0 < n < 50
    assert len(search(built, "anything about schools", 50, one_day)) == n
    assert search(built, "libraries", 5, Filters(committee="Planning Committee")) == []


def test_bad_queries_are_refused(built):
    for q, k in (("", 10), ("   ", 10), ("x" * 2000, 10), ("ok", 0), ("ok", 51)):
        with pytest.raises(BadQuery):
            search(built, q, k)
    with pytest.raises(BadQuery):
        Filters(doc_type="letter")


def test_bm25_finds_exact_names_and_modes_differ(built):
    bm25 = search(built, "Saplings Programme", 3, cfg=RetrievalConfig(mode="bm25"))
    assert "Saplings" in bm25[0].text
    dense = search(built, "Saplings Programme", 3, cfg=RetrievalConfig(mode="dense"))
    assert dense and all(r.signals["dense_rank"] for r in dense)


def test_incremental_indexing_embeds_only_the_new_pack_and_rerun_is_a_no_op(tmp_path):
    emb = CountingEmbedder()
    first = update_index(tmp_path, units(PACKS[:4]), emb)
    assert first.chunks_embedded == emb.embedded > 0
    gen1 = current_generation(tmp_path)
    emb.embedded = 0
    sixth = PACKS[4]
    expected = len(chunk_source(parse_path(sixth, root=CORPUS)))
    second = update_index(tmp_path, units(PACKS), emb)
    assert second.added == [sixth.name] and sorted(second.unchanged) == sorted(p.name for p in PACKS[:4])
    assert emb.embedded + second.chunks_reused == expected
    assert emb.embedded <= expected and second.chunks_embedded == emb.embedded
    gen2 = current_generation(tmp_path)
    assert gen2 != gen1
    emb.embedded = 0
    third = update_index(tmp_path, units(PACKS), emb)
    assert emb.embedded == 0 and not third.wrote and current_generation(tmp_path) == gen2


def test_an_older_index_loses_its_unused_fts_table_on_update_and_keeps_everything_else(tmp_path):
    """Indexes written before BM25 moved to bm25s carry an FTS5 copy of every chunk that nothing
    reads: the next update drops it and gives the space back; nothing indexed is lost."""
    import sqlite3

    from indexer.store.index import DB

    update_index(tmp_path, units(PACKS[:2]), HashEmbedder())
    old = current_generation(tmp_path)
    con = sqlite3.connect(old / DB)
    con.execute("CREATE VIRTUAL TABLE chunks_fts USING fts5(text, title)")
    con.execute("INSERT INTO chunks_fts(rowid, text, title) SELECT rowid, text, header FROM chunks")
    con.commit()
    n_old = con.execute("SELECT count(*) FROM chunks").fetchone()[0]
    con.close()
    manifest = json.loads((old / "manifest.json").read_text())
    del manifest["files"]  # written before generations recorded their checksums
    (old / "manifest.json").write_text(json.dumps(manifest))
    ix = Index.open(tmp_path, embedder=HashEmbedder())  # an old index still opens and answers
    assert search(ix, "social worker retention", 5)
    ix.close()

    emb = CountingEmbedder()
    report = update_index(tmp_path, units(PACKS[:3]), emb)
    new = current_generation(tmp_path)
    assert new != old and report.added == [PACKS[2].name]
    con = sqlite3.connect(new / DB)
    assert not con.execute("SELECT 1 FROM sqlite_master WHERE name LIKE 'chunks_fts%'").fetchall()
    n_from_old = con.execute("SELECT count(*) FROM chunks WHERE unit IN (?, ?)",
                             (PACKS[0].name, PACKS[1].name)).fetchone()[0]
    free, pages = (con.execute(f"PRAGMA {p}").fetchone()[0] for p in ("freelist_count", "page_count"))
    con.close()
    assert n_from_old == n_old  # nothing indexed is lost, and only the new pack was embedded
    assert emb.embedded == len(chunk_source(parse_path(PACKS[2], root=CORPUS)))
    assert free <= 0.02 * pages  # the FTS copy's pages went back to the file system (VACUUM)
    ix = Index.open(tmp_path, embedder=HashEmbedder())
    assert search(ix, "social worker retention", 5)
    ix.close()


def test_changed_pack_reuses_unchanged_chunks_and_prune_drops_removed(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns("README.md"))
    idx = tmp_path / "idx"
    emb = CountingEmbedder()
    update_index(idx, [(p, corpus) for p in sorted(corpus.glob("*.txt"))], emb)
    target = corpus / PACKS[0].name
    target.write_text(target.read_text() + "\n\nThe Scrutiny Board noted a new zebra crossing.\n")
    emb.embedded = 0
    rep = update_index(idx, [(p, corpus) for p in sorted(corpus.glob("*.txt"))], emb)
    assert rep.changed == [target.name] and 0 < emb.embedded <= 3 and rep.chunks_reused > 50
    (corpus / PACKS[1].name).unlink()
    rep = update_index(idx, [(p, corpus) for p in sorted(corpus.glob("*.txt"))], emb, prune=True)
    assert rep.removed == [PACKS[1].name]
    index = Index.open(idx, embedder=HashEmbedder())
    assert PACKS[1].name not in index.manifest["units"]
    assert not index.query("SELECT 1 FROM chunks WHERE path=?", (PACKS[1].name,))
    assert index.count == index.query("SELECT COUNT(*) FROM chunks")[0][0]


def test_copy_under_another_name_is_not_indexed_twice(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copy(PACKS[0], corpus / "a.txt")
    shutil.copy(PACKS[0], corpus / "copy-of-a.txt")
    rep = update_index(tmp_path / "idx", [(corpus / "a.txt", corpus), (corpus / "copy-of-a.txt", corpus)], HashEmbedder())
    assert rep.added == ["a.txt"]
    assert len(rep.errors) == 1 and "copy-of-a.txt: same content as a.txt" in str(rep.errors[0])


SLOW_INDEXER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from indexer.embed.hashing import HashEmbedder
    from indexer.store.index import update_index

    class Slow(HashEmbedder):
        def embed_batch(self, texts, *, kind="passage"):
            Path(sys.argv[2]).touch()  # tell the test that embedding has started
            time.sleep(0.2)
            return super().embed_batch(texts, kind=kind)

    corpus = Path(sys.argv[3])
    update_index(sys.argv[1], [(p, corpus) for p in sorted(corpus.glob("*.txt"))], Slow(), batch_size=4)
""")


@pytest.mark.parametrize("delay", [0.0, 0.5, 1.5])
def test_killing_the_indexer_leaves_the_previous_index_answering(tmp_path, delay):
    idx = tmp_path / "idx"
    update_index(idx, units(PACKS[:4]), HashEmbedder())
    before = [r.id for r in search(Index.open(idx, embedder=HashEmbedder()), "social worker retention", 10)]
    corpus = tmp_path / "c"
    corpus.mkdir()
    for p in PACKS:
        shutil.copy(p, corpus / p.name)
    marker = tmp_path / "started"
    script = tmp_path / "slow.py"
    script.write_text(SLOW_INDEXER)
    env = {**os.environ, "PYTHONPATH": str(CORPUS.parent)}
    proc = subprocess.Popen([sys.executable, str(script), str(idx), str(marker), str(corpus)], env=env)
    deadline = time.time() + 30
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    index = Index.open(idx, embedder=HashEmbedder())
    assert [r.id for r in search(index, "social worker retention", 10)] == before
    # the next run completes and gives what an uninterrupted run gives
    update_index(idx, [(p, corpus) for p in sorted(corpus.glob("*.txt"))], HashEmbedder())
    clean = tmp_path / "clean"
    update_index(clean, [(p, corpus) for p in sorted(corpus.glob("*.txt"))], HashEmbedder())
    a, b = Index.open(idx, embedder=HashEmbedder()), Index.open(clean, embedder=HashEmbedder())
    for q in QUERIES[:5]:
        assert [(r.id, round(r.score, 5)) for r in search(a, q, 10)] == [(r.id, round(r.score, 5)) for r in search(b, q, 10)]
    assert len(list(idx.glob("gen-*"))) <= 2


def test_faiss_topk_matches_brute_force_on_the_index(built):
    ids = np.array([r[0] for r in built.query("SELECT rowid FROM chunks")], dtype=np.int64)
    mat = built.vectors.vectors_for(ids)
    q = HashEmbedder().embed_batch(["children's services improvement"], kind="query")[0]
    scores, got = built.vectors.search(q, 10)
    brute = ids[np.argsort(-(mat @ q), kind="stable")[:10]]
    assert np.allclose(np.sort(np.asarray(scores).reshape(-1))[::-1], np.sort(mat @ q)[::-1][:10], atol=1e-5)
    assert set(np.asarray(got).reshape(-1).tolist()) == set(brute.tolist()) or \
        np.allclose(np.sort(mat @ q)[::-1][9], np.sort(mat @ q)[::-1][10], atol=1e-6)


def test_a_per_index_cache_is_built_once_however_many_threads_ask_at_once(tmp_path):
    import threading
    import time as _time

    from indexer.store.repository import Repository

    repo = Repository.__new__(Repository)
    built = []

    def build():
        built.append(1)
        _time.sleep(0.2)  # long enough for every thread to arrive while it is being built
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(repo.cached("x", build))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1 and len({id(g) for g in got}) == 1
