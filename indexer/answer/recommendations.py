"""The recommendations tracker read at query time: records, their follow-ups and later discussion.

``find_recommendations``, ``recommendation`` and ``cross_references`` read the tracker tables
(built by :mod:`indexer.store.tracker`); ``discussed`` finds later passages on the same matter
with the embedder (thresholds measured as described in :mod:`indexer.answer.ask`).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import numpy as np

from indexer.answer.abstain import weighted_share
from indexer.common.dates import MONTHS
from indexer.common.errors import NotFound
from indexer.common.text import Idf, content_words, question_words, sentences
from indexer.retrieve.search import bm25_ranking, result_by_chunk_id
from indexer.store.index import Index
from indexer.store.tracker import TrackerReader, tracker_reader
from indexer.structure.followups import ROLE, STATUS_ORDER, status_of

log = logging.getLogger(__name__)

DISCUSSED_MIN = 0.40  # cosine of a later passage to the matter (measured: see the module docstring)
DISCUSSED_WORDS = 0.5  # idf-weighted share of the matter's words that the passage must contain
DISCUSSED_RECORD_WORDS = 0.34  # the same for a recommendation's text, which is longer than a question's subject
DISCUSSED_ALL_WORDS = 0.67  # ... or this share at any similarity above DISCUSSED_FLOOR
DISCUSSED_FLOOR = 0.15
RECORD_MATCH_MIN = 0.6  # idf-weighted share of the query's words a record must contain
ROW_MATCH_MIN = 0.75  # the same for a work-programme row to join a question's timeline
KIND_ORDER = {"recommendation": 0, "response": 1, "scheduled": 2, "cross_reference": 3, "discussed": 4}
# words that say "follow-up", not what is being followed up
_CUE_STOP = {w for w in content_words(
    "recommendation recommendations recommend recommended response responses respond progress follow followed "
    "following up happened happen idea plan plans request requests requested decision decided outcome status "
    "update come back done implemented actioned after since change changed developed")}

def _cite(index: Index, chunk_id: str | None) -> dict | None:
    """The citation object of a passage, with the passage as its ``quote``."""
    r = result_by_chunk_id(index, chunk_id) if chunk_id else None
    return r.citation_dict(quote=True) if r else None


def _topic(q: str) -> list[str]:
    """What a follow-up question is about: its words without the follow-up wording and dates."""
    return [w for w in question_words(q) if w not in _CUE_STOP and w not in _DATE_WORDS
            and not re.fullmatch(r"(?:19|20)\d\d(?:/\d\d)?", w)]


_MONTH_NAMES = [max((m for m in MONTHS if MONTHS[m] == n), key=len) for n in range(1, 13)]  # "january" ..
_DATE_WORDS = set(content_words(" ".join(MONTHS)))  # the names and their abbreviations
_HINT = re.compile(r"\b(?:(?P<month>" + "|".join(m[:3] + r"[a-z]*" for m in _MONTH_NAMES) + r")\s+)?(?P<year>20\d{2})\b",
                   re.I)


def _date_hints(q: str) -> list[tuple[str, str | None]]:
    """"July 2017" -> ("2017", "07"); "in 2019" -> ("2019", None): when the point was made."""
    out = []
    for m in _HINT.finditer(q):
        month = m.group("month")
        num = next((f"{i:02d}" for i, name in enumerate(_MONTH_NAMES, 1) if month and name.startswith(month[:3].lower())),
                   None)
        out.append((m.group("year"), num))
    return out


def _match_records(db: TrackerReader, q: str, include_restricted: bool, idf: Idf, minimum: float = RECORD_MATCH_MIN) -> list:
    """Records ranked by how much of the query's subject they hold: in the point itself (with
    the bullets it abbreviates and its addressee) and with its minute's title; a date in the
    query ("the July 2017 recommendations") keeps records of that month or year."""
    rows = db.records(include_restricted)
    words = _topic(q)
    if not words:
        return list(rows) if not q.strip() else []
    hints = _date_hints(q)
    scored = []
    for r in rows:
        if hints and not any(r["meeting_date"][:4] == y and (mo is None or r["meeting_date"][5:7] == mo)
                             for y, mo in hints):
            continue
        own = set(content_words(f"{r['text']} {r['context']} {r['addressee'] or ''}"))
        full = own | set(content_words(r["minute_title"]))
        s_all = weighted_share(words, full, idf)
        s = s_all if r["point"] is None else 0.5 * weighted_share(words, own, idf) + 0.5 * s_all
        if s >= minimum:
            scored.append((s, r))
    scored.sort(key=lambda sr: (-round(sr[0], 3), sr[1]["meeting_date"], sr[1]["ord"]))
    return [r for _, r in scored]


def _followup_dict(index: Index, f) -> dict:
    return {"kind": f["kind"], "meeting_id": f["meeting_id"], "meeting_date": f["meeting_date"], "text": f["text"],
            "detail": f["detail"], "response": f["response"], "planned_date": f["planned_date"],
            "planned": f["planned"], "evidence": f["evidence"], "score": f["score"], "source_id": f["source_id"],
            "citation": _cite(index, f["chunk_id"])}


def _record_discussed(index: Index, r, exclude: set, include_restricted: bool) -> list[dict]:
    """:func:`discussed` for a record, kept per index generation: the papers do not change within
    one, so a list page and the record's own page compute it once and agree."""
    cache: dict[tuple, list[dict]] = index.cached("discussed", dict)
    key = (r["id"], include_restricted)
    hit = cache.get(key)
    if hit is None:
        if len(cache) > 50_000:
            cache.clear()
        hit = cache[key] = discussed(index, r, set(exclude), include_restricted)
    return [dict(f) for f in hit]


