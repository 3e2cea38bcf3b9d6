"""A two-node Ray cluster on this machine (``ray.cluster_utils.Cluster``): one node is killed
while the index is being embedded, its batches are retried on the other, and the index is the
one a single process builds."""

from __future__ import annotations

import pytest

from indexer.embed.hashing import HashEmbedder
from indexer.embed.ray_pool import RayEmbedder
from tests.embed.ray_helpers import PACKS, assert_same_index, build

ray = pytest.importorskip("ray")
cluster_utils = pytest.importorskip("ray.cluster_utils")


@pytest.mark.slow
def test_killing_a_worker_node_mid_run_still_gives_the_identical_index(tmp_path) -> None:
    if ray.is_initialized():
        ray.shutdown()  # a local Ray from the fast tests: this test needs its own cluster
    cluster = cluster_utils.Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    worker = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    try:
        # the pool connects as `council index --ray ADDRESS` does, shipping the indexer package
        pool = RayEmbedder("hash-32", cluster.address, workers=2, batch_size=4)  # one actor per node
        rounds = []

        def progress(kind: str, n: int) -> None:
            if kind == "chunks":
                rounds.append(n)
                if len(rounds) == 2:  # kill the second node before the next round (its actor holds work then)
                    cluster.remove_node(worker)

        try:
            on_ray = build(tmp_path / "ray", pool, packs=PACKS[:2], progress=progress)
        finally:
            pool.close()
        assert len(rounds) > 3  # the kill came mid-run, not at the end
        assert pool.retried > 0 and pool.restarted == 1
        print(f"rounds {len(rounds)}, batches retried {pool.retried}, workers replaced {pool.restarted}")
        single = build(tmp_path / "single", HashEmbedder(), packs=PACKS[:2])
        assert on_ray.chunks_embedded == single.chunks_embedded
        assert_same_index(tmp_path / "single", tmp_path / "ray")
    finally:
        ray.shutdown()
        cluster.shutdown()
