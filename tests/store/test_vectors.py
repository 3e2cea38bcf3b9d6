"""indexer.vectors: FAISS against a brute-force numpy oracle, filters, persistence, removal."""

from __future__ import annotations

import json

import numpy as np
import pytest

from indexer.common.errors import IndexCorrupt
from indexer.store.vectors import VectorIndex, sidecar_path

DIM = 32


def unit_rows(n: int, seed: int, dim: int = DIM) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def brute_force(queries: np.ndarray, ids: np.ndarray, vectors: np.ndarray, k: int):
    """The oracle: every inner product, sorted."""
    sims = queries @ vectors.T
    order = np.argsort(-sims, axis=1)[:, :k]
    return np.take_along_axis(sims, order, axis=1), ids[order]


@pytest.fixture(scope="module")
def data():
    vectors = unit_rows(2000, seed=1)
    # Sparse, shuffled, large ids: positions and ids must never be confused.
    ids = np.random.default_rng(2).choice(10**12, size=2000, replace=False).astype(np.int64)
    return ids, vectors


@pytest.fixture(scope="module")
def flat(data):
    ids, vectors = data
    return VectorIndex.build(DIM, ids=ids, vectors=vectors)


def test_flat_top_k_equals_brute_force(data, flat):
    ids, vectors = data
    queries = unit_rows(25, seed=3)
    for k in (1, 10, 50):
        scores, found = flat.search(queries, k)
        want_scores, want_ids = brute_force(queries, ids, vectors, k)
        assert found.shape == (25, k) and found.dtype == np.int64
        np.testing.assert_array_equal(found, want_ids)
        np.testing.assert_allclose(scores, want_scores, rtol=1e-5, atol=1e-5)


def test_single_query_gives_1d_results(data, flat):
    ids, vectors = data
    scores, found = flat.search(vectors[7], 5)
    assert scores.shape == (5,) and found.shape == (5,)
    assert found[0] == ids[7] and scores[0] == pytest.approx(1.0, abs=1e-5)


def test_k_larger_than_count_returns_everything_without_padding():
    ids, vectors = np.arange(5, dtype=np.int64), unit_rows(5, seed=4)
    index = VectorIndex.build(DIM, ids=ids, vectors=vectors)
    scores, found = index.search(vectors[:2], 10)
    assert found.shape == (2, 5) and (found >= 0).all()
    assert sorted(found[0].tolist()) == list(range(5))


def test_empty_index_searches_to_nothing():
    index = VectorIndex.build(DIM)
    assert index.count() == 0
    scores, found = index.search(unit_rows(1, seed=5)[0], 10)
    assert scores.shape == (0,) and found.shape == (0,)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_filtered_search_stays_inside_the_filter_and_fills_k(data, kind):
    ids, vectors = data
    # exact_filter_max=0 forces the FAISS selector path for hnsw too.
    params = {} if kind == "flat" else {"exact_filter_max": 0}
    index = VectorIndex.build(DIM, kind, ids=ids, vectors=vectors, **params)
    queries = unit_rows(10, seed=6)
    rng = np.random.default_rng(7)
    for n_allowed in (3, 25, 400):
        allowed_pos = rng.choice(len(ids), size=n_allowed, replace=False)
        allowed = ids[allowed_pos]
        scores, found = index.search(queries, 10, allowed_ids=allowed)
        assert found.shape == (10, min(10, n_allowed))
        assert np.isin(found, allowed).all()
        assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first
        want_scores, want_ids = brute_force(queries, allowed, vectors[allowed_pos], 10)
        if kind == "flat":
            np.testing.assert_array_equal(found, want_ids)
            np.testing.assert_allclose(scores, want_scores, atol=1e-5)
        elif n_allowed == 3:
            # The graph walk finds fewer than 3 of 3; those rows are scored exactly.
            np.testing.assert_array_equal(found, want_ids)
        elif n_allowed == 400:
            hits = [len(set(a) & set(b)) for a, b in zip(found.tolist(), want_ids.tolist())]
            assert np.mean(hits) / 10 >= 0.9
        # (At 25 of 2,000 the filtered walk fills k but recall is ~0.8: hence exact_filter_max.)


def test_hnsw_small_filters_are_scored_exactly_by_default(data):
    ids, vectors = data
    index = VectorIndex.build(DIM, "hnsw", ids=ids, vectors=vectors)
    queries = unit_rows(10, seed=13)
    allowed_pos = np.random.default_rng(14).choice(len(ids), size=25, replace=False)
    scores, found = index.search(queries, 10, allowed_ids=ids[allowed_pos])
    want_scores, want_ids = brute_force(queries, ids[allowed_pos], vectors[allowed_pos], 10)
    np.testing.assert_array_equal(found, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)


def test_filter_with_unknown_and_duplicate_ids(data, flat):
    ids, vectors = data
    allowed = np.array([ids[0], ids[0], ids[1], -5, 123], dtype=np.int64)
    scores, found = flat.search(vectors[0], 10, allowed_ids=allowed)
    assert sorted(found.tolist()) == sorted([ids[0], ids[1]])
    scores, found = flat.search(vectors[0], 10, allowed_ids=np.array([], dtype=np.int64))
    assert found.shape == (0,)


