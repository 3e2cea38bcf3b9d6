"""``RayEmbedder``: the ``Embedder`` protocol, computed by a pool of Ray actors.

``council index --ray ADDRESS`` uses it so that a whole archive's passages are embedded on a
cluster while reading, chunking and writing stay on the driver (see docs/scaling.md). Each
actor loads the named model once (``get_embedder`` in the actor's process) and embeds the
batches it is sent; the driver keeps every batch's position, so the rows come back in the
callers' order and the vectors are the ones a single process would compute.

Why Ray actors directly, not Ray Data's ``map_batches``: the work is one list of texts in, one
matrix out, already in the driver's memory; actors give one model load per worker with no
dataset machinery (Ray Data needs pyarrow and starts a streaming executor, seconds on two
cores), keep the order by construction, and let this module decide what a dead worker means.

Fault tolerance: a batch whose actor dies (the process is killed, its node leaves the cluster)
is sent again to a live actor, and a replacement actor is started; it joins the pool once it
answers. Only when no actor is alive, and none can start within ``start_timeout`` seconds,
does ``embed_batch`` fail (with ``CouncilError``). Nothing is written here: the store journals
each finished round (``indexer/store/embedcache.py``), so a killed run resumes.

Ray is an optional extra (``pip install '.[cluster]'``); importing this module does not need it,
``RayEmbedder(...)`` does, and says what to install when it is missing.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from indexer.common.errors import CouncilError
from indexer.embed.base import Embedder, Kind, check_batch
from indexer.embed.embedder import get_embedder

log = logging.getLogger(__name__)

INSTALL_HINT = "--ray needs Ray, an optional extra: pip install 'council-papers[cluster]' (or: pip install ray)"
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the indexer package, shipped to a remote cluster


def import_ray():
    try:
        import ray
    except ImportError as exc:
        raise CouncilError(INSTALL_HINT) from exc
    return ray


def connect(address: str, *, num_cpus: int | None = None) -> Any:
    """ray.init for ``address`` (``local`` starts a Ray on this machine), once per process."""
    ray = import_ray()
    if ray.is_initialized():
        return ray
    common = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
    if address == "local":
        ray.init(num_cpus=num_cpus, **common)
    else:
        # The nodes need the project's dependencies installed; its code travels with the job,
        # so every worker embeds with exactly the driver's version.
        ray.init(address=address, runtime_env={"py_modules": [str(PACKAGE_DIR)],
                                               "excludes": ["__pycache__"]}, **common)
    return ray


def _worker_lost(ray) -> tuple[type[BaseException], ...]:
    """The errors that mean a batch's worker (or its node) went away, not that the batch is bad."""
    names = ("RayActorError", "WorkerCrashedError", "ObjectLostError", "NodeDiedError", "OwnerDiedError")
    return tuple(getattr(ray.exceptions, n) for n in names if hasattr(ray.exceptions, n))


class _Worker:
    """One actor: the model loaded once, then batch after batch."""

    def __init__(self, model: str, threads: int) -> None:
        self.embedder = get_embedder(model)
        if hasattr(self.embedder, "num_threads"):  # the CPUs Ray gave this actor, not the whole node's
            self.embedder.num_threads = threads

    def ready(self) -> str:
        self.embedder.embed_batch(["warm up"], kind="passage")  # loads the model now, not on the first batch
        return self.embedder.model_id

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        return self.embedder.embed_batch(texts, kind=kind)


