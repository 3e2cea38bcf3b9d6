"""A minute number named in the query ("minute 25/19"): the minute with that number."""

from __future__ import annotations

import re

from indexer.retrieve.signals.base import Candidate, Query, Signal

MINUTE_IN_QUERY = re.compile(r"\bminute\s+(?:no\.?\s*)?(\d{1,3})(?:/(\d{2}))?\b", re.I)


def _prev_year(yy: str) -> str:
    """Minute numbers run per municipal year: 25/19 may be recorded in early 2020."""
    return f"{(int(yy) + 1) % 100:02d}"


class MinuteNumber(Signal):
    weight = "minute_boost"

    def applies(self, query: Query) -> bool:
        return bool(query.memo("minute", lambda: MINUTE_IN_QUERY.search(query.text)))

    def score(self, c: Candidate) -> float:
        m = c.query.memo("minute", lambda: MINUTE_IN_QUERY.search(c.query.text))
        num, yy = m.group(1), m.group(2)
        r = c.facts
        if r["kind"] == "minute" and r["number"] == num and (yy is None or r["date"][2:4] in (yy, _prev_year(yy))):
            return c.unit
        return 0.0
