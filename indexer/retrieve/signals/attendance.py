""""Who came / attended / took part" in the query: the minutes' list of who was present."""

from __future__ import annotations

import re

from indexer.retrieve.signals.base import Candidate, Query, Signal

ATTENDANCE_IN_QUERY = re.compile(  # not "school attendance": that is a subject, not who was at a meeting
    r"\b(?:who (?:came|attended|spoke|represented|was there|were there|was present|were present|took part|joined)"
    r"|attend(?:ed|ing|ance at|ees (?:of|at)) (?:the|a|this|that) (?:meeting|board|committee|discussion|session)"
    r"|(?:was|were) (?:present|there)|by invitation|apologies)\b", re.I)


class Attendance(Signal):
    weight = "attendance_boost"

    def applies(self, query: Query) -> bool:
        return bool(ATTENDANCE_IN_QUERY.search(query.text))

    def score(self, c: Candidate) -> float:
        return c.unit if c.facts["item_id"].endswith("/attendance") else 0.0
