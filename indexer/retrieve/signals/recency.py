""""Last", "latest", "most recent", "current" in the query: later meetings first (the boost rises
from 0 for the candidates' earliest meeting date to a whole one for their latest)."""

from __future__ import annotations

import re

from indexer.retrieve.signals.base import Candidate, Query, Signal

RECENT_IN_QUERY = re.compile(r"\b(?:last|latest|most recent(?:ly)?|current(?:ly)?|now|still)\b", re.I)


def _places(pool) -> dict[str, float]:
    dates = sorted({r["date"] for r in pool.values()})
    return {d: i / (len(dates) - 1) for i, d in enumerate(dates)} if len(dates) > 1 else {}


class Recency(Signal):
    weight = "recency_boost"

    def applies(self, query: Query) -> bool:
        return bool(RECENT_IN_QUERY.search(query.text))

    def score(self, c: Candidate) -> float:
        place = c.query.memo(("recency", id(c.pool)), lambda: _places(c.pool))
        return c.unit * place[c.facts["date"]] if place else 0.0
