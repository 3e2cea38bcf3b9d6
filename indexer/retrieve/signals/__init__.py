"""Ranking signals: small additive boosts on the fused score, read from the query and the candidates.

Each signal is one class in its own file here (``applies(query)``, ``score(candidate)``, the name
of its weight in ``RetrievalConfig``; see ``base.py``). ``REGISTRY`` lists them in the order their
boosts are added: a new signal is one new file, one line below and its weight in ``Settings``.
`council eval` measures each of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from indexer.retrieve.signals.attendance import Attendance
from indexer.retrieve.signals.base import FACTS, TEXT, Candidate, Query, Signal
from indexer.retrieve.signals.decision import Decision
from indexer.retrieve.signals.minute import MinuteNumber
from indexer.retrieve.signals.period import MeetingPeriod
from indexer.retrieve.signals.recency import Recency
from indexer.retrieve.signals.sentence import SentenceCoverage
from indexer.retrieve.signals.title import TitleOverlap

REGISTRY: list[Signal] = [
    MinuteNumber(),
    MeetingPeriod(),
    Recency(),
    Attendance(),
    TitleOverlap(),
    SentenceCoverage(),
    Decision(),
]

__all__ = ["FACTS", "REGISTRY", "TEXT", "Candidate", "Query", "Signal", "active", "boost"]


def active(query: Query, reads: str) -> list[Signal]:
    """The signals reading ``reads`` (FACTS or TEXT) whose weight is set and that apply to ``query``."""
    return [s for s in REGISTRY if s.reads == reads and getattr(query.cfg, s.weight) and s.applies(query)]


def boost(fused: dict[int, float], reads: str, pool: Mapping[int, Any], query: Query, scale: float) -> None:
    """Add the boosts of the active ``reads`` signals to the candidates in ``pool`` (rowid -> facts
    or text), signal by signal in registry order; ``scale`` is the best fused score before any."""
    for signal in active(query, reads):
        unit = getattr(query.cfg, signal.weight) * scale
        for rowid, data in pool.items():
            c = Candidate(rowid, unit, query, pool=pool,
                          **({"facts": data} if reads == FACTS else {"text": data}))
            add = signal.score(c)
            if add:
                fused[rowid] += add
