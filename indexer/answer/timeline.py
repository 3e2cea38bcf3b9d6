"""Timelines of follow-up questions: matching records, their follow-ups, work-programme rows
that plan the matter, and its later discussion in the papers, oldest first."""

from __future__ import annotations

import re
from datetime import date, timedelta

from indexer.answer.abstain import weighted_share
from indexer.answer.recommendations import (
    KIND_ORDER, ROW_MATCH_MIN, _cite, _match_records, _pairs, _rec_entry, _record_dict, _topic, discussed,
)
from indexer.common.results import Filters
from indexer.common.text import TOKEN, content_words, word
from indexer.store.index import Index
from indexer.store.tracker import tracker_reader

def question_timeline(index: Index, question: str, filters: Filters | None = None) -> list[dict]:
    """Recommendations matching a follow-up question, their follow-ups, the work-programme rows
    that plan the matter, and its discussion in the papers, oldest first."""
    filters = filters or Filters()
    db = tracker_reader(index)
    idf = index.idf()
    topic = _topic(question)
    strong = {w for w in topic if idf(w) >= 1.5}
    pairs = _pairs(topic_text(question))
    entries: list[dict] = []
    sources: set[str] = set()
    record_items: set[str] = set()
    record_dates: set[str] = set()
    for r in _match_records(db, question, filters.include_restricted, idf)[:5]:
        rec = _record_dict(index, db, r, filters.include_restricted, with_discussed=False)
        entries.append(_rec_entry(rec))
        record_items.add(r["item_id"])
        record_dates.add(r["meeting_date"])
        for f in rec["follow_ups"]:
            if f["kind"] == "scheduled" and not strong & set(content_words(f["text"])):
                continue  # a plan for another part of a many-part point
            if f["source_id"] in sources:
                continue
            sources.add(f["source_id"])
            entries.append({"meeting_date": f["meeting_date"], "kind": f["kind"], "text": f["text"],
                            "citation": f["citation"], "record_id": rec["id"],
                            **({"planned_date": f["planned_date"]} if f["kind"] == "scheduled" else {})})
    if topic:
        for row in db.work_programme_rows(filters.include_restricted):
            if row["id"] in sources or row["row_date"] in record_dates:
                continue  # already linked, or the row of the meeting that made the recommendation
            both = f"{row['item']} {row['text']}"
            if (weighted_share(topic, set(content_words(both)), idf) >= ROW_MATCH_MIN
                    and weighted_share(topic, set(content_words(row["item"])), idf) >= 0.5
                    and (not pairs or pairs & _pairs(both))):
                sources.add(row["id"])
                label = row["row_date_label"] or "no date set"
                entries.append({"meeting_date": row["meeting_date"], "kind": "scheduled",
                                "text": f"Work programme: \u201c{row['item']}\u201d, {label}"
                                        + (f": {row['text']}" if row["text"] else ""),
                                "citation": _cite(index, row["chunk_id"]), "planned_date": row["row_date"]})
    used = {e["citation"]["id"] for e in entries if e["citation"]}
    first = min((e["meeting_date"] for e in entries), default="0000")
    for d in discussed(index, None, used, filters.include_restricted, query=topic_text(question),
                       after=_day_before(first), limit=8, skip_items=record_items):
        entries.append({"meeting_date": d["meeting_date"], "kind": "discussed", "text": d["text"],
                        "citation": d["citation"]})
    entries = [e for e in entries if _passes(e, filters)]
    entries.sort(key=lambda e: (e["meeting_date"], KIND_ORDER[e["kind"]]))
    return entries


_QUOTED = re.compile(r"[\"“‘](?P<t>[^\"”’]{3,80})[\"”’](?!\w)|(?<!\w)'(?P<u>[^\n]{3,80}?)'(?!\w)")


def topic_text(question: str) -> str:
    """The question's subject in its own words, without the follow-up wording: "What happened to
    the social worker retention recommendation?" -> "social worker retention". A quoted title
    ("the '50 things to do before you're 5' app") is kept whole."""
    quoted = [m.group("t") or m.group("u") for m in _QUOTED.finditer(question)]
    rest = _QUOTED.sub(" ", question)
    keep = set(_topic(rest))
    words = [t for t in TOKEN.findall(rest) if word(t) in keep]
    return " ".join(quoted + words) or question


def _day_before(iso: str) -> str:
    try:
        return (date.fromisoformat(iso) - timedelta(days=1)).isoformat()
    except ValueError:
        return "0000"


def _passes(e: dict, f: Filters) -> bool:
    c = e.get("citation")
    if c is None:
        return False
    if f.committee and f.committee.lower() not in c["committee"].lower():
        return False
    if f.date_from and e["meeting_date"] < f.date_from.isoformat():
        return False
    if f.date_to and e["meeting_date"] > f.date_to.isoformat():
        return False
    return True
