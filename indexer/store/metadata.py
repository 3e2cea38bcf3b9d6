"""SQLite holds everything but the vectors and the BM25 index: meetings, documents, items, chunks.
BM25 is ranked by bm25s (indexer/store/lexical.py), built from the ``chunks`` table. Indexes written
before that also held an FTS5 copy of every chunk, which nothing read: the next update drops it
(:func:`drop_legacy_fts`), about a fifth of the file.

A chunk's SQLite ``rowid`` is its FAISS id, so the two stores join on one integer.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, time
from pathlib import Path

from indexer.common.models import Chunk, CrossRef, Document, Item, Meeting, ParsedSource, Resolution, Table, TableRow

SCHEMA_VERSION = 4  # 2: BM25's title column holds the chunk header; 3: chunks.ocr (PDF layout reader); 4: documents.url, chunks.pdf_page

SCHEMA = """
CREATE TABLE IF NOT EXISTS units (
    path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, n_chunks INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, unit TEXT NOT NULL, sha256 TEXT NOT NULL, kind TEXT NOT NULL,
    text TEXT NOT NULL, pages TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS meetings (
    id TEXT PRIMARY KEY, committee TEXT NOT NULL, date TEXT NOT NULL, council TEXT,
    start_time TEXT, place TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL, meeting_id TEXT NOT NULL, published_for TEXT NOT NULL,
    doc_type TEXT NOT NULL, title TEXT NOT NULL, author TEXT, path TEXT NOT NULL,
    span_start INTEGER, span_end INTEGER, page_start INTEGER, page_end INTEGER,
    pdf_page_start INTEGER, pdf_page_end INTEGER, tables TEXT NOT NULL DEFAULT '[]',
    restricted INTEGER NOT NULL DEFAULT 0, url TEXT
);
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL, meeting_id TEXT NOT NULL, kind TEXT NOT NULL,
    number TEXT, title TEXT NOT NULL, path TEXT NOT NULL, span_start INTEGER, span_end INTEGER,
    page_start INTEGER, page_end INTEGER, document_ids TEXT NOT NULL, resolutions TEXT NOT NULL,
    cross_refs TEXT NOT NULL, ord INTEGER NOT NULL, restricted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, unit TEXT NOT NULL,
    item_id TEXT NOT NULL, document_id TEXT NOT NULL, meeting_id TEXT NOT NULL,
    path TEXT NOT NULL, span_start INTEGER NOT NULL, span_end INTEGER NOT NULL,
    page_start INTEGER, page_end INTEGER, header TEXT NOT NULL, text TEXT NOT NULL,
    embed_hash TEXT NOT NULL, ord INTEGER NOT NULL, restricted INTEGER NOT NULL DEFAULT 0,
    ocr INTEGER NOT NULL DEFAULT 0,
    pdf_page INTEGER
);
CREATE INDEX IF NOT EXISTS chunks_unit ON chunks(unit);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(embed_hash);
CREATE INDEX IF NOT EXISTS chunks_item ON chunks(item_id);
CREATE INDEX IF NOT EXISTS items_meeting ON items(meeting_id);
CREATE INDEX IF NOT EXISTS documents_meeting ON documents(meeting_id);
"""


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        con = sqlite3.connect(path, check_same_thread=False)
        con.executescript(SCHEMA)
    con.row_factory = sqlite3.Row
    return con


def drop_legacy_fts(con: sqlite3.Connection) -> bool:
    """Drop the FTS5 table older indexes carry (nothing reads it); True when there was one. The
    caller may VACUUM to give its pages back to the file system."""
    if not con.execute("SELECT 1 FROM sqlite_master WHERE name='chunks_fts'").fetchone():
        return False
    con.execute("DROP TABLE chunks_fts")
    con.commit()
    return True


# ------------------------------------------------------------------ writing

def delete_unit(con: sqlite3.Connection, unit: str) -> list[int]:
    """Remove everything a unit contributed; returns the FAISS ids to remove."""
    rowids = [r[0] for r in con.execute("SELECT rowid FROM chunks WHERE unit=?", (unit,))]
    for table in ("chunks", "items", "documents", "files"):
        con.execute(f"DELETE FROM {table} WHERE unit=?", (unit,))
    con.execute("DELETE FROM units WHERE path=?", (unit,))
    con.execute("DELETE FROM meetings WHERE id NOT IN (SELECT meeting_id FROM items) "
                "AND id NOT IN (SELECT meeting_id FROM documents)")
    return rowids


def insert_unit(con: sqlite3.Connection, ps: ParsedSource, chunks: list[Chunk],
                rowids: list[int], hashes: list[str], restricted_docs: set[str]) -> list[str]:
    """Write one parsed unit; returns warnings (ids another unit already holds are kept once)."""
    warnings: list[str] = []
    unit = ps.path
    con.execute("INSERT OR REPLACE INTO units(path, sha256, n_chunks) VALUES (?,?,?)",
                (unit, ps.sha256, len(chunks)))
    for s in ps.sources:
        con.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)",
                    (s.path, unit, s.sha256, s.kind, s.text,
                     json.dumps([[p.start, p.end, p.pdf_page, p.printed_page] for p in s.pages])))
    for m in ps.meetings:
        old = con.execute("SELECT * FROM meetings WHERE id=?", (m.id,)).fetchone()
        vals = (m.id, m.committee, m.date.isoformat(), m.council,
                m.start_time.strftime("%H:%M") if m.start_time else None, m.place)
        if old is not None:  # keep what either source said
            vals = tuple(o if o is not None else v for o, v in zip(tuple(old), vals))
        con.execute("INSERT OR REPLACE INTO meetings VALUES (?,?,?,?,?,?)", vals)
    restricted_docs = set(restricted_docs) | {d.id for d in ps.documents if d.restricted}
    restricted_items = {it.id for it in ps.items if it.restricted or (
        bool(it.document_ids) and all(d in restricted_docs for d in it.document_ids))}
    for d in ps.documents:
        cur = con.execute(
            "INSERT OR IGNORE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (d.id, unit, d.meeting_id, d.published_for, d.doc_type, d.title, d.author, d.path,
             d.span[0], d.span[1], d.page_start, d.page_end, d.pdf_page_start, d.pdf_page_end,
             json.dumps([_table_json(t) for t in d.tables]), int(d.id in restricted_docs), d.url))
        if cur.rowcount == 0:
            warnings.append(f"{unit}: document {d.id} is already indexed from another file; kept once")
    for it in ps.items:
        cur = con.execute(
            "INSERT OR IGNORE INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (it.id, unit, it.meeting_id, it.kind, it.number, it.title, it.path, it.span[0],
             it.span[1], it.page_start, it.page_end, json.dumps(list(it.document_ids)),
             json.dumps([[r.point, r.text, list(r.span)] for r in it.resolutions]),
             json.dumps([[c.text, c.minute, c.year, list(c.span)] for c in it.cross_refs]),
             it.order, int(it.id in restricted_items)))
        if cur.rowcount == 0:
            warnings.append(f"{unit}: item {it.id} is already indexed from another file; kept once")
    pages = {s.path: s.pages for s in ps.sources}
    for c, rid, h in zip(chunks, rowids, hashes):
        con.execute(
            "INSERT OR IGNORE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (rid, c.id, unit, c.item_id, c.document_id, c.meeting_id, c.path, c.span[0], c.span[1],
             c.page_start, c.page_end, c.header, c.text, h, c.ordinal,
             int(c.document_id in restricted_docs or c.item_id in restricted_items),
             int(c.ocr), pdf_page_at(pages.get(c.path, ()), c.span[0])))
    return warnings


def pdf_page_at(pages, offset: int) -> int | None:
    """The 1-based PDF page on which the text at ``offset`` starts (None for a text file)."""
    for p in pages:
        if offset < p.end and p.pdf_page is not None:
            return p.pdf_page
    return None


def _table_json(t: Table) -> dict:
    return {"header": list(t.header), "span": list(t.span),
            "rows": [{"cells": list(r.cells), "span": list(r.span)} for r in t.rows]}


# ------------------------------------------------------------------ reading

def row_to_meeting(r: sqlite3.Row) -> Meeting:
    st = r["start_time"]
    return Meeting(r["id"], r["committee"], date.fromisoformat(r["date"]), r["council"],
                   time.fromisoformat(st) if st else None, r["place"])


def row_to_document(r: sqlite3.Row) -> Document:
    tables = tuple(
        Table(tuple(t["header"]), tuple(TableRow(tuple(x["cells"]), tuple(x["span"])) for x in t["rows"]),
              tuple(t["span"]))
        for t in json.loads(r["tables"]))
    return Document(r["id"], r["meeting_id"], r["published_for"], r["doc_type"], r["title"], r["path"],
                    (r["span_start"], r["span_end"]), r["author"], r["page_start"], r["page_end"],
                    r["pdf_page_start"], r["pdf_page_end"], tables, bool(r["restricted"]), r["url"])


def row_to_item(r: sqlite3.Row, body: str) -> Item:
    return Item(
        r["id"], r["meeting_id"], r["kind"], r["number"], r["title"], body,
        (r["span_start"], r["span_end"]), r["path"], tuple(json.loads(r["document_ids"])),
        r["page_start"], r["page_end"],
        tuple(Resolution(p, t, tuple(s)) for p, t, s in json.loads(r["resolutions"])),
        tuple(CrossRef(t, m, y, tuple(s)) for t, m, y, s in json.loads(r["cross_refs"])),
        r["ord"], bool(r["restricted"]),
    )


# Words BM25 drops from chunks and queries, with bm25s's English list (indexer/store/lexical.py).
_FTS_STOP = set(
    "a an and are as at be by did do does for from had has have how i in is it of on or that the "
    "this to was were what when where which who why will with about any there their they our we "
    "you your been being can could would should".split())
