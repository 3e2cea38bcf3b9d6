"""A crash never costs the index: second writers, damaged files, `council check`, no lost embedding."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.common.errors import CouncilError, IndexCorrupt
from indexer.embed.hashing import HashEmbedder
from indexer.retrieve.search import search
from indexer.store.check import check_index
from indexer.store.embedcache import FILE as CACHE_FILE
from indexer.store.index import Index, current_generation, update_index
from indexer.store.vectors import VectorIndex

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
PACKS = sorted(CORPUS.glob("*.txt"))


def units(paths):
    return [(p, CORPUS) for p in paths]


def council(*args, subprocess_run: bool = False):
    """Run the CLI: in this process (fast), or as a real process."""
    env = {"COUNCIL_MODEL": "hash-32", "HF_HUB_OFFLINE": "1"}
    if subprocess_run:
        return subprocess.run([sys.executable, "-m", "indexer.cli", *args], capture_output=True, text=True,
                              cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, timeout=120)
    r = CliRunner().invoke(main, list(args), env=env)
    return SimpleNamespace(returncode=r.exit_code, stdout=r.stdout, stderr=r.stderr)


class Counting(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_batch(self, texts, *, kind="passage"):
        if kind == "passage":
            self.embedded += len(texts)
        return super().embed_batch(texts, kind=kind)


@pytest.fixture
def built(tmp_path) -> Path:
    idx = tmp_path / "idx"
    update_index(idx, units(PACKS[:2]), HashEmbedder())
    return idx


def test_a_second_writer_is_refused_with_a_clear_message(built):
    with open(built / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running `council index` holds it
        with pytest.raises(CouncilError, match="another `council index` is writing this index"):
            update_index(built, units(PACKS[:3]), HashEmbedder())
        r = council("index", str(PACKS[2]), "--index-dir", str(built), "--no-progress", subprocess_run=True)
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert r.stderr.strip() == "error: another `council index` is writing this index; try again when it ends"
    assert len(list(built.glob("gen-*"))) == 1  # nothing was written beside the live generation


def _damage(gen: Path, how: str) -> str:
    """Damage one file of a generation; returns the file's name."""
    name = {"truncate faiss": "vectors.faiss", "truncate sqlite": "meta.sqlite", "garbage sqlite": "meta.sqlite",
            "flip faiss": "vectors.faiss", "delete faiss": "vectors.faiss"}[how]
    f = gen / name
    data = bytearray(f.read_bytes())
    if how.startswith("truncate"):
        f.write_bytes(data[:len(data) // 3])
    elif how == "garbage sqlite":
        data[:16] = b"not a database!!"
        f.write_bytes(data)
    elif how == "flip faiss":
        data[-64] ^= 0xFF
        f.write_bytes(data)
    else:
        f.unlink()
    return name


@pytest.mark.parametrize("how", ["truncate faiss", "truncate sqlite", "garbage sqlite", "delete faiss"])
def test_a_damaged_file_is_one_clear_error_naming_it_and_the_fix(built, how):
    name = _damage(current_generation(built), how)
    with pytest.raises(IndexCorrupt) as err:
        Index.open(built, embedder=HashEmbedder())
    assert name in str(err.value) and "council index" in str(err.value)
    for cmd in (["search", "social workers"], ["serve", "--port", "1"]):
        r = council(*cmd, "--index-dir", str(built))
        assert r.returncode == 2, r.stderr
        assert "Traceback" not in r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and name in lines[0] and "council index" in lines[0]


def test_council_check_finds_damage_and_the_next_index_run_repairs_it(built):
    r = council("check", "--index-dir", str(built))
    assert r.returncode == 0 and "every check passed" in r.stdout, r.stdout
    assert {c.name for c in check_index(built)} >= {"counts", "vectors have passages", "passages have vectors",
                                                    "checksum meta.sqlite", "checksum vectors.faiss", "sqlite"}
    damaged_gen = current_generation(built)
    _damage(damaged_gen, "flip faiss")  # the size is right: only the checksum can tell
    r = council("check", "--index-dir", str(built))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "FAIL  checksum vectors.faiss" in r.stdout and "council index" in r.stdout
    report = update_index(built, units(PACKS[:2]), HashEmbedder())  # the papers have not changed ...
    assert report.wrote and any("vectors.faiss is damaged" in w for w in report.warnings)
    assert current_generation(built) != damaged_gen  # ... but the damaged generation is replaced
    assert council("check", "--index-dir", str(built)).returncode == 0


def test_check_reports_passages_and_vectors_that_disagree(built):
    gen = current_generation(built)
    v = VectorIndex.load(gen / "vectors.faiss")
    import numpy as np

    v.remove(np.array([1], dtype=np.int64))
    v.save(gen / "vectors.faiss")
    failed = {c.name for c in check_index(built) if not c.ok and not c.info}
    assert {"counts", "passages have vectors", "checksum vectors.faiss"} <= failed


def test_a_run_that_dies_late_loses_no_embedding(tmp_path, monkeypatch):
    idx = tmp_path / "idx"
    update_index(idx, units(PACKS[:1]), HashEmbedder())
    live = current_generation(idx)
    before = [r.id for r in search(Index.open(idx, embedder=HashEmbedder()), "social worker retention", 10)]

    def crash(self, path):
        raise KeyboardInterrupt("killed while saving the vectors")

    monkeypatch.setattr(VectorIndex, "save", crash)
    first = Counting()
    with pytest.raises(KeyboardInterrupt):
        update_index(idx, units(PACKS[:3]), first)
    monkeypatch.undo()
    assert first.embedded > 0 and current_generation(idx) == live
    assert [r.id for r in search(Index.open(idx, embedder=HashEmbedder()), "social worker retention", 10)] == before
    again = Counting()
    report = update_index(idx, units(PACKS[:3]), again)
    assert again.embedded == 0 and report.chunks_embedded == 0  # every vector came from the embedding cache
    assert report.chunks_reused >= first.embedded
    assert (idx / CACHE_FILE).stat().st_size < 64_000  # emptied once the generation is live
    clean = tmp_path / "clean"
    update_index(clean, units(PACKS[:3]), HashEmbedder())
    a, b = Index.open(idx, embedder=HashEmbedder()), Index.open(clean, embedder=HashEmbedder())
    assert [r.id for r in search(a, "libraries", 10)] == [r.id for r in search(b, "libraries", 10)]


def test_a_damaged_embedding_cache_is_started_again(built):
    (built / CACHE_FILE).write_bytes(b"this is not sqlite" * 100)
    for side in ("-wal", "-shm"):
        Path(str(built / CACHE_FILE) + side).unlink(missing_ok=True)
    report = update_index(built, units(PACKS[:3]), HashEmbedder())
    assert report.added == [PACKS[2].name]
    shutil.rmtree(built)