class RayEmbedder(Embedder):
    """Embeds with ``workers`` Ray actors, each holding its own copy of ``model``."""

    def __init__(self, model: str, address: str = "local", *, workers: int | None = None,
                 batch_size: int = 64, cpus_per_worker: float = 1.0, start_timeout: float = 600.0,
                 local_cpus: int | None = None) -> None:
        import_ray()  # fail now, before any reading, if the extra is missing
        local = get_embedder(model)  # its name and size only: the model itself loads in the actors
        self.model_id, self.dim = local.model_id, local.dim
        self.address, self.local_cpus = address, local_cpus
        self.batch_size = batch_size
        self.cpus_per_worker = cpus_per_worker
        self.start_timeout = start_timeout
        self.workers = workers
        self._ray: Any = None  # connected on the first batch: an unchanged index never starts Ray
        self._pending: dict[Any, Any] = {}  # ready() ref -> actor, not yet in the pool
        self._pool: list[Any] = []
        self.retried = 0  # batches sent again after their worker died (for tests and the report)
        self.restarted = 0

    def _ensure(self) -> None:
        if self._ray is not None:
            return
        self._ray = connect(self.address, num_cpus=self.local_cpus)
        if self.workers is None:
            cpus = self._ray.cluster_resources().get("CPU", 1)
            self.workers = max(1, int(cpus // self.cpus_per_worker))
        self._remote = self._ray.remote(num_cpus=self.cpus_per_worker, max_restarts=0, max_task_retries=0)(_Worker)
        for _ in range(self.workers):
            self._start()

    @property
    def preferred_batch(self) -> int:
        """A round the store journals: enough to keep every worker busy several times over."""
        self._ensure()
        return self.batch_size * self.workers * 4

    def _start(self) -> None:
        actor = self._remote.remote(self.model_id, max(1, int(self.cpus_per_worker)))
        self._pending[actor.ready.remote()] = actor

    def _admit(self, timeout: float) -> None:
        """Move actors whose ready() returned into the pool (waiting up to ``timeout``)."""
        if not self._pending:
            return
        done, _ = self._ray.wait(list(self._pending), num_returns=len(self._pending), timeout=timeout)
        for ref in done:
            actor = self._pending.pop(ref)
            try:
                self._ray.get(ref)
            except Exception as exc:  # the actor could not start (no model there, or it died)
                log.warning("a Ray embedding worker failed to start: %s", exc)
                continue
            self._pool.append(actor)

    def embed_batch(self, texts: Sequence[str], *, kind: Kind = "passage") -> np.ndarray:
        batch = check_batch(texts, kind)
        out = np.zeros((len(batch), self.dim), dtype=np.float32)
        if not batch:
            return out
        self._ensure()
        ray = self._ray
        todo = list(range(0, len(batch), self.batch_size))  # start offsets of batches not yet sent
        running: dict[Any, tuple[int, Any]] = {}  # result ref -> (offset, actor)
        load: dict[Any, int] = {}
        waited_since = time.monotonic()
        while todo or running:
            self._admit(timeout=0 if self._pool else min(5.0, self.start_timeout))
            if not self._pool and not running:
                if not self._pending:
                    self._start()
                if time.monotonic() - waited_since > self.start_timeout:
                    raise CouncilError(f"Ray: no embedding worker for {self.model_id} is alive and none "
                                       f"started within {self.start_timeout:.0f} s")
                continue
            waited_since = time.monotonic()
            for actor in self._pool:  # two batches in flight per worker: one running, one queued
                while todo and load.get(actor, 0) < 2:
                    start = todo.pop(0)
                    ref = actor.embed.remote(batch[start:start + self.batch_size], kind)
                    running[ref] = (start, actor)
                    load[actor] = load.get(actor, 0) + 1
            if not running:
                continue
            done, _ = ray.wait(list(running), num_returns=1, timeout=5.0)
            for ref in done:
                start, actor = running.pop(ref)
                load[actor] -= 1
                try:
                    out[start:start + self.batch_size] = ray.get(ref)
                except _worker_lost(ray) as exc:
                    self.retried += 1
                    todo.append(start)
                    if actor in self._pool:
                        log.warning("Ray embedding worker died (%s); its batches go to the others", type(exc).__name__)
                        self._pool.remove(actor)
                        self.restarted += 1
                        self._start()
        return out

    def close(self) -> None:
        if self._ray is None:
            return
        for actor in [*self._pool, *self._pending.values()]:
            try:
                self._ray.kill(actor)
            except Exception:  # already gone
                pass
        self._pool, self._pending = [], {}
