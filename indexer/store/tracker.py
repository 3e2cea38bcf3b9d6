"""Recommendations tracker: every RESOLVED point in minutes, and the evidence of what followed.

Built at index time by :func:`rebuild_tracker` from what the reader stored (items with their
RESOLVED points and cross-references, documents with their tables, the files' text). It runs
on every index update, so it is a pure recomputation over SQLite rows: no model, no network.

A **record** is one numbered point of a RESOLVED (or RECOMMENDED) block, or the whole block
when it has no numbered points. Its **follow-ups** are evidence found in later papers:

- ``response``: a row of a later outstanding-issues table whose meeting date is the record's
  meeting, whose agenda item is the minute's title and whose recommendation text matches the
  point; the row's "Response/ Status" cell is the response (a blank cell is kept as evidence
  that the point was still outstanding);
- ``scheduled``: a row of a later work programme that plans the follow-up (content words of
  the row against the point and the minute), with its planned date;
- ``cross_reference``: a later minute or report that says "Further to minute N/YY" and names
  the record's minute.

``discussed`` follow-ups (later passages on the same matter) need the embedder, so they are
found at query time (:func:`indexer.answer.recommendations.discussed`), as is everything that reads these tables.

Tables (all rebuilt on every call): ``tracker_records``, ``tracker_followups``, ``tracker_rows``
(every outstanding-issues and work-programme row, dated), ``tracker_xrefs`` (every
cross-reference and what it resolved to), ``tracker_words`` (document frequencies of words over
the passages, for query-time scoring) and ``tracker_meta``.

A record's status comes only from its follow-ups, strongest first: ``responded``,
``scheduled``, ``discussed``, ``outstanding`` (on a later tracker, no response recorded),
``no trace found``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from indexer.common.dates import MONTHS
from indexer.common.text import Idf, content_words, overlap, stem
from indexer.structure.core import XREF_RE, clean

log = logging.getLogger(__name__)

# Stored with the tables: a tracker written by other code is recomputed when read (see indexer.answer.recommendations.tracker_db).
TRACKER_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]

SCHEMA = """
CREATE TABLE IF NOT EXISTS tracker_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tracker_records (
    id TEXT PRIMARY KEY, item_id TEXT NOT NULL, meeting_id TEXT NOT NULL, meeting_date TEXT NOT NULL,
    committee TEXT NOT NULL, minute TEXT, minute_title TEXT NOT NULL, point TEXT, text TEXT NOT NULL,
    lead_in TEXT NOT NULL, context TEXT NOT NULL, addressee TEXT, is_recommendation INTEGER NOT NULL,
    path TEXT NOT NULL, span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, chunk_id TEXT,
    restricted INTEGER NOT NULL, status TEXT NOT NULL, ord INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tracker_followups (
    rec_id TEXT NOT NULL, kind TEXT NOT NULL, meeting_id TEXT NOT NULL, meeting_date TEXT NOT NULL,
    text TEXT NOT NULL, detail TEXT, planned_date TEXT, planned TEXT, response TEXT, score REAL NOT NULL,
    evidence TEXT NOT NULL, source_id TEXT NOT NULL, path TEXT NOT NULL, span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL, chunk_id TEXT, restricted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tracker_followups_rec ON tracker_followups(rec_id);
CREATE TABLE IF NOT EXISTS tracker_rows (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, document_id TEXT NOT NULL, meeting_id TEXT NOT NULL,
    meeting_date TEXT NOT NULL, row_date TEXT, row_date_label TEXT, item TEXT NOT NULL,
    text TEXT NOT NULL, response TEXT, cells TEXT NOT NULL, path TEXT NOT NULL,
    span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, chunk_id TEXT, restricted INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tracker_xrefs (
    id TEXT PRIMARY KEY, source_id TEXT NOT NULL, meeting_id TEXT NOT NULL, meeting_date TEXT NOT NULL,
    committee TEXT NOT NULL, text TEXT NOT NULL, minute TEXT NOT NULL, year TEXT,
    municipal_year TEXT NOT NULL, target_item_id TEXT, status TEXT NOT NULL, reason TEXT NOT NULL,
    path TEXT NOT NULL, span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, chunk_id TEXT
);
CREATE TABLE IF NOT EXISTS tracker_words (word TEXT PRIMARY KEY, df INTEGER NOT NULL);
"""
TABLES = ("tracker_records", "tracker_followups", "tracker_rows", "tracker_xrefs", "tracker_words")
STATUS_ORDER = ("responded", "scheduled", "discussed", "outstanding", "no trace found")

# Thresholds on the weighted word overlap (0..1) described in _overlap; chosen by reading every
# candidate pair in the five Coventry packs (the lowest true link scores ~0.3, the highest false ~0.2).
RESPONSE_MIN = 0.25
SCHEDULED_MIN = 0.6


# ---------------------------------------------------------------------------- dates

_ROW_DATE = re.compile(
    r"\b(?P<day>\d{1,2})\s*(?:st|nd|rd|th)?\s+(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|"
    r"june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?,?"
    r"(?:\s+(?P<year>(?:19|20)?\d{2})\b)?", re.I)


def row_date(label: str, near: date) -> date | None:
    """A table's date cell ("16th June 16", "13th July 2017 – 10am", "Wednesday 24th March")."""
    m = _ROW_DATE.search(label or "")
    if not m:
        return None
    mon = m.group("month").lower()
    month = MONTHS["sep" if mon.startswith("sept") else mon[:3]]
    day = int(m.group("day"))
    if m.group("year"):
        y = int(m.group("year"))
        years = [y + 2000 if y < 100 else y]
    else:  # no year printed: the one that puts the date nearest the pack's meeting
        years = [near.year - 1, near.year, near.year + 1]
    best = None
    for y in years:
        try:
            d = date(y, month, day)
        except ValueError:
            continue
        if best is None or abs((d - near).days) < abs((best - near).days):
            best = d
    return best


def municipal_year(d: date) -> int:
    """The year a municipal year starts in: it runs from May to the next April."""
    return d.year if d.month >= 5 else d.year - 1


def municipal_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


# ---------------------------------------------------------------------------- loading

@dataclass
class _Chunks:
    """Chunk spans per file, to cite the chunk that holds a row or a point."""

    by_path: dict[str, list[tuple[int, int, str, str, int]]] = field(default_factory=dict)

    def find(self, path: str, span: tuple[int, int], item_id: str | None = None) -> str | None:
        best, best_key = None, None
        for s, e, cid, iid, _ in self.by_path.get(path, ()):
            ov = min(e, span[1]) - max(s, span[0])
            if ov <= 0:
                continue
            contains = s <= span[0] and e >= span[1]
            key = (contains, iid == item_id, ov, -(e - s))
            if best_key is None or key > best_key:
                best, best_key = cid, key
        return best


def _load_chunks(con: sqlite3.Connection) -> _Chunks:
    ch = _Chunks()
    for r in con.execute("SELECT id, item_id, path, span_start, span_end, restricted FROM chunks ORDER BY path, span_start"):
        ch.by_path.setdefault(r[2], []).append((r[3], r[4], r[0], r[1], r[5]))
    return ch


def _col(header: list[str], *names: str) -> int | None:
    for n in names:  # the first name that any column carries wins
        for k, h in enumerate(header):
            if n in re.sub(r"\s+", " ", h.lower()):
                return k
    return None


def _cell(cells: list[str], k: int | None) -> str:
    if k is None or k >= len(cells):
        return ""
    return re.sub(r"<[^>]+>", " ", cells[k]).replace("\u2022", " ").strip()


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("**", "")).strip()


# ---------------------------------------------------------------------------- the build

def rebuild_tracker(con: sqlite3.Connection) -> list[str]:
    """Recompute the tracker tables from the store; returns warnings."""
    con.executescript(SCHEMA)
    for t in TABLES:
        con.execute(f"DELETE FROM {t}")
    warnings: list[str] = []
    meetings = {r[0]: (r[1], date.fromisoformat(r[2])) for r in con.execute("SELECT id, committee, date FROM meetings")}
    texts = {r[0]: r[1] for r in con.execute("SELECT path, text FROM files")}
    chunks = _load_chunks(con)
    idf = Idf(r[0] for r in con.execute("SELECT text FROM chunks"))
    items = [dict(r) for r in con.execute(
        "SELECT id, meeting_id, kind, number, title, path, span_start, span_end, resolutions, cross_refs, ord, "
        "restricted FROM items WHERE kind='minute'")]

    records = _records(items, meetings, texts, chunks, idf)
    rows = _rows(con, meetings, chunks)
    xrefs = _xrefs(con, items, meetings, texts, chunks)
    followups = _link_responses(records, rows, idf) + _link_scheduled(records, rows, idf)
    followups += _link_xrefs(records, xrefs, texts)

    by_rec: dict[str, list[dict]] = defaultdict(list)
    for f in followups:
        by_rec[f["rec_id"]].append(f)
    for rec in records:
        rec["status"] = status_of([f["kind"] if f["kind"] != "response" or f["response"] else "tracked"
                                   for f in by_rec[rec["id"]]])
    con.executemany(f"INSERT INTO tracker_records VALUES ({','.join('?' * 20)})", [
        (r["id"], r["item_id"], r["meeting_id"], r["meeting_date"], r["committee"], r["minute"], r["minute_title"],
         r["point"], r["text"], r["lead_in"], r["context"], r["addressee"], int(r["is_recommendation"]), r["path"],
         r["span"][0], r["span"][1], r["chunk_id"], r["restricted"], r["status"], r["ord"]) for r in records])
    con.executemany(f"INSERT INTO tracker_followups VALUES ({','.join('?' * 17)})", [
        (f["rec_id"], f["kind"], f["meeting_id"], f["meeting_date"], f["text"], f.get("detail"), f.get("planned_date"),
         f.get("planned"), f.get("response"), round(f["score"], 4), f["evidence"], f["source_id"], f["path"],
         f["span"][0], f["span"][1], f["chunk_id"], f["restricted"]) for f in followups])
    con.executemany(f"INSERT INTO tracker_rows VALUES ({','.join('?' * 16)})", [
        (r["id"], r["kind"], r["document_id"], r["meeting_id"], r["meeting_date"], r["row_date"], r["row_date_label"],
         r["item"], r["text"], r["response"], json.dumps(r["cells"]), r["path"], r["span"][0], r["span"][1],
         r["chunk_id"], r["restricted"]) for r in rows])
    con.executemany(f"INSERT INTO tracker_xrefs VALUES ({','.join('?' * 16)})", [
        (x["id"], x["source_id"], x["meeting_id"], x["meeting_date"], x["committee"], x["text"], x["minute"], x["year"],
         x["municipal_year"], x["target_item_id"], x["status"], x["reason"], x["path"], x["span"][0], x["span"][1],
         x["chunk_id"]) for x in xrefs])
    con.executemany("INSERT INTO tracker_words VALUES (?,?)", idf.df.items())
    con.executemany("INSERT OR REPLACE INTO tracker_meta VALUES (?, ?)",
                    [("version", TRACKER_VERSION), ("passages", str(idf.n))])
    for r in records:
        if r["chunk_id"] is None:
            warnings.append(f"tracker: no chunk holds {r['id']}; it cannot be cited")
    log.info("tracker: %d records, %d follow-ups, %d table rows, %d cross-references",
             len(records), len(followups), len(rows), len(xrefs))
    return warnings


def status_of(kinds: list[str]) -> str:
    """The strongest evidence decides: a response, a plan, a later discussion, a tracker listing."""
    mapping = {"response": "responded", "scheduled": "scheduled", "cross_reference": "discussed",
               "discussed": "discussed", "tracked": "outstanding"}
    found = {mapping[k] for k in kinds if k in mapping}
    return next((s for s in STATUS_ORDER if s in found), "no trace found")


# ---------------------------------------------------------------------------- records

_RESOLVED_LINE = re.compile(r"^(?:\W*)(?:RESOLVED|RECOMMENDED)\b")
_RECOMMEND = re.compile(r"\brecommend(?:s|ed|ations?)?\b", re.I)
# after "recommend that the", "recommend to", "recommendations to the": a run of capitalised words
_ADDRESSEE = re.compile(
    r"\brecommend(?:s|ed)?\s+(?:that\s+|to\s+)?(?:the\s+)?(?P<a>[A-Z][^\n]*)"
    r"|\brecommendations?\s+to\s+(?:the\s+)?(?P<b>[A-Z][^\n]*)")
_NAME_WORD = re.compile(r"^(?:\(?[A-Z][\w'’&().-]*|and|of|for|the|&)$")
_ROLE_SPLIT = re.compile(r"\s+and\s+(?:the\s+)?(?=(?:Deputy\s+)?(?:Cabinet|Director|Chief|Leader|Council\b|Strategic))")


def addressee(text: str) -> str | None:
    """Who a recommendation is addressed to, as written ("Cabinet Member for Children and Young People")."""
    m = _ADDRESSEE.search(_norm(text))
    if not m:
        return None
    words = []
    for raw in (m.group("a") or m.group("b")).split():
        w = raw.rstrip(",.;:")
        if not _NAME_WORD.match(w):
            break
        words.append(w)
        if w != raw:
            break  # the word ended a clause ("Skills," or "Skills.")
    while words and words[-1] in ("and", "of", "for", "the", "&"):
        words.pop()
    if not words or words[0] in ("The", "That"):
        return None
    roles = _ROLE_SPLIT.split(" ".join(words))
    return "; ".join(r.strip() for r in roles if r.strip())


def _records(items, meetings, texts, chunks: _Chunks, idf: Idf) -> list[dict]:
    out: list[dict] = []
    for it in items:
        committee, when = meetings.get(it["meeting_id"], ("", None))
        if when is None:
            continue
        text = texts.get(it["path"], "")
        body = text[it["span_start"]:it["span_end"]]
        first_resolved = next((m.start() for m in re.finditer(r"(?m)^.*\b(?:RESOLVED|RECOMMENDED)\b", body)), len(body))
        bullets = [_norm(re.sub(r"^\s*[-•*]\s*", "", ln)) for ln in body[:first_resolved].split("\n")
                   if re.match(r"^\s*[-•*]\s+\S", ln)]
        seen: Counter = Counter()
        for ordinal, (point, rtext, span) in enumerate(json.loads(it["resolutions"])):
            lead = _lead_in(text, span[0], it["span_start"])
            base = f"{it['id']}/point-{point}" if point else f"{it['id']}/resolved"
            seen[base] += 1
            rid = base if seen[base] == 1 else f"{base}-{seen[base]}"
            rtext = _norm(rtext)
            context = _context(rtext, bullets, idf)
            who = addressee(rtext) or (addressee(lead) if point else None)
            out.append({
                "id": rid, "item_id": it["id"], "meeting_id": it["meeting_id"], "meeting_date": when.isoformat(),
                "date": when, "committee": committee, "minute": it["number"], "minute_title": it["title"],
                "point": point, "text": rtext, "lead_in": lead, "context": context, "addressee": who,
                "is_recommendation": bool(_RECOMMEND.search(rtext) or _RECOMMEND.search(lead)),
                "path": it["path"], "span": tuple(span), "chunk_id": chunks.find(it["path"], tuple(span), it["id"]),
                "restricted": it["restricted"], "ord": it["ord"] * 100 + ordinal,
            })
    return out


def _lead_in(text: str, start: int, floor: int) -> str:
    """The "RESOLVED that the Scrutiny Board" line that opens the block holding ``start``."""
    pos = start
    while pos > floor:
        ls = text.rfind("\n", floor, pos - 1) + 1
        line = clean(text[ls:pos])
        if _RESOLVED_LINE.match(line):
            return _norm(line)
        pos = ls
        if ls <= floor:
            break
    return ""


def _context(point: str, bullets: list[str], idf: Idf) -> str:
    """Discussion bullets a short point abbreviates ("the task and finish group" ->
    "progress on the Retention of Social Workers Task and Finish group")."""
    pw = set(content_words(point))
    keep = []
    for b in bullets:
        bw = set(content_words(b))
        common = pw & bw
        if len(bw) <= 12 and len(common) >= 2 and sum(map(idf, common)) >= 0.5 * sum(map(idf, bw)):
            keep.append(b.rstrip(",;."))
    return "; ".join(dict.fromkeys(keep))


# ---------------------------------------------------------------------------- table rows

def _rows(con, meetings, chunks: _Chunks) -> list[dict]:
    out: list[dict] = []
    for d in con.execute("SELECT id, meeting_id, published_for, doc_type, path, tables, restricted FROM documents "
                         "WHERE doc_type IN ('outstanding_issues', 'work_programme')"):
        pack = d["published_for"] or d["meeting_id"]
        if pack not in meetings:
            continue
        pack_date = meetings[pack][1]
        for t, table in enumerate(json.loads(d["tables"])):
            header = table["header"]
            if d["doc_type"] == "outstanding_issues":
                cols = dict(date=_col(header, "meeting date", "date"), item=_col(header, "agenda item", "item"),
                            text=_col(header, "recommendation", "action"), response=_col(header, "response", "status"))
                if cols["text"] is None or cols["date"] is None:
                    continue
            else:
                cols = dict(date=_col(header, "date"), item=_col(header, "title", "item"),
                            text=_col(header, "detail", "description"), response=None)
                if cols["item"] is None:
                    continue
            label, when = "", None
            for n, row in enumerate(table["rows"]):
                cells = row["cells"]
                own = _cell(cells, cols["date"])
                if own:  # a blank date cell continues the previous row's date
                    label, when = own, row_date(own, pack_date)
                item, detail = _cell(cells, cols["item"]), _cell(cells, cols["text"])
                if not (item or detail) or item.strip("- ") == "" and not detail:
                    continue
                out.append({
                    "id": f"{d['id']}/table-{t}/row-{n}", "kind": d["doc_type"], "document_id": d["id"],
                    "meeting_id": pack, "meeting_date": pack_date.isoformat(), "pack_date": pack_date,
                    "row_date": when.isoformat() if when else None, "date": when, "row_date_label": label,
                    "item": _norm(item), "text": _norm(detail), "response": _norm(_cell(cells, cols["response"])),
                    "cells": cells, "path": d["path"], "span": tuple(row["span"]),
                    "chunk_id": chunks.find(d["path"], tuple(row["span"])), "restricted": d["restricted"],
                })
    return out


def _link_responses(records: list[dict], rows: list[dict], idf: Idf) -> list[dict]:
    """Outstanding-issues rows: same meeting date, agenda item ~ minute title, text ~ point."""
    by_meeting: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_meeting[r["meeting_date"]].append(r)
    out = []
    for row in rows:
        if row["kind"] != "outstanding_issues" or row["date"] is None:
            continue
        cands = [r for r in by_meeting.get(row["date"].isoformat(), [])
                 if r["date"] < row["pack_date"] and _same_title(row["item"], r["minute_title"])]
        if not cands:
            continue
        scored = [(overlap(row["text"], f"{r['text']} {r['context']}", idf), r) for r in cands]
        best = max(s for s, _ in scored)
        single_minute = len({r["item_id"] for r in cands}) == 1 and len(cands) == 1
        for s, r in scored:
            if (s >= RESPONSE_MIN and s >= best - 0.05) or single_minute:
                resp = row["response"]
                out.append(_followup(r, row, "response", s, detail=row["text"], response=resp or None,
                                     text=(f"Response/ Status: \u201c{resp}\u201d" if resp else
                                           "Listed as an outstanding issue; no response recorded"),
                                     evidence=f"meeting date {row['row_date_label']} and agenda item "
                                              f"\u201c{row['item']}\u201d match minute {r['minute']}; text overlap {s:.2f}"))
    return out


def _same_title(a: str, b: str) -> bool:
    wa, wb = set(content_words(a)), set(content_words(b))
    if not wa or not wb:
        return _norm(a).lower() == _norm(b).lower()
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.5


# Words too common in council papers to tie a plan to a point on their own: below this idf
# (in more than ~22% of passages: children, services, social, progress...) or boilerplate.
GENERIC_IDF = 1.5
GENERIC = {stem(w) for w in "recommendation recommend update progress information provide detail report".split()}
_ROLE = re.compile(r"(?:Deputy\s+)?(?:Cabinet\s+Member|Chief\s+Executive|Director|Chair|Leader)"
                   r"(?:\s+(?:for|of)(?:\s+(?:[A-Z][\w'’]*|and|the|for|of|\(People\)))+)?")


def _match_words(rec: dict) -> set[str]:
    """A point's own words for linking: without job titles ("Cabinet Member for Education and
    Skills" says who, not what), with the bullets it abbreviates, and for a whole unnumbered
    block ("RESOLVED that the report be noted ...") the minute's title, which is its subject."""
    text = _ROLE.sub(" ", f"{rec['text']} {rec['context']}")
    if rec["point"] is None:
        text += " " + rec["minute_title"]
    return set(content_words(text))


def _link_scheduled(records: list[dict], rows: list[dict], idf: Idf) -> list[dict]:
    """Work-programme rows in later packs that plan the follow-up of a point.

    A row links when (a) its title is mostly the point's own words: a weighted share of at least
    SCHEDULED_MIN, two words or more in common, one of them distinctive (not GENERIC), and its
    detail shares a distinctive word with the point too; or (b) its detail names the point's
    meeting ("At their meeting on 28th November ...", "Following on from the meeting in July")
    and the point (with its minute's title) is the best match among that meeting's points.
    """
    words = {r["id"]: _match_words(r) for r in records}
    by_meeting: dict[date, list[dict]] = defaultdict(list)
    for r in records:
        by_meeting[r["date"]].append(r)

    def strong(ws: set[str]) -> set[str]:
        return {w for w in ws if w not in GENERIC and idf(w) >= GENERIC_IDF}

    out = []
    for row in rows:
        if row["kind"] != "work_programme":
            continue
        title = set(content_words(row["item"]))
        detail = set(content_words(row["text"]))
        title_total = sum(map(idf, title))
        links: dict[str, tuple[dict, float, str]] = {}
        for r in records:
            if r["date"] >= row["pack_date"] or (row["date"] is not None and row["date"] <= r["date"]):
                continue  # not later than the point, or planned before it was made
            common = title & words[r["id"]]
            cover = sum(map(idf, common)) / title_total if title_total else 0.0
            if (len(common) >= 2 and strong(common) and cover >= SCHEDULED_MIN
                    and (not detail or strong(detail & words[r["id"]]))):
                links[r["id"]] = (r, cover, f"the title shares {', '.join(sorted(common))} with the point")
        for when in _meetings_named(row["text"], row["pack_date"], by_meeting.keys()):
            cands = [r for r in by_meeting[when] if not (row["date"] and row["date"] <= r["date"])]
            scored = [(overlap(title | detail, words[r["id"]] | set(content_words(r["minute_title"])), idf), r)
                      for r in cands]
            best = max((sc for sc, _ in scored), default=0.0)
            for sc, r in scored:
                if sc > 0 and sc >= best - 1e-9 and r["id"] not in links:
                    links[r["id"]] = (r, sc, f"the detail names the meeting of {r['meeting_date']}")
        for r, sc, why in links.values():
            when_label = (f"planned for {row['row_date_label']}" if row["date"] else
                          f"under \u201c{row['row_date_label']}\u201d" if row["row_date_label"] else "no date set")
            out.append(_followup(
                r, row, "scheduled", sc, planned_date=row["row_date"], planned=row["row_date_label"],
                detail=row["text"] or None,
                text=f"Work programme: \u201c{row['item']}\u201d, {when_label}"
                     + (f": {row['text']}" if row["text"] else ""),
                evidence=f"work programme in the {row['meeting_date']} pack; {why} (score {sc:.2f})"))
    return out


_NAMED_MONTH = re.compile(r"\bmeeting (?:in|of) (?P<month>jan(?:uary)?|feb(?:ruary)?|march|april|may|june|july|"
                          r"aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b", re.I)


def _meetings_named(text: str, pack: date, known) -> set[date]:
    """Dates of known meetings before the pack that a work-programme detail refers to:
    "at their meeting on 28 th November" (the latest such meeting within two years), or
    "the meeting in July" (the latest meeting in that month within a year)."""
    found: set[date] = set()
    for m in _ROW_DATE.finditer(text):
        day = int(m.group("day"))
        month = row_date(m.group(0), pack)
        if month is None:
            continue
        if m.group("year"):
            cands = [d for d in known if d == month]
        else:
            cands = [d for d in known if (d.month, d.day) == (month.month, day) and 0 < (pack - d).days <= 730]
        found.update(sorted(cands)[-1:])
    for m in _NAMED_MONTH.finditer(text):
        mon = m.group("month").lower()
        month = MONTHS["sep" if mon.startswith("sept") else mon[:3]]
        cands = [d for d in known if d.month == month and 0 < (pack - d).days <= 366]
        found.update(sorted(cands)[-1:])
    return found


def _followup(rec: dict, row: dict, kind: str, score: float, **kw) -> dict:
    return {"rec_id": rec["id"], "kind": kind, "meeting_id": row["meeting_id"], "meeting_date": row["meeting_date"],
            "score": score, "source_id": row["id"], "path": row["path"], "span": row["span"],
            "chunk_id": row["chunk_id"], "restricted": row["restricted"], **kw}


# ---------------------------------------------------------------------------- cross-references

def _xrefs(con, items, meetings, texts, chunks: _Chunks) -> list[dict]:
    """Every "Further to minute N/YY" in minutes and reports, resolved to its minute or not."""
    minutes: dict[tuple[str, int, str], list[tuple[str, date]]] = defaultdict(list)
    held: dict[tuple[str, int], list[int]] = defaultdict(list)
    for it in items:
        committee, when = meetings.get(it["meeting_id"], (None, None))
        if when is None or not it["number"]:
            continue
        minutes[(committee, municipal_year(when), it["number"])].append((it["id"], when))
        held[(committee, municipal_year(when))].append(int(it["number"]))
    found: list[tuple[str, str, str, tuple[int, int], str | None, str | None, str | None]] = []
    for it in items:
        for text, num, yy, span in json.loads(it["cross_refs"]):
            found.append((it["id"], it["meeting_id"], it["path"], tuple(span), text, num, yy))
    for d in con.execute("SELECT id, meeting_id, path, span_start, span_end FROM documents "
                         "WHERE doc_type NOT IN ('minutes', 'agenda')"):
        for m in XREF_RE.finditer(texts.get(d["path"], ""), d["span_start"], d["span_end"]):
            found.append((d["id"], d["meeting_id"], d["path"], (m.start(), m.end()), m.group(0), m.group("num"),
                          m.group("yy")))
    out = []
    for source_id, meeting_id, path, span, text, num, yy in found:
        committee, when = meetings.get(meeting_id, ("", None))
        if when is None:
            continue
        if yy:
            y = int(yy)
            start = y if y >= 1000 else 2000 + y if y < 70 else 1900 + y
        else:  # no year printed: the referring meeting's own municipal year
            start = municipal_year(when)
        label = municipal_label(start)
        targets = minutes.get((committee, start, str(int(num))), [])
        targets = [t for t in targets if t[0] != source_id]
        if len(targets) == 1:
            status, target, reason = "resolved", targets[0][0], f"minute {num} of {label}: {targets[0][0]}"
        elif targets:
            status, target, reason = "ambiguous", None, f"minute {num} of {label} matches {len(targets)} minutes"
        else:
            nums = sorted(held.get((committee, start), []))
            have = (f"the corpus holds minutes {nums[0]}\u2013{nums[-1]} of {label}" if nums
                    else f"the corpus holds no minutes of {committee} from {label}")
            status, target, reason = "outside_corpus", None, f"minute {num} of {label} is not in the corpus ({have})"
        out.append({"id": f"{source_id}/xref-{span[0]}", "source_id": source_id, "meeting_id": meeting_id,
                    "meeting_date": when.isoformat(), "date": when, "committee": committee, "text": text,
                    "minute": str(num), "year": yy, "municipal_year": label, "target_item_id": target,
                    "status": status, "reason": reason, "path": path, "span": span,
                    "chunk_id": chunks.find(path, span, source_id)})
    return out


def _link_xrefs(records: list[dict], xrefs: list[dict], texts: dict[str, str]) -> list[dict]:
    by_item: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_item[r["item_id"]].append(r)
    out = []
    for x in xrefs:
        for r in by_item.get(x["target_item_id"] or "", []):
            if x["date"] <= r["date"]:
                continue
            sentence = _sentence_at(texts.get(x["path"], ""), x["span"])
            out.append(_followup(r, {**x, "id": x["id"]}, "cross_reference", 1.0, text=sentence,
                                 evidence=f"\u201c{x['text']}\u201d resolves to minute {r['minute']} "
                                          f"of {r['meeting_date']}"))
    return out


def _sentence_at(text: str, span: tuple[int, int]) -> str:
    """The sentence around a cross-reference, verbatim up to whitespace."""
    start = max(text.rfind("\n", 0, span[0]) + 1, 0)
    m = re.search(r"[.!?](?=\s)|\n\s*\n", text[span[1]:span[1] + 600])
    end = span[1] + (m.end() if m else min(300, len(text) - span[1]))
    return _norm(text[start:end])


# ---------------------------------------------------------------------------- reading

class _MemoryTracker:
    """The tracker computed now, for an index written before the tracker (or by an older one)."""

    def __init__(self, index) -> None:
        self.con = sqlite3.connect(":memory:", check_same_thread=False)
        with index.lock:
            index.con.backup(self.con)
        self.con.row_factory = sqlite3.Row
        rebuild_tracker(self.con)
        self.lock = index.lock

    def query(self, sql: str, args=()) -> list:
        with self.lock:
            return self.con.execute(sql, tuple(args)).fetchall()


class TrackerReader:
    """Reads of current tracker tables: the index's own, or an in-memory copy when they are
    missing or were written by other code (``tracker_reader`` keeps one per index)."""

    def __init__(self, db) -> None:
        self.db = db

    @classmethod
    def open(cls, index) -> "TrackerReader":
        try:
            ok = index.query("SELECT value FROM tracker_meta WHERE key='version'")[0][0] == TRACKER_VERSION
        except Exception:
            ok = False
        if not ok:
            log.warning("the index's recommendations tracker is missing or out of date; computed it in memory "
                        "(re-run `council index` to store it)")
        return cls(index if ok else _MemoryTracker(index))

    def records(self, include_restricted: bool) -> list[sqlite3.Row]:
        return self.db.query("SELECT * FROM tracker_records" + ("" if include_restricted else " WHERE restricted = 0")
                             + " ORDER BY meeting_date, ord")

    def record(self, rec_id: str) -> sqlite3.Row | None:
        rows = self.db.query("SELECT * FROM tracker_records WHERE id = ?", (rec_id,))
        return rows[0] if rows else None

    def followups(self, rec_id: str, include_restricted: bool) -> list[sqlite3.Row]:
        return self.db.query("SELECT * FROM tracker_followups WHERE rec_id = ?"
                             + ("" if include_restricted else " AND restricted = 0")
                             + " ORDER BY meeting_date, span_start", (rec_id,))

    def work_programme_rows(self, include_restricted: bool) -> list[sqlite3.Row]:
        return self.db.query("SELECT * FROM tracker_rows WHERE kind = 'work_programme'"
                             + ("" if include_restricted else " AND restricted = 0"))

    def xrefs(self) -> list[sqlite3.Row]:
        return self.db.query("SELECT * FROM tracker_xrefs ORDER BY meeting_date, span_start")


def tracker_reader(index) -> TrackerReader:
    """The index's tracker reader, made once per index (generation)."""
    return index.cached("tracker", lambda: TrackerReader.open(index))