def test_hnsw_recall_at_10_against_exact():
    vectors = unit_rows(4000, seed=8)
    ids = np.arange(4000, dtype=np.int64) * 3 + 11
    hnsw = VectorIndex.build(DIM, "hnsw", ids=ids, vectors=vectors)
    queries = unit_rows(100, seed=9)
    _, found = hnsw.search(queries, 10)
    _, want = brute_force(queries, ids, vectors, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found.tolist(), want.tolist())])
    assert recall >= 0.9


def test_ivf_builds_searches_filters_and_removes(data):
    ids, vectors = data
    ivf = VectorIndex.build(DIM, "ivf", ids=ids, vectors=vectors, nprobe=32)
    assert ivf.params["nlist"] == min(int(4 * np.sqrt(2000)), 2000 // 39)
    queries = unit_rows(50, seed=10)
    _, found = ivf.search(queries, 10)
    _, want = brute_force(queries, ids, vectors, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found.tolist(), want.tolist())])
    assert recall >= 0.8
    _, found = ivf.search(queries, 10, allowed_ids=ids[:3])
    assert found.shape == (50, 3) and np.isin(found, ids[:3]).all()
    assert ivf.remove(ids[:100]) == 100 and ivf.count() == 1900
    _, found = ivf.search(vectors[:100], 1)
    assert not np.isin(found, ids[:100]).any()
    np.testing.assert_allclose(ivf.vectors_for(ids[200:203]), vectors[200:203])


def test_ivf_needs_training_vectors():
    with pytest.raises(ValueError, match="trained"):
        VectorIndex.build(DIM, "ivf")


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_save_load_round_trip(tmp_path, data, kind):
    ids, vectors = data
    params = {"ef_search": 100} if kind == "hnsw" else {}
    index = VectorIndex.build(DIM, kind, ids=ids, vectors=vectors, **params)
    path = tmp_path / "vectors.faiss"
    index.save(path)
    meta = json.loads(sidecar_path(path).read_text())
    assert meta["kind"] == kind and meta["dim"] == DIM and meta["count"] == 2000
    loaded = VectorIndex.load(path)
    assert (loaded.kind, loaded.dim, loaded.count()) == (kind, DIM, 2000)
    assert loaded.params == index.params
    queries = unit_rows(5, seed=11)
    for a, b in zip(index.search(queries, 10), loaded.search(queries, 10)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.ids(), np.sort(ids))
    assert not list(tmp_path.glob("*.tmp*"))


def test_load_refuses_missing_or_mismatched_files(tmp_path, flat):
    path = tmp_path / "vectors.faiss"
    with pytest.raises(IndexCorrupt, match="missing"):
        VectorIndex.load(path)
    flat.save(path)
    side = sidecar_path(path)
    meta = json.loads(side.read_text())
    side.write_text(json.dumps({**meta, "dim": 64}))
    with pytest.raises(IndexCorrupt, match="dim"):
        VectorIndex.load(path)
    side.write_text("{not json")
    with pytest.raises(IndexCorrupt, match="unreadable"):
        VectorIndex.load(path)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_remove(kind):
    vectors = unit_rows(500, seed=12)
    ids = np.arange(500, dtype=np.int64) + 1000
    index = VectorIndex.build(DIM, kind, ids=ids, vectors=vectors)
    gone = ids[::2]
    assert index.remove(np.concatenate([gone, [7, 8]])) == 250  # absent ids are ignored
    assert index.count() == 250 and index.remove(gone) == 0
    np.testing.assert_array_equal(index.ids(), ids[1::2])
    _, found = index.search(vectors, 5)
    assert not np.isin(found, gone).any()
    # The survivors keep their own vectors (positions were not mixed up by the removal).
    np.testing.assert_allclose(index.vectors_for(ids[1::2][:20]), vectors[1::2][:20])
    _, top = index.search(vectors[1::2], 1)
    np.testing.assert_array_equal(top[:, 0], ids[1::2])
    # A removed id can be added back.
    index.add(gone[:1], vectors[:1])
    assert index.search(vectors[0], 1)[1][0] == gone[0]


def test_add_validates(flat, data):
    ids, vectors = data
    index = VectorIndex.build(DIM)
    with pytest.raises(ValueError, match="shape"):
        index.add(np.array([1]), np.zeros((1, DIM + 1), np.float32))
    with pytest.raises(ValueError, match="duplicate"):
        index.add(np.array([1, 1]), vectors[:2])
    index.add(np.array([1, 2]), vectors[:2])
    with pytest.raises(ValueError, match="already"):
        index.add(np.array([2, 3]), vectors[:2])
    with pytest.raises(KeyError):
        index.vectors_for(np.array([99]))
    with pytest.raises(ValueError, match="kind"):
        VectorIndex.build(DIM, "annoy")
