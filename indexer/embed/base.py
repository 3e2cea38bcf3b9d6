"""The ``Embedder`` protocol every backend implements, and the helpers backends share.

``Embedder.embed_batch(texts, kind=...)`` is the only method a backend must provide; a single
text goes through it too (``embed_one``). ``kind`` says whether the texts are search queries or
passages: symmetric models (MiniLM, the hash fake) ignore it, e5 needs it for its prefixes.
``LazyModel`` is the base for backends with a real model: it loads the model once, on the first
non-empty batch, and feeds it shortest-first batches.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Literal, Protocol, Sequence, runtime_checkable

import numpy as np

from indexer.common.errors import CouncilError

Kind = Literal["query", "passage"]
KINDS: tuple[str, ...] = ("query", "passage")


@runtime_checkable
class Embedder(Protocol):
    """What the indexer and retriever need from an embedding model."""

    model_id: str
    dim: int

    def embed_batch(self, texts: Sequence[str], *, kind: Kind = "passage") -> np.ndarray:
        """Return float32 ``(len(texts), dim)`` with L2-normalised rows (all-zero rows stay zero)."""
        ...

    # Backends that subclass the Protocol explicitly inherit this; anything else that only
    # matches it structurally can be used through the module-level ``embed_one``.
    def embed_one(self, text: str, *, kind: Kind = "passage") -> np.ndarray:
        """Embed a single text through the batch method; returns shape ``(dim,)``."""
        return self.embed_batch([text], kind=kind)[0]


def embed_one(embedder: Embedder, text: str, *, kind: Kind = "passage") -> np.ndarray:
    return embedder.embed_batch([text], kind=kind)[0]


def available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """float32 copy with unit-length rows; rows of zeros are left as zeros."""
    out = np.asarray(matrix, dtype=np.float32)
    if out.ndim != 2:
        raise ValueError(f"expected a 2-D array, got shape {out.shape}")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


def check_batch(texts: Sequence[str], kind: str) -> list[str]:
    """The texts as a list, after refusing a bare string, a non-str item or an unknown kind."""
    if isinstance(texts, str):
        # A bare string is a Sequence[str] of characters: always a caller's mistake here.
        raise TypeError("embed_batch takes a sequence of texts, not a single string; use embed_one")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    out = list(texts)
    for t in out:
        if not isinstance(t, str):
            raise TypeError(f"texts must be str, got {type(t).__name__}")
    return out


class LazyModel(Embedder):
    """Loads the backing model once, on first use, under a lock; batches the input.

    Subclasses set ``model_id`` and ``dim`` and provide ``_load()`` (import the third-party
    package there, not at module top, so that ``council --help`` stays fast) and
    ``_encode(texts, kind)`` for one batch.
    """

    model_id: str
    dim: int

    def __init__(self, *, batch_size: int = 32, num_threads: int | None = None) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self.batch_size = batch_size
        # Two cores here and in CI: one intra-op thread per core, never more than the machine.
        self.num_threads = num_threads or available_cpus()
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:  # another thread may have loaded it meanwhile
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _encode(self, texts: list[str], kind: Kind) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def embed_batch(self, texts: Sequence[str], *, kind: Kind = "passage") -> np.ndarray:
        batch = check_batch(texts, kind)
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Shortest first, so that each batch pads to similar lengths (as SentenceTransformer.encode
        # does within one call); the rows go back to the callers' order.
        order = sorted(range(len(batch)), key=lambda i: len(batch[i]))
        ordered = [batch[i] for i in order]
        parts = [
            self._encode(ordered[i : i + self.batch_size], kind)
            for i in range(0, len(ordered), self.batch_size)
        ]
        encoded = np.concatenate(parts, axis=0)
        if encoded.shape[0] != len(batch):
            raise CouncilError(f"{self.model_id} returned {encoded.shape[0]} rows for {len(batch)} texts")
        out = np.empty_like(encoded)
        out[np.array(order)] = encoded
        out = normalise_rows(out)
        if out.shape != (len(batch), self.dim):
            raise CouncilError(f"{self.model_id} returned shape {out.shape}, expected ({len(batch)}, {self.dim})")
        return out
