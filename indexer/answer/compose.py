"""The answer text and its citations, as the member reads them.

- **Citations in order of first use.** The passages the answer quotes come first, numbered in
  the order their markers first appear ([1] first); the other passages retrieved follow as
  further reading. A passage is never listed twice: two results with the same words (a report
  repeated in two packs) are one citation, and every sentence carries the markers of all the
  quoted passages holding it.
- **Story answers** ("what happened to X"): a dated line for each step the tracker records, the
  origin first, then each response, plan and later discussion, oldest first, the last saying
  where it stands (the next date it is due back, when a plan gives one). Each line is
  ``<date>, <what>: <a sentence of the cited passage, verbatim after cleaning> [n]``; the label
  before the colon is ours (:data:`STORY_LINE` finds it), the words after it are the papers'.
"""

from __future__ import annotations

import re
from datetime import date

from indexer.answer.display import display_text
from indexer.common.dates import long_date
from indexer.common.results import SearchResult
from indexer.common.text import content_words, norm, sentences
from indexer.retrieve.search import result_by_chunk_id
from indexer.store.index import Index

STORY_LINE = re.compile(r"^(?:\d{1,2} [A-Z][a-z]+ \d{4}), [a-z][a-z ]*(?:\d{1,2} [A-Z][a-z]+ \d{4})?: ")
MAX_STORY_LINES = 6
_LABEL = {"recommendation": "recommended", "response": "response", "scheduled": "planned",
          "cross_reference": "taken up again", "discussed": "discussed"}


def number_citations(quoted: list[tuple[str, list[int]]], results: list[SearchResult], texts: list[str]
                     ) -> tuple[str, list[SearchResult], list[str]]:
    """(answer text with [n] markers, citations in first-use order, their cleaned texts).
    ``quoted``: (sentence, 1-based numbers into ``results``) in answer order."""
    same: dict[str, int] = {}  # normalised text -> first result index holding it
    canon: list[int] = []
    for i, r in enumerate(results):
        key = norm(r.text)
        canon.append(same.setdefault(key, i))
    order: list[int] = []
    for _, ns in quoted:
        for n in ns:
            c = canon[n - 1]
            if c not in order:
                order.append(c)
    rest = [i for i in range(len(results)) if canon[i] == i and i not in order]
    new_number = {old: k for k, old in enumerate(order + rest, start=1)}
    parts = []
    for s, ns in quoted:
        marks = sorted({new_number[canon[n - 1]] for n in ns})
        parts.append(f"{s} {''.join(f'[{m}]' for m in marks)}")
    keep = order + rest
    return " ".join(parts), [results[i] for i in keep], [texts[i] for i in keep]


def _best_sentence(text: str, target: str) -> str | None:
    """The sentence of ``text`` sharing most words with ``target`` (a timeline entry's words)."""
    want = set(content_words(target))
    best, best_share = None, 0.0
    for s in sentences(text):
        have = set(content_words(s))
        share = len(want & have) / len(want) if want else 0.0
        if share > best_share:
            best, best_share = s, share
    return best if best_share >= 0.3 else None


def story(index: Index, timeline: list[dict]) -> tuple[list[tuple[str, list[int]]], list[SearchResult], list[str]]:
    """Dated lines from a follow-up timeline: (lines as (text, [n])), the passages they cite and
    their cleaned texts (numbers are 1-based into those passages, in first-use order)."""
    picked = _pick(timeline)
    lines: list[tuple[str, list[int]]] = []
    cited: list[SearchResult] = []
    texts: list[str] = []
    for k, e in enumerate(picked):
        r = result_by_chunk_id(index, e["citation"]["id"]) if e.get("citation") else None
        if r is None:
            continue
        text = display_text(index, r)
        quote = _best_sentence(text, e["text"])
        if quote is None:
            continue
        if r.id not in [c.id for c in cited]:
            cited.append(r)
            texts.append(text)
        n = [c.id for c in cited].index(r.id) + 1
        label = _LABEL.get(e["kind"], e["kind"])
        if k == len(picked) - 1 and e["kind"] == "scheduled" and e.get("planned_date"):
            try:
                label = f"next due back {long_date(date.fromisoformat(e['planned_date']))}"
            except ValueError:
                pass
        when = long_date(date.fromisoformat(e["meeting_date"]))
        line = f"{when}, {label}: {quote}"
        if not any(line == x for x, _ in lines):
            lines.append((line, [n]))
    return lines, cited, texts


def _pick(timeline: list[dict]) -> list[dict]:
    """The origin, every response and plan, and the latest discussion, at most MAX_STORY_LINES,
    oldest first (the timeline is already in date order)."""
    if len(timeline) <= MAX_STORY_LINES:
        return timeline
    core = [e for e in timeline if e["kind"] != "discussed"]
    talk = [e for e in timeline if e["kind"] == "discussed"]
    keep = core[:MAX_STORY_LINES - 1] + talk[-1:] if talk else core[:MAX_STORY_LINES]
    keep = keep[:MAX_STORY_LINES]
    return sorted(keep, key=lambda e: timeline.index(e))


def strip_label(line: str) -> str:
    """A story line without its dated label: the words quoted from the papers."""
    return STORY_LINE.sub("", line, count=1)
