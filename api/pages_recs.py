"""The recommendations pages: what each status means, filters by status and committee, overdue plans.

A status comes from the follow-ups the record's timeline shows (indexer.answer.recommendations),
so the key below explains exactly what the page shows. "Overdue" is judged against the papers,
not today's date: a plan is overdue when its promised date falls before the committee's latest
meeting in the index and nothing in the papers follows it up on or after that date.
"""

from __future__ import annotations

from urllib.parse import urlencode

from indexer.answer import recommendations as recs_mod
from indexer.store.index import Index

from .pages import date_words

# status, its words on the page, and what it means (the order of the key and of the filter)
STATUS_KEY = (
    ("responded", "Responded",
     "A later outstanding-issues table records a response to it."),
    ("scheduled", "Scheduled",
     "A later work programme plans a report or discussion on it; the timeline gives the date."),
    ("overdue", "Overdue",
     "Scheduled for a date that had passed by the committee's latest meeting in the index, "
     "and no later paper follows it up."),
    ("discussed", "Discussed",
     "A later minute refers back to it, or a later paper discusses the same matter; no response "
     "or plan was found."),
    ("outstanding", "Outstanding",
     "Listed on a later outstanding-issues table with no response recorded."),
    ("no trace found", "No trace found",
     "Nothing in the later papers in the index follows it up (its follow-up may be in papers not indexed)."),
)
STATUS_WORDS = {s: w for s, w, _ in STATUS_KEY}
FILTERS = tuple(s for s, _, _ in STATUS_KEY)


def shown_status(rec: dict, index: Index) -> tuple[str, str | None]:
    """(the status the page shows, the overdue date or None): "overdue" refines "scheduled"."""
    due = recs_mod.overdue_since(rec, recs_mod.latest_meeting(index, rec["committee"]))
    return ("overdue" if due else rec["status"]), due


def overdue_note(rec: dict, index: Index, due: str | None) -> str | None:
    if not due:
        return None
    latest = recs_mod.latest_meeting(index, rec["committee"])
    return (f"Overdue: planned for {date_words(due)}, and nothing in the papers up to the committee's latest "
            f"meeting in the index ({date_words(latest)}) follows it up.")


def filter_recs(rows: list[dict], status: str, committee: str) -> list[dict]:
    return [r for r in rows if (not status or r["status"] == status)
            and (not committee or r["committee"] == committee)]


def status_counts(rows: list[dict]) -> list[dict]:
    """Each status with how many records have it, for the key (a link filters to it)."""
    return [{"status": s, "words": w, "meaning": m, "n": sum(r["status"] == s for r in rows)}
            for s, w, m in STATUS_KEY]


def filter_href(q: str, status: str, committee: str) -> str:
    params = {k: v for k, v in (("q", q), ("status", status), ("committee", committee)) if v}
    return "/view/recommendations" + ("?" + urlencode(params) if params else "")
