"""`council index --ray`: the Ray actor pool gives the index a single process builds, and the
command says what to install when Ray is missing."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.embed.hashing import HashEmbedder
from indexer.embed.ray_pool import INSTALL_HINT, RayEmbedder
from tests.embed.ray_helpers import PACKS, assert_same_index, build

ray = pytest.importorskip("ray")


@pytest.fixture
def local_ray():
    """One small local Ray for the whole session (started again if a cluster test stopped it)."""
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray


@pytest.fixture(scope="session", autouse=True)
def _stop_ray_at_the_end():
    yield
    if "ray" in sys.modules and ray.is_initialized():
        ray.shutdown()


def test_ray_pool_returns_the_rows_in_order_and_equal_to_one_process(local_ray) -> None:
    texts = [f"item {i}: the housing report, part {i % 7}" for i in range(203)]
    pool = RayEmbedder("hash-32", workers=2, batch_size=16, cpus_per_worker=0.5)
    try:
        got = pool.embed_batch(texts)
        assert pool.embed_batch([]).shape == (0, 32)
    finally:
        pool.close()
    want = HashEmbedder().embed_batch(texts)
    assert got.shape == want.shape and abs(got - want).max() <= 1e-6
    assert (pool.model_id, pool.dim, pool.retried) == ("hash-32", 32, 0)


def test_index_built_on_ray_is_the_single_process_index(local_ray, tmp_path) -> None:
    """Same passage ids, vectors within 1e-5, same search results; a rerun sends nothing to Ray,
    and adding a pack embeds only that pack's new passages."""
    small, other = PACKS[2], PACKS[4]
    first = build(tmp_path / "single", HashEmbedder(), packs=[small])
    solo = build(tmp_path / "single", HashEmbedder(), packs=[small, other])
    pool = RayEmbedder("hash-32", workers=2, batch_size=16, cpus_per_worker=0.5)
    try:
        on_ray = build(tmp_path / "ray", pool, packs=[small])
        again = build(tmp_path / "ray", pool, packs=[small])
        added = build(tmp_path / "ray", pool, packs=[small, other])
    finally:
        pool.close()
    assert on_ray.chunks_embedded == first.chunks_embedded > 10
    assert (again.chunks_embedded, again.wrote) == (0, False)
    assert added.added == solo.added == [other.name]
    assert added.chunks_embedded == solo.chunks_embedded > 10
    assert_same_index(tmp_path / "single", tmp_path / "ray")


def test_cli_ray_without_ray_installed_says_what_to_install(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    out = CliRunner().invoke(main, ["index", str(PACKS[2]), "--index-dir", str(tmp_path / "i"),
                                    "--model", "hash-32", "--ray", "local", "--no-progress"])
    assert out.exit_code == 2
    assert out.output.strip() == f"error: {INSTALL_HINT}"
    assert not (tmp_path / "i" / "CURRENT").exists()


def test_cli_ray_local_builds_the_index(local_ray, tmp_path) -> None:
    out = CliRunner().invoke(main, ["index", str(PACKS[2]), "--index-dir", str(tmp_path / "ray"),
                                    "--model", "hash-32", "--ray", "local", "--ray-workers", "1",
                                    "--no-progress"])
    assert out.exit_code == 0, out.output
    build(tmp_path / "single", HashEmbedder(), packs=[PACKS[2]])
    assert_same_index(tmp_path / "single", tmp_path / "ray")
