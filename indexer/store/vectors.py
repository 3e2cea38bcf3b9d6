"""A FAISS vector index with int64 ids behind a small interface (build, add, remove, search,
save, load, count), after txtai's ``ann/base.py``.

Scores are inner products, which are cosine similarities for the L2-normalised rows the
embedders return. Kinds:

* ``flat`` (default): exact search, ``IndexIDMap2(IndexFlatIP)``.
* ``hnsw``: approximate graph search, ``IndexIDMap2(IndexHNSWFlat(dim, m, METRIC_INNER_PRODUCT))``
  with ``ef_search`` (default 256) and ``ef_construction`` (default 80). FAISS cannot delete
  nodes from an HNSW graph, so ``remove`` REBUILDS the graph from the stored vectors
  (seconds for tens of thousands of chunks; fine for re-indexing, not for a hot loop).
* ``ivf``: ``IndexIVFFlat`` (inner product) using its own ids, with a hashtable direct map so
  vectors can be read back and removed. ``nlist`` defaults to about ``4 * sqrt(n)`` (capped so
  every list gets ~39 training points) and is trained on the vectors given to ``build``,
  which are therefore required; ``nprobe`` defaults to 16.

Filtered search (``allowed_ids``) searches only among the allowed ids, through a FAISS
``IDSelectorBatch`` in the search parameters. The approximate kinds can return fewer than k
hits under a selective filter (the graph walk or the probed lists run out of allowed
vectors), so any query row that comes back short while more allowed vectors exist is scored
exactly instead, and small allowed sets (``exact_filter_max``, default 2048) go straight to
exact scoring. Every returned row therefore holds ``min(k, candidates)`` real hits, never -1.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from indexer.common.errors import IndexCorrupt

log = logging.getLogger(__name__)

KINDS: tuple[str, ...] = ("flat", "hnsw", "ivf")
FORMAT_VERSION = 1
_DEFAULTS: dict[str, dict[str, Any]] = {
    "flat": {},
    # ef_search 256, not 64: recall@10 against flat 0.891 -> 0.945 at 100k (hash vectors) and 0.932 ->
    # 0.976 (MiniLM-derived, results/ann.md), 0.626 -> 0.722 at 1M, for +0.4 ms a query (results/scale.md).
    # Saved with the index: an index built before keeps the value it was built with.
    "hnsw": {"m": 32, "ef_search": 256, "ef_construction": 80, "exact_filter_max": 2048},
    "ivf": {"nlist": None, "nprobe": 16, "exact_filter_max": 2048},
}

_threads_set = False
_thread_state = threading.local()


def _configure_threads() -> None:
    """FAISS uses OpenMP; never more threads than the 2 cores this project runs on."""
    global _threads_set
    if not _threads_set:
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:
            cpus = os.cpu_count() or 1
        # One thread: a query is one vector, and OpenMP workers spinning beside the
        # embedder on 2 cores cost more than they save (28 ms vs <1 ms per search measured).
        faiss.omp_set_num_threads(1)
        _threads_set = True
    _one_thread_here()


def _one_thread_here() -> None:
    """OpenMP's thread count is per calling thread: a thread the server's pool started keeps the
    process default (all cores) until it sets its own, so every searching thread sets it once."""
    if not getattr(_thread_state, "set", False):
        faiss.omp_set_num_threads(1)
        _thread_state.set = True


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".json")


class VectorIndex:
    """Use ``VectorIndex.build(...)`` or ``VectorIndex.load(path)``, not the constructor."""

    def __init__(self, index: faiss.Index, *, dim: int, kind: str, params: dict[str, Any]) -> None:
        _configure_threads()
        self._index = index
        self.dim = dim
        self.kind = kind
        self.params = params
        self._ids: np.ndarray | None = None  # sorted ids, cached until the next add/remove
        self._lock = threading.RLock()
        self._apply_search_params()

    # ------------------------------------------------------------------ construction

    @classmethod
    def build(
        cls,
        dim: int,
        kind: str = "flat",
        *,
        ids: np.ndarray | None = None,
        vectors: np.ndarray | None = None,
        **params: Any,
    ) -> VectorIndex:
        """A new index; with ``ids`` and ``vectors`` it is filled (and for ivf, trained) at once."""
        if kind not in KINDS:
            raise ValueError(f"unknown vector index kind {kind!r}; choose one of {KINDS}")
        if dim < 1:
            raise ValueError("dim must be positive")
        unknown = set(params) - set(_DEFAULTS[kind])
        if unknown:
            raise ValueError(f"unknown parameters for {kind}: {sorted(unknown)}")
        merged = {**_DEFAULTS[kind], **params}
        if (ids is None) != (vectors is None):
            raise ValueError("pass ids and vectors together")
        if vectors is not None:
            vectors = _as_matrix(vectors, dim)
        if kind == "ivf":
            if vectors is None or len(vectors) == 0:
                raise ValueError("an ivf index is trained on the vectors given to build: pass ids= and vectors=")
            if merged["nlist"] is None:
                merged["nlist"] = max(1, min(int(4 * np.sqrt(len(vectors))), len(vectors) // 39))
        _configure_threads()
        self = cls(_new_faiss_index(dim, kind, merged), dim=dim, kind=kind, params=merged)
        if kind == "ivf":
            log.info("training ivf (nlist=%d) on %d vectors", merged["nlist"], len(vectors))
            self._index.train(vectors)
        if vectors is not None:
            self.add(ids, vectors)
        return self

    def _apply_search_params(self) -> None:
        if self.kind == "hnsw":
            faiss.downcast_index(self._index.index).hnsw.efSearch = int(self.params["ef_search"])
        elif self.kind == "ivf":
            self._index.nprobe = min(int(self.params["nprobe"]), self._index.nlist)

    # ------------------------------------------------------------------ contents

    def count(self) -> int:
        return int(self._index.ntotal)

    def __len__(self) -> int:
        return self.count()

    def ids(self) -> np.ndarray:
        """All ids in the index, sorted (a cached copy)."""
        with self._lock:
            if self._ids is None:
                if self.kind == "ivf":
                    inv = self._index.invlists
                    parts = [
                        faiss.rev_swig_ptr(inv.get_ids(lst), inv.list_size(lst)).copy()
                        for lst in range(self._index.nlist)
                        if inv.list_size(lst)
                    ]
                    found = np.concatenate(parts) if parts else np.zeros(0, np.int64)
                else:
                    found = faiss.vector_to_array(self._index.id_map)
                self._ids = np.sort(found.astype(np.int64))
                self._ids.flags.writeable = False
            return self._ids

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = _as_ids(ids)
        vectors = _as_matrix(vectors, self.dim)
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids but {len(vectors)} vectors")
        if len(np.unique(ids)) != len(ids):
            raise ValueError("duplicate ids in one add")
        with self._lock:
            clash = np.intersect1d(ids, self.ids())
            if len(clash):
                raise ValueError(f"ids already in the index (remove them first): {clash[:10].tolist()}")
            self._index.add_with_ids(vectors, ids)
            self._ids = None

    def remove(self, ids: np.ndarray) -> int:
        """Remove whichever of ``ids`` are present; returns how many were removed.
        flat and ivf remove in place; hnsw rebuilds its graph from the remaining vectors."""
        with self._lock:
            present = np.intersect1d(_as_ids(ids), self.ids())
            if len(present) == 0:
                return 0
            if self.kind == "hnsw":
                keep = np.setdiff1d(self.ids(), present)
                kept_vectors = self.vectors_for(keep)
                log.info("rebuilding hnsw graph without %d ids (%d remain)", len(present), len(keep))
                self._index = _new_faiss_index(self.dim, self.kind, self.params)
                self._apply_search_params()
                if len(keep):
                    self._index.add_with_ids(kept_vectors, keep)
                removed = len(present)
            else:
                # IVF's hashtable direct map only removes through an IDSelectorArray.
                selector = faiss.IDSelectorArray(present) if self.kind == "ivf" else faiss.IDSelectorBatch(present)
                removed = int(self._index.remove_ids(selector))
            self._ids = None
            return removed

    def vectors_for(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors for ``ids`` in that order; KeyError for an id not in the index."""
        ids = _as_ids(ids)
        with self._lock:
            missing = np.setdiff1d(ids, self.ids())
            if len(missing):
                raise KeyError(f"ids not in the index: {missing[:10].tolist()}")
            if len(ids) == 0:
                return np.zeros((0, self.dim), np.float32)
            return np.asarray(self._index.reconstruct_batch(ids), dtype=np.float32)

    # ------------------------------------------------------------------ search

    def search(
        self, query: np.ndarray, k: int, allowed_ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by inner product: ``(scores float32, ids int64)``, best first, each ``(k',)`` for a
        ``(dim,)`` query or ``(n, k')`` for ``(n, dim)``, where ``k' = min(k, candidates)``.
        With ``allowed_ids`` only those ids are candidates (ids not in the index are ignored)."""
        if k < 1:
            raise ValueError("k must be at least 1")
        q = np.asarray(query, dtype=np.float32)
        single = q.ndim == 1
        q = _as_matrix(q.reshape(1, -1) if single else q, self.dim)
        with self._lock:
            candidates = self.ids()
            if allowed_ids is not None:
                candidates = np.intersect1d(_as_ids(allowed_ids), candidates, assume_unique=False)
                if len(candidates) == len(self.ids()):
                    allowed_ids = None  # the filter allows everything: plain search
            kk = min(k, len(candidates))
            if kk == 0:
                scores, labels = np.zeros((len(q), 0), np.float32), np.zeros((len(q), 0), np.int64)
            elif allowed_ids is not None and self.kind != "flat" and len(candidates) <= self.params["exact_filter_max"]:
                scores, labels = self._exact(q, kk, candidates)
            else:
                scores, labels = self._faiss_search(q, kk, None if allowed_ids is None else candidates)
                short = np.flatnonzero((labels < 0).any(axis=1))
                if len(short):
                    log.debug("%d of %d %s queries came back short of %d; scoring them exactly",
                              len(short), len(q), self.kind, kk)
                    scores[short], labels[short] = self._exact(q[short], kk, candidates)
        return (scores[0], labels[0]) if single else (scores, labels)

    def _faiss_search(self, q: np.ndarray, k: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        _one_thread_here()
        selector = None if allowed is None else faiss.IDSelectorBatch(allowed)
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=int(self.params["ef_search"]))
        elif self.kind == "ivf":
            params = faiss.SearchParametersIVF(nprobe=int(self._index.nprobe))
        else:
            params = faiss.SearchParameters()
        if selector is not None:
            params.sel = selector  # IndexIDMap2 translates it to its internal ids
        scores, labels = self._index.search(q, k, params=params)
        del selector  # (kept alive until the search returned)
        return scores, labels

    def _exact(self, q: np.ndarray, k: int, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Brute-force top-k of ``q`` against the stored vectors of ``candidates``."""
        matrix = self.vectors_for(candidates)
        sims = q @ matrix.T
        if k < sims.shape[1]:
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        else:
            top = np.tile(np.arange(sims.shape[1]), (len(q), 1))
        top_scores = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_scores, axis=1, kind="stable")
        return (
            np.take_along_axis(top_scores, order, axis=1).astype(np.float32),
            candidates[np.take_along_axis(top, order, axis=1)],
        )

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the FAISS index to ``path`` and its kind and parameters to ``path + '.json'``;
        each file is written beside itself and renamed into place."""
        path = Path(path)
        meta = {
            "format": FORMAT_VERSION,
            "dim": self.dim,
            "kind": self.kind,
            "params": self.params,
            "count": self.count(),
            "faiss_version": faiss.__version__,
        }
        with self._lock:
            tmp = path.with_name(path.name + ".tmp")
            faiss.write_index(self._index, str(tmp))
            os.replace(tmp, path)
            side, side_tmp = sidecar_path(path), sidecar_path(tmp)
            side_tmp.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(side_tmp, side)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> VectorIndex:
        path = Path(path)
        side = sidecar_path(path)
        for needed in (path, side):
            if not needed.is_file():
                raise IndexCorrupt(path.parent, f"missing {needed.name}")
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
            dim, kind, params = int(meta["dim"]), meta["kind"], dict(meta["params"])
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexCorrupt(path.parent, f"{side.name} is unreadable: {exc}") from exc
        if meta.get("format") != FORMAT_VERSION or kind not in KINDS:
            raise IndexCorrupt(path.parent, f"{side.name}: unsupported format or kind {kind!r}")
        _configure_threads()
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise IndexCorrupt(path.parent, f"{path.name} is unreadable: {exc}") from exc
        if index.d != dim or index.ntotal != meta.get("count", index.ntotal):
            raise IndexCorrupt(
                path.parent,
                f"{path.name} holds {index.ntotal} vectors of dim {index.d}, "
                f"{side.name} says {meta.get('count')} of dim {dim}",
            )
        return cls(index, dim=dim, kind=kind, params={**_DEFAULTS[kind], **params})


class ExactIndex:
    """Exact inner-product search over rows numbered in the order added (``IndexFlatIP``, no ids,
    no removal): the naive baseline of `council eval`."""

    def __init__(self, vectors: np.ndarray) -> None:
        self._index = faiss.IndexFlatIP(vectors.shape[1])
        self._index.add(vectors.astype(np.float32))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, row numbers), one row per query."""
        return self._index.search(queries, k)


def _new_faiss_index(dim: int, kind: str, params: dict[str, Any]) -> faiss.Index:
    if kind == "flat":
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if kind == "hnsw":
        inner = faiss.IndexHNSWFlat(dim, int(params["m"]), faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = int(params["ef_construction"])
        inner.hnsw.efSearch = int(params["ef_search"])
        return faiss.IndexIDMap2(inner)
    # ivf keeps its own int64 ids (IndexIDMap2's remove assumes the inner index renumbers,
    # which IVF does not); a hashtable direct map lets reconstruct/remove work by id.
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, int(params["nlist"]), faiss.METRIC_INNER_PRODUCT)
    index.set_direct_map_type(faiss.DirectMap.Hashtable)
    return index


def _as_ids(ids: np.ndarray) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"ids must be integers, got {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.int64).reshape(-1)


def _as_matrix(vectors: np.ndarray, dim: int) -> np.ndarray:
    arr = np.ascontiguousarray(vectors, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ValueError(f"expected vectors of shape (n, {dim}), got {arr.shape}")
    return arr