def _record_dict(index: Index, db: TrackerReader, r, include_restricted: bool, with_discussed: bool) -> dict:
    """A record with its follow-ups. Its status always counts later discussion in the papers, as the
    record's own page shows it; ``with_discussed`` also lists those passages among the follow-ups."""
    fus = [_followup_dict(index, f) for f in db.followups(r["id"], include_restricted)]
    exclude = {f["citation"]["id"] for f in fus if f["citation"]} | {r["chunk_id"]}
    if with_discussed or STATUS_ORDER.index(status_of(_kinds(fus))) > STATUS_ORDER.index("discussed"):
        # the status always counts later discussion, as the record's own page does; when that
        # discussion is what decides the status, it is listed too, so the status is never
        # "discussed" over a timeline that shows no discussion
        fus += _record_discussed(index, r, exclude, include_restricted)
    fus.sort(key=lambda f: (f["meeting_date"], KIND_ORDER[f["kind"]]))
    status = status_of(_kinds(fus))
    rec = {"id": r["id"], "meeting_id": r["meeting_id"], "meeting_date": r["meeting_date"],
           "committee": r["committee"], "minute": r["minute"], "minute_title": r["minute_title"],
           "point": r["point"], "text": r["text"], "lead_in": r["lead_in"], "addressee": r["addressee"],
           "is_recommendation": bool(r["is_recommendation"]), "status": status,
           "citation": _cite(index, r["chunk_id"]), "follow_ups": fus}
    rec["timeline"] = [_rec_entry(rec)] + [
        {"meeting_date": f["meeting_date"], "kind": f["kind"], "text": f["text"], "citation": f["citation"],
         **({"planned_date": f["planned_date"]} if f["kind"] == "scheduled" else {}),
         **({"response": f["response"]} if f["kind"] == "response" else {})} for f in fus]
    return rec


def _kinds(fus: list[dict]) -> list[str]:
    """Follow-up kinds as the status counts them: a tracker row with no response is "tracked"."""
    return [f["kind"] if f["kind"] != "response" or f["response"] else "tracked" for f in fus]


