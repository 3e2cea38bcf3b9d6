"""A run killed while embedding leaves the previous generation serving, and the next run embeds
only what the killed one had not finished (the embedding cache)."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.embed.hashing import HashEmbedder
from indexer.store.embedcache import EmbeddingCache
from indexer.store.index import Index, current_generation
from tests.embed.ray_helpers import PACKS, assert_same_index, build


class Dying(HashEmbedder):
    """Embeds ``after`` batches, then the process is 'killed' (KeyboardInterrupt)."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after, self.texts = after, 0

    def embed_batch(self, texts, *, kind="passage"):
        if self.after <= 0:
            raise KeyboardInterrupt
        self.after -= 1
        self.texts += len(texts)
        return super().embed_batch(texts, kind=kind)


def test_killed_run_keeps_the_old_generation_and_the_next_run_resumes(tmp_path) -> None:
    small, other = PACKS[2], PACKS[4]
    build(tmp_path / "once", HashEmbedder(), packs=[small])
    whole = build(tmp_path / "once", HashEmbedder(), packs=[small, other])

    d = tmp_path / "killed"
    build(d, HashEmbedder(), packs=[small])
    live = current_generation(d)
    before = Index.open(d, embedder=HashEmbedder()).count
    dying = Dying(after=3)
    with pytest.raises(KeyboardInterrupt):
        build(d, dying, packs=[small, other], batch_size=16)
    assert current_generation(d) == live  # the previous generation still serves
    assert Index.open(d, embedder=HashEmbedder()).count == before
    assert EmbeddingCache(d, "hash-32", 32).count() == dying.texts == 48  # each batch kept as it came back

    counting = Dying(after=10_000)
    resumed = build(d, counting, packs=[small, other], batch_size=16)
    assert resumed.chunks_journaled == 48  # taken from the journal, not embedded again
    assert counting.texts == resumed.chunks_embedded == whole.chunks_embedded - 48
    assert EmbeddingCache(d, "hash-32", 32).count() == 0  # emptied once the generation is live
    assert_same_index(tmp_path / "once", d)


def test_cache_skips_vectors_of_the_wrong_size(tmp_path) -> None:
    EmbeddingCache(tmp_path, "hash-32", 32).put(["a", "b"], np.ones((2, 32), dtype=np.float32))
    EmbeddingCache(tmp_path, "hash-32", 8).put(["c"], np.ones((1, 8), dtype=np.float32))  # same file, other dim
    assert sorted(EmbeddingCache(tmp_path, "hash-32", 32).get(["a", "b", "c"])) == ["a", "b"]
