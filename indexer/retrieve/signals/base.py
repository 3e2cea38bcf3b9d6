"""What a ranking signal is: ``applies(query)`` and ``score(candidate)``, with the name of its
weight in ``RetrievalConfig``.

A signal reads either every fused candidate's facts (``FACTS``: item id, number and title, kind,
meeting date) or the text of the best ``sentence_depth`` candidates (``TEXT``). Its boost is in
units of its weight × the best fused score (``Candidate.unit``), so weights mean the same whatever
the fusion's scale; ``score`` returns what to add to the candidate's fused score (0 for nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from indexer.retrieve.config import RetrievalConfig
from indexer.store.index import Index

T = TypeVar("T")

FACTS = "facts"  # every candidate's item and meeting date (one light SQL read)
TEXT = "text"  # the best ``sentence_depth`` candidates' text


@dataclass
class Query:
    """The request as signals read it; ``memo`` keeps what a signal derives from it."""

    text: str
    cfg: RetrievalConfig
    index: Index | None = None
    named: Sequence[tuple[str, str, bool]] = ()  # abbreviations the query names (Glossary.named)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: Any, build: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]


@dataclass(frozen=True)
class Candidate:
    rowid: int
    unit: float  # the signal's weight × the best fused score: a whole boost
    query: Query
    facts: Mapping[str, Any] | None = None  # FACTS signals: item_id, number, item_title, kind, date
    text: str | None = None  # TEXT signals: the passage
    pool: Mapping[int, Any] = field(default_factory=dict)  # every candidate's facts or text at this stage


class Signal:
    weight: str = ""  # the RetrievalConfig field holding its weight (0 turns it off)
    reads: str = FACTS

    def applies(self, query: Query) -> bool:
        return True

    def score(self, candidate: Candidate) -> float:
        raise NotImplementedError