def timeline_status(timeline: list[dict]) -> str:
    """The status a timeline shows (its first entry is the recommendation itself): the same rule
    as the record's status, so a test can check that the two always agree."""
    return status_of([e["kind"] if e["kind"] != "response" or e.get("response") else "tracked"
                      for e in timeline[1:]])


def overdue_since(rec: dict, latest: str | None) -> str | None:
    """The promised date (YYYY-MM-DD) of a scheduled record whose latest plan fell before
    ``latest`` (the committee's latest meeting in the index) with nothing in the papers on or
    after it; None when not overdue. The papers, not today's date, are the clock: an index of
    2017-2023 papers would otherwise call every plan overdue."""
    if rec["status"] != "scheduled" or not latest:
        return None
    planned = [f["planned_date"] for f in rec["follow_ups"] if f["kind"] == "scheduled" and f["planned_date"]]
    if not planned:
        return None  # no date was promised
    due = max(planned)  # a later work programme that moves the date moves it here too
    if due >= latest or any(f["meeting_date"] >= due for f in rec["follow_ups"] if f["kind"] != "scheduled"):
        return None
    return due


def latest_meeting(index: Index, committee: str) -> str | None:
    """The date (YYYY-MM-DD) of the committee's latest meeting in the index: the clock of :func:`overdue_since`."""
    def build() -> dict[str, str]:
        latest: dict[str, str] = {}
        for m in index.meetings():
            latest[m["committee"]] = max(latest.get(m["committee"], ""), m["date"])
        return latest
    return index.cached("latest meeting of each committee", build).get(committee)


def _rec_entry(rec: dict) -> dict:
    where = f"Minute {rec['minute']} ({rec['minute_title']})" + (f", point {rec['point']}" if rec["point"] else "")
    return {"meeting_date": rec["meeting_date"], "kind": "recommendation", "text": f"{where}: {rec['text']}",
            "citation": rec["citation"], "record_id": rec["id"], "status": rec["status"],
            "addressee": rec["addressee"]}


def discussed(index: Index, r, exclude: set, include_restricted: bool = False, query: str | None = None,
              after: str | None = None, limit: int = 6, skip_items: set | None = None) -> list[dict]:
    """Later passages on the same matter as record ``r`` (or as ``query``).

    A passage qualifies when its dense similarity to the matter is at least DISCUSSED_MIN, it
    holds at least DISCUSSED_WORDS of the matter's words (idf-weighted) and, for a matter of two
    words or more, two of them side by side ("social workers", "young carers"). Each item gives
    one passage: the one whose best sentence says most about the matter. Items are ordered by
    similarity, best first; the record's own minute (and ``skip_items``) are left out.
    """
    idf = index.idf()
    text = query or ROLE.sub(" ", f"{r['text']} {r['context']}")
    words = list(dict.fromkeys(_matter_words(text)))
    pairs = _pairs(text)
    after = after or (r["meeting_date"] if r is not None else "0000")
    skip = set(skip_items or ()) | ({r["item_id"]} if r is not None else set())
    qvec = index.query_vector(text)
    scores, ids = index.vectors.search(qvec, 60)
    ranking = {int(i): float(s) for s, i in zip(np.ravel(scores), np.ravel(ids)) if i >= 0 and s >= DISCUSSED_FLOOR}
    extra = [cid for cid, _ in bm25_ranking(index, " ".join(words), 30, None) if cid not in ranking]
    if extra:
        for cid, v in zip(extra, index.vectors.vectors_for(np.array(extra, dtype=np.int64))):
            ranking[cid] = float(v @ qvec)
    ranking = sorted(((cid, s) for cid, s in ranking.items() if s >= DISCUSSED_FLOOR), key=lambda cs: -cs[1])
    if not ranking or not words:
        return []
    rows = index.passages_for_discussion([cid for cid, _ in ranking])
    best_of_item: dict[str, tuple] = {}
    for cid, s in ranking:
        x = rows.get(cid)
        if (x is None or x["id"] in exclude or x["item_id"] in skip or x["date"] <= after
                or x["item_id"].endswith(("/agenda", "/attendance"))  # front sheets and who attended
                or x["doc_type"] in ("agenda", "work_programme", "outstanding_issues")  # rows: their own kinds
                or (x["restricted"] and not include_restricted)):
            continue
        share = weighted_share(words, set(content_words(x["text"])), idf)
        if pairs and not pairs & _pairs(x["text"]):
            continue
        if not ((s >= DISCUSSED_MIN and share >= (DISCUSSED_WORDS if query else DISCUSSED_RECORD_WORDS))
                or share >= DISCUSSED_ALL_WORDS):
            continue
        share, sentence = max(((weighted_share(words, set(content_words(t)), idf), t) for t in sentences(x["text"])),
                              key=lambda st: st[0], default=(0.0, ""))
        key = (share, s)
        if x["item_id"] not in best_of_item or key > best_of_item[x["item_id"]][0]:
            best_of_item[x["item_id"]] = (key, x, s, sentence)
    out, said = [], set()
    for _, x, s, sentence in sorted(best_of_item.values(), key=lambda v: -v[2]):
        if sentence in said or len(out) >= limit:
            continue  # the same words printed twice in a pack
        said.add(sentence)
        out.append({"kind": "discussed", "meeting_id": x["meeting_id"], "meeting_date": x["date"], "text": sentence,
                    "detail": None, "response": None, "planned_date": None, "planned": None,
                    "evidence": f"dense similarity {s:.2f} (threshold {DISCUSSED_MIN})", "score": round(s, 4),
                    "source_id": x["id"], "citation": _cite(index, x["id"])})
        exclude.add(x["id"])
    return out


