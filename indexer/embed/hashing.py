"""``HashEmbedder``: a deterministic fake for unit tests (hashed words and trigrams, no model)."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Sequence

import numpy as np

from indexer.embed.base import Embedder, Kind, check_batch, normalise_rows

_TOKEN = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=65536)
def _feature(feature: str, dim: int) -> tuple[int, float]:
    """Bucket and sign of one feature, from blake2b (stable across processes, unlike hash())."""
    h = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little")
    return h % dim, (1.0 if (h >> 63) & 1 else -1.0)


class HashEmbedder(Embedder):
    """Deterministic bag-of-words fake: each lower-cased word adds weight 1 to a hashed, signed
    bucket, and its character trigrams (of ``#word#``) share another weight 1, so that
    ``worker`` and ``workers`` land near each other. No model, no randomness, microseconds."""

    def __init__(self, dim: int = 32, *, trigrams: bool = True) -> None:
        if dim < 1:
            raise ValueError("dim must be positive")
        self.dim = dim
        self.model_id = f"hash-{dim}"
        self.trigrams = trigrams

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in _TOKEN.findall(text.lower()):
            bucket, sign = _feature("w:" + word, self.dim)
            vec[bucket] += sign
            if self.trigrams:
                padded = f"#{word}#"
                grams = [padded[i : i + 3] for i in range(len(padded) - 2)]
                for gram in grams:
                    bucket, sign = _feature("t:" + gram, self.dim)
                    vec[bucket] += sign / len(grams)
        return vec

    def embed_batch(self, texts: Sequence[str], *, kind: Kind = "passage") -> np.ndarray:
        batch = check_batch(texts, kind)
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise_rows(np.stack([self._vector(t) for t in batch]))
