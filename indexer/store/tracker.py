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

The linking itself (records, their follow-ups, the dates of table cells) is pure logic in
:mod:`indexer.structure.followups`; this module loads the rows it needs and writes and reads
the tables.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from indexer.common.text import Idf, content_words, norm
from indexer.structure import followups
from indexer.structure.minutes import XREF_RE
from indexer.structure.followups import (
    find_records, link_responses, link_scheduled, link_xrefs, municipal_label, municipal_year, row_date, status_of,
)

log = logging.getLogger(__name__)

# Stored with the tables: a tracker written by other code (this module or the linking in
# indexer.structure.followups) is recomputed when read (see TrackerReader.open).
TRACKER_VERSION = hashlib.sha256(Path(__file__).read_bytes() + Path(followups.__file__).read_bytes()).hexdigest()[:16]

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


# ---------------------------------------------------------------------------- the build

def _previous_idf(con: sqlite3.Connection, added: Iterable[str]) -> Idf | None:
    """The word statistics of the passages before this run (the tables copied from the last
    generation) plus those of ``added``, the texts of the passages this run inserted: exactly what
    counting every passage again gives, when passages were only added. None when there are none
    to start from (a new index, or one written by another tracker version)."""
    try:
        meta = dict(con.execute("SELECT key, value FROM tracker_meta").fetchall())
        if meta.get("version") != TRACKER_VERSION or "passages" not in meta:
            return None
        idf = Idf(df=dict(con.execute("SELECT word, df FROM tracker_words").fetchall()), n=int(meta["passages"]))
    except sqlite3.Error:
        return None
    for t in added:
        idf.n += 1
        idf.df.update(set(content_words(t)))
    return idf


def rebuild_tracker(con: sqlite3.Connection, added: list[str] | None = None) -> list[str]:
    """Recompute the tracker tables from the store; returns warnings.

    ``added``: the texts of the passages inserted since the tables were last computed, when that
    is all that changed (no passage removed): the word statistics then start from the stored
    ones instead of reading every passage again (half the tracker's time at 100,000 passages,
    benchmarks/results/scale.md). Everything else is recomputed whole: follow-ups cross files."""
    con.executescript(SCHEMA)
    idf = _previous_idf(con, added) if added is not None else None
    if idf is not None:
        stored = con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        if stored != idf.n:  # not only additions after all: count afresh
            log.info("tracker: %d passages stored, %d counted; counting words afresh", stored, idf.n)
            idf = None
    for t in TABLES:
        con.execute(f"DELETE FROM {t}")
    warnings: list[str] = []
    meetings = {r[0]: (r[1], date.fromisoformat(r[2])) for r in con.execute("SELECT id, committee, date FROM meetings")}
    texts = {r[0]: r[1] for r in con.execute("SELECT path, text FROM files")}
    chunks = _load_chunks(con)
    if idf is None:
        idf = Idf(r[0] for r in con.execute("SELECT text FROM chunks"))
    else:
        log.info("tracker: word statistics of %d passages from the stored ones, %d added", idf.n - len(added), len(added))
    items = [dict(r) for r in con.execute(
        "SELECT id, meeting_id, kind, number, title, path, span_start, span_end, resolutions, cross_refs, ord, "
        "restricted FROM items WHERE kind='minute'")]

    records = find_records(items, meetings, texts, chunks, idf)
    rows = _rows(con, meetings, chunks)
    xrefs = _xrefs(con, items, meetings, texts, chunks)
    followups = link_responses(records, rows, idf) + link_scheduled(records, rows, idf)
    followups += link_xrefs(records, xrefs, texts)

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


# ---------------------------------------------------------------------------- table rows

def _rows(con, meetings, chunks) -> list[dict]:
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
                    "item": norm(item), "text": norm(detail), "response": norm(_cell(cells, cols["response"])),
                    "cells": cells, "path": d["path"], "span": tuple(row["span"]),
                    "chunk_id": chunks.find(d["path"], tuple(row["span"])), "restricted": d["restricted"],
                })
    return out


# ---------------------------------------------------------------------------- cross-references

def _xrefs(con, items, meetings, texts, chunks) -> list[dict]:
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
