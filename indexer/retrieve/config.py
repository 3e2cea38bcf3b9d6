"""The retrieval settings of one search: which retrievers, how they are fused, each signal's weight.

Defaults are the field defaults of ``Settings`` (``indexer/common/settings.py``), the one place
they are written; ``RetrievalConfig()`` never reads the environment (``from_settings`` does, through
the Settings object it is given)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from indexer.common.settings import Settings


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class RetrievalConfig:
    mode: str = "hybrid"  # "hybrid" | "dense" | "bm25"
    fusion: str = _default("fusion")  # "rrf" | "weighted" (chosen by `council eval`, see eval/results.md)
    rrf_k: int = _default("rrf_k")
    dense_weight: float = _default("dense_weight")
    bm25_weight: float = _default("bm25_weight")
    candidates: int = _default("candidates")
    title_boost: float = _default("title_boost")
    minute_boost: float = _default("minute_boost")
    date_boost: float = _default("date_boost")
    sentence_boost: float = _default("sentence_boost")
    sentence_depth: int = 15  # candidates re-scored by the sentence signals (15, 20 and 30 rank alike)
    acronyms: int = _default("acronyms")  # the other form of abbreviations the papers define: 1 to BM25's query, 2 to both
    decision_boost: float = _default("decision_boost")  # "what did the board resolve/ask for": a RESOLVED block
    recency_boost: float = _default("recency_boost")  # "last", "latest", "most recent", "current": later meetings first
    attendance_boost: float = _default("attendance_boost")  # "who came / attended": the minutes' list of who was present

    @classmethod
    def from_settings(cls, s) -> "RetrievalConfig":
        return cls(fusion=s.fusion, rrf_k=s.rrf_k, dense_weight=s.dense_weight, bm25_weight=s.bm25_weight,
                   candidates=s.candidates, title_boost=s.title_boost, minute_boost=s.minute_boost,
                   date_boost=s.date_boost, sentence_boost=s.sentence_boost, acronyms=s.acronyms,
                   decision_boost=s.decision_boost, recency_boost=s.recency_boost,
                   attendance_boost=s.attendance_boost)

    def but(self, **kw) -> "RetrievalConfig":
        return replace(self, **kw)
