"""A question about what was resolved, decided, agreed or asked for: passages holding a RESOLVED block."""

from __future__ import annotations

import re

from indexer.retrieve.signals.base import TEXT, Candidate, Query, Signal

DECISION_IN_QUERY = re.compile(
    r"\b(?:resolved?|decided?|decisions?|agreed?|recommend(?:ed|ations?)?|ask(?:ed)? for|request(?:ed)?)\b", re.I)
_RESOLVED = re.compile(r"\bRESOLVED\b")


class Decision(Signal):
    weight = "decision_boost"
    reads = TEXT

    def applies(self, query: Query) -> bool:
        return bool(DECISION_IN_QUERY.search(query.text))

    def score(self, c: Candidate) -> float:
        return c.unit if _RESOLVED.search(c.text) else 0.0
