"""The index, search, answer and evaluation functions the ``council`` commands run.

The commands reach them through ``indexer.cli.app.load_stack()``: gathering them here makes
one deferred import keep numpy, faiss, bm25s and pypdf out of ``council --help``. This module
itself imports everything at the top.
"""

from __future__ import annotations

from indexer.answer.ask import ask
from indexer.answer.recommendations import cross_references, find_recommendations
from indexer.common.results import Filters
from indexer.embed.embedder import get_embedder
from indexer.evaluate.answer_runner import run_answer_eval
from indexer.embed.ray_pool import RayEmbedder
from indexer.evaluate.runner import run_eval
from indexer.ingest.files import iter_input_files
from indexer.retrieve.search import RetrievalConfig, search
from indexer.store.check import check_index
from indexer.store.index import Index, update_index
from indexer.structure.privacy import restricted_documents

__all__ = [
    "Filters",
    "Index",
    "RayEmbedder",
    "RetrievalConfig",
    "ask",
    "check_index",
    "cross_references",
    "find_recommendations",
    "get_embedder",
    "iter_input_files",
    "restricted_documents",
    "run_answer_eval",
    "run_eval",
    "search",
    "update_index",
]
