"""Query words in the item's title: the share of the query's words (of 4+ letters) it holds."""

from __future__ import annotations

import re

from indexer.retrieve.signals.base import Candidate, Signal

_WORD = re.compile(r"[a-z]{4,}")


class TitleOverlap(Signal):
    weight = "title_boost"

    def score(self, c: Candidate) -> float:
        qwords = c.query.memo("title_words", lambda: set(_WORD.findall(c.query.text.lower())))
        twords = set(_WORD.findall(c.facts["item_title"].lower()))
        if qwords and twords:
            return c.unit * len(qwords & twords) / len(qwords)
        return 0.0
