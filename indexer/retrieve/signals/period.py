"""A month or year named in the query ("in November 2019", "in 2017"): meetings of that period
(a whole boost for the month, half for the year)."""

from __future__ import annotations

import re

from indexer.retrieve.signals.base import Candidate, Query, Signal

MONTH_YEAR_IN_QUERY = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+((?:19|20)\d\d)\b", re.I)
YEAR_IN_QUERY = re.compile(r"\b((?:19|20)\d\d)\b")
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def query_periods(query: str) -> tuple[set[str], set[str]]:
    """("YYYY-MM" months, "YYYY" years) named in a query: "in November 2019", "in 2017"."""
    months = {f"{y}-{_MONTHS.index(m[:3].lower()) + 1:02d}" for m, y in MONTH_YEAR_IN_QUERY.findall(query)}
    years = set(YEAR_IN_QUERY.findall(query)) - {m[:4] for m in months}
    return months, years


class MeetingPeriod(Signal):
    weight = "date_boost"

    def applies(self, query: Query) -> bool:
        return any(query.memo("periods", lambda: query_periods(query.text)))

    def score(self, c: Candidate) -> float:
        months, years = c.query.memo("periods", lambda: query_periods(c.query.text))
        if c.facts["date"][:7] in months:
            return c.unit
        if c.facts["date"][:4] in years:
            return c.unit / 2
        return 0.0