@lru_cache(maxsize=20_000)
def _matter_words(text: str) -> tuple[str, ...]:
    """Content words that say what a matter is: no follow-up wording, dates, numbers or contractions
    (kept per text: the same passages are read for every follow-up question)."""
    return tuple(w for w in content_words(text) if w not in _CUE_STOP and w not in _DATE_WORDS
            and not re.fullmatch(r"[\d/.-]+", w) and not re.search(r"'(?:re|ve|ll|m|d|t)$", w))


@lru_cache(maxsize=20_000)
def _pairs(text: str) -> frozenset[tuple[str, str]]:
    """Adjacent matter words of ``text`` (other words between them ignored), as unordered pairs."""
    ws = _matter_words(text)
    return frozenset(tuple(sorted(p)) for p in zip(ws, ws[1:]) if p[0] != p[1])


def find_recommendations(index: Index, q: str = "", include_restricted: bool = False, limit: int = 50,
                         with_discussed: bool = False) -> list[dict]:
    """Records whose words match ``q`` (all records, oldest first, for an empty ``q``), each with
    its status, follow-ups and timeline. ``with_discussed`` adds later passages found by the
    embedder (slower: one dense search per record)."""
    db = tracker_reader(index)
    recs = _match_records(db, q or "", include_restricted, index.idf())
    return [_record_dict(index, db, r, include_restricted, with_discussed) for r in recs[:limit]]


def recommendation(index: Index, rec_id: str, include_restricted: bool = False) -> dict:
    """One record with every follow-up, "discussed" passages included, and its timeline."""
    db = tracker_reader(index)
    row = db.record(rec_id)
    if row is None or (row["restricted"] and not include_restricted):
        raise NotFound("recommendation", rec_id)
    return _record_dict(index, db, row, include_restricted, with_discussed=True)


def cross_references(index: Index) -> list[dict]:
    """Every "Further to minute N/YY" in the papers: resolved to its minute, or said to be outside."""
    return [{"id": x["id"], "source_id": x["source_id"], "meeting_date": x["meeting_date"], "text": x["text"],
             "minute": x["minute"], "year": x["year"], "municipal_year": x["municipal_year"],
             "status": x["status"], "target_item_id": x["target_item_id"], "reason": x["reason"],
             "citation": _cite(index, x["chunk_id"])}
            for x in tracker_reader(index).xrefs()]


