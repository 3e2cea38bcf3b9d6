"""Answers: ``ask(index, question, filters, settings) -> dict`` in the answer contract.

{ "question": str, "answered": bool, "answer": str,
  "citations": [result objects as in the retrieval contract],
  "timeline": [ {"meeting_date", "kind", "text", "citation"} ] }
"""

from __future__ import annotations

from .index import Index
from .results import Filters
from .search import RetrievalConfig, search


def ask(index: Index, question: str, filters: Filters | None = None, settings=None, k: int = 5) -> dict:
    cfg = RetrievalConfig.from_settings(settings) if settings is not None else RetrievalConfig()
    results = search(index, question, k, filters, cfg)
    return {
        "question": question,
        "answered": bool(results),
        "answer": "",
        "citations": [r.to_dict() for r in results],
        "timeline": [],
    }
