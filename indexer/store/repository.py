"""The one way into an index's records: meetings, items, passages and tracker rows by id.

``Index`` (``indexer.store.index``) inherits these methods, so a caller writes
``index.passages_by_rowid(ids)``; no SQL is written outside ``indexer/store/``. Per-index caches
(idf, filter columns, the tracker copy, discussed passages) live on the index object through
``cached``: an ``Index`` is one generation, so a new generation starts with empty caches.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from indexer.common.results import Filters
from indexer.common.text import Idf

T = TypeVar("T")


def meeting_where(filters: Filters, alias: str = "") -> tuple[list[str], list]:
    """The committee and date conditions of ``filters`` on the meetings table, with their
    arguments: the one place the committee/date WHERE clause is written."""
    p = f"{alias}." if alias else ""
    where, args = [], []
    if filters.committee:
        where.append(f"({p}committee = ? OR lower({p}committee) LIKE ?)")
        args += [filters.committee, f"%{filters.committee.lower()}%"]
    if filters.date_from:
        where.append(f"{p}date >= ?")
        args.append(filters.date_from.isoformat())
    if filters.date_to:
        where.append(f"{p}date <= ?")
        args.append(filters.date_to.isoformat())
    return where, args


def visible(alias: str, include_restricted: bool) -> str:
    """SQL condition that hides restricted rows of table ``alias`` unless allowed."""
    return "1" if include_restricted else f"{alias}.restricted = 0"


PASSAGE_SQL = """
SELECT c.rowid, c.id, c.text, c.item_id, c.document_id, c.meeting_id, c.path, c.span_start,
       c.span_end, c.page_start, c.page_end, c.pdf_page, m.committee, m.date, d.doc_type, d.published_for,
       d.url, i.number, i.title AS item_title, i.kind, pm.date AS published_date,
       pm.committee AS published_committee, c.ocr, c.restricted
FROM chunks c
JOIN meetings m ON m.id = c.meeting_id
JOIN documents d ON d.id = c.document_id
JOIN items i ON i.id = c.item_id
LEFT JOIN meetings pm ON pm.id = d.published_for
WHERE c.rowid IN ({})
"""

FACTS_SQL = """
SELECT c.rowid, c.id, c.item_id, i.number, i.title AS item_title, i.kind, m.date
FROM chunks c JOIN items i ON i.id = c.item_id JOIN meetings m ON m.id = c.meeting_id
WHERE c.rowid IN ({})
"""


class Repository:
    """Read methods over one generation's SQLite (mixed into ``Index``)."""

    con: sqlite3.Connection
    lock: threading.Lock

    def query(self, sql: str, args: Iterable = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.con.execute(sql, tuple(args)).fetchall()

    def cached(self, name: str, build: Callable[[], T]) -> T:
        """``build()``, computed once per index (generation) and kept on it. Requests that need it
        while it is being built wait for that build: 16 first requests at once used to build 16
        copies (the in-memory tracker of a 100,000-passage index 16 times: 4.4 GiB and a minute of
        both cores, benchmarks/results/load.md)."""
        caches: dict[str, Any] = self.__dict__.setdefault("_caches", {})
        if name in caches:
            return caches[name]
        locks: dict[str, threading.RLock] = self.__dict__.setdefault("_cache_locks", {})
        with locks.setdefault(name, threading.RLock()):  # dict.setdefault is atomic: one lock per name
            if name not in caches:
                caches[name] = build()
        return caches[name]

    # ------------------------------------------------------------ meetings, documents, items

    def committees(self) -> list[str]:
        """Committee names in the index, sorted."""
        return [r[0] for r in self.query("SELECT DISTINCT committee FROM meetings ORDER BY committee")]

    def counts(self, include_restricted: bool = False) -> dict[str, int]:
        """How many meetings, documents, items and passages a caller can see."""
        return {
            "meetings": self.query("SELECT COUNT(*) FROM meetings")[0][0],
            "documents": self.query(f"SELECT COUNT(*) FROM documents d WHERE {visible('d', include_restricted)}")[0][0],
            "items": self.query(f"SELECT COUNT(*) FROM items i WHERE {visible('i', include_restricted)}")[0][0],
            "chunks": self.query(f"SELECT COUNT(*) FROM chunks c WHERE {visible('c', include_restricted)}")[0][0],
        }

    def meetings(self, include_restricted: bool = False, committee: str | None = None) -> list[sqlite3.Row]:
        """Every meeting (of ``committee``), newest first, with n_documents, n_items and n_chunks:
        the counts of what the caller can see."""
        where, args = meeting_where(Filters(committee=committee), "m")
        cond = " AND ".join(where) or "1"
        # Each table is counted in one grouped pass, not once per meeting: chunks.meeting_id has no
        # index, and a correlated COUNT per meeting scanned every chunk for each of them (at 100,000
        # passages the meetings page took minutes, holding the connection's lock, so every other
        # request of the server waited: benchmarks/results/load.md). A generation never changes,
        # so the answer is kept for the life of the index.
        return self.cached(f"meetings/{include_restricted}/{committee}", lambda: self.query(
            f"""SELECT m.*, COALESCE(nd.n, 0) AS n_documents, COALESCE(ni.n, 0) AS n_items,
                COALESCE(nc.n, 0) AS n_chunks
            FROM meetings m
            LEFT JOIN (SELECT mid, COUNT(*) AS n FROM (
                SELECT d.id, d.meeting_id AS mid FROM documents d WHERE {visible('d', include_restricted)}
                UNION SELECT d.id, d.published_for FROM documents d WHERE {visible('d', include_restricted)})
                GROUP BY mid) nd ON nd.mid = m.id
            LEFT JOIN (SELECT i.meeting_id AS mid, COUNT(*) AS n FROM items i
                WHERE {visible('i', include_restricted)} GROUP BY i.meeting_id) ni ON ni.mid = m.id
            LEFT JOIN (SELECT c.meeting_id AS mid, COUNT(*) AS n FROM chunks c
                WHERE {visible('c', include_restricted)} GROUP BY c.meeting_id) nc ON nc.mid = m.id
            WHERE {cond} ORDER BY m.date DESC, m.committee""", args))

    def meeting(self, meeting_id: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM meetings WHERE id = ?", (meeting_id,))
        return rows[0] if rows else None

    def meeting_ids(self, filters: Filters) -> list[str]:
        """Ids of the meetings that pass the committee and date conditions of ``filters``."""
        where, args = meeting_where(filters)
        return [r[0] for r in self.query("SELECT id FROM meetings WHERE " + " AND ".join(where), args)]

    def documents_of(self, meeting_id: str, include_restricted: bool = False) -> list[sqlite3.Row]:
        """The documents of a meeting or published for it, in file order."""
        return self.query(
            f"""SELECT d.* FROM documents d WHERE (d.meeting_id = ? OR d.published_for = ?)
            AND {visible('d', include_restricted)} ORDER BY d.path, d.span_start""", (meeting_id, meeting_id))

    def document(self, document_id: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM documents WHERE id = ?", (document_id,))
        return rows[0] if rows else None

    def documents(self, ids: list[str], include_restricted: bool = False) -> list[sqlite3.Row]:
        return self.query(f"SELECT d.* FROM documents d WHERE d.id IN ({','.join('?' * len(ids))}) "
                          f"AND {visible('d', include_restricted)}", ids)

    def document_ids(self, doc_type: str) -> list[str]:
        return [r[0] for r in self.query("SELECT id FROM documents WHERE doc_type = ?", (doc_type,))]

    def items_of(self, meeting_id: str, include_restricted: bool = False) -> list[sqlite3.Row]:
        """A meeting's items in order: the agenda first, then the minutes."""
        return self.query(
            f"""SELECT i.* FROM items i WHERE i.meeting_id = ? AND {visible('i', include_restricted)}
            ORDER BY i.kind = 'minute', i.ord""", (meeting_id,))

    def item(self, item_id: str, include_restricted: bool = False) -> sqlite3.Row | None:
        rows = self.query(f"SELECT i.* FROM items i WHERE i.id = ? AND {visible('i', include_restricted)}", (item_id,))
        return rows[0] if rows else None

    def file_text(self, path: str) -> str:
        """The text of a source file ("" when it is not in the index)."""
        rows = self.query("SELECT text FROM files WHERE path = ?", (path,))
        return rows[0][0] if rows else ""

    def file_texts(self) -> dict[str, str]:
        """Every source file's text, by path."""
        return {r["path"]: r["text"] for r in self.query("SELECT path, text FROM files")}

    def restricted_paths(self) -> set[str]:
        """Paths of the source files that hold a restricted document, item or passage."""
        return self.cached("restricted_paths", lambda: {r[0] for r in self.query(
            "SELECT path FROM documents WHERE restricted = 1 UNION SELECT path FROM items WHERE restricted = 1 "
            "UNION SELECT path FROM chunks WHERE restricted = 1")})

    def holds_restricted(self, path: str) -> bool:
        """Whether the source file at ``path`` holds a restricted document, item or passage."""
        return path in self.restricted_paths()

    def item_spans(self, path: str) -> list[sqlite3.Row]:
        """(span_start, span_end, restricted, kind, document_ids) of the items read from ``path``, in order."""
        return self.query("SELECT span_start, span_end, restricted, kind, document_ids FROM items WHERE path = ? "
                          "ORDER BY span_start, span_end", (path,))

    # ------------------------------------------------------------ passages

    def passage(self, chunk_id: str, include_restricted: bool = False) -> sqlite3.Row | None:
        rows = self.query(f"SELECT c.* FROM chunks c WHERE c.id = ? AND {visible('c', include_restricted)}",
                          (chunk_id,))
        return rows[0] if rows else None

    def rowid_of(self, chunk_id: str) -> int | None:
        rows = self.query("SELECT rowid FROM chunks WHERE id=?", (chunk_id,))
        return rows[0][0] if rows else None

    def passages_by_rowid(self, rowids: list[int]) -> list[sqlite3.Row]:
        """Passages with their meeting, document and item: what a search result shows."""
        return self._in_parts(PASSAGE_SQL, rowids)

    def passage_facts(self, rowids: list[int]) -> list[sqlite3.Row]:
        """Only what the ranking signals (and grouping by item) read of each candidate: rowid, id,
        item_id, number, item_title, kind and the meeting's date."""
        return self._in_parts(FACTS_SQL, rowids)

    def passage_texts(self, rowids: list[int]) -> list[sqlite3.Row]:
        """(rowid, text) of the passages."""
        return self.query(f"SELECT rowid, text FROM chunks WHERE rowid IN ({','.join('?' * len(rowids))})", rowids)

    def passage_columns(self) -> list[sqlite3.Row]:
        """(rowid, meeting_id, document_id, restricted) of every passage, by rowid."""
        return self.query("SELECT rowid, meeting_id, document_id, restricted FROM chunks ORDER BY rowid")

    def passages_with_dates(self) -> list[sqlite3.Row]:
        """(id, text, date) of every passage, with its meeting's date."""
        return self.query("SELECT c.id, c.text, m.date FROM chunks c JOIN meetings m ON m.id = c.meeting_id")

    def passage_links(self, chunk_ids: list[str], include_restricted: bool = False) -> list[sqlite3.Row]:
        """For passages: their item, meeting, document, path, start and PDF page, the file's kind
        and pages, the item's kind and number (item_kind, item_number) and the document's URL."""
        return self.query(
            f"SELECT c.id, c.item_id, c.meeting_id, c.document_id, c.path, c.span_start, c.pdf_page, f.kind, "
            f"f.pages, i.kind AS item_kind, i.number AS item_number, d.url "
            f"FROM chunks c LEFT JOIN files f ON f.path = c.path LEFT JOIN items i ON i.id = c.item_id "
            f"LEFT JOIN documents d ON d.id = c.document_id "
            f"WHERE c.id IN ({','.join('?' * len(chunk_ids))}) AND {visible('c', include_restricted)}", chunk_ids)

    def _in_parts(self, sql: str, ids: list[int]) -> list[sqlite3.Row]:
        """``sql`` (with one ``IN ({})``) over ``ids`` in parts of 900, under SQLite's variable limit."""
        out: list[sqlite3.Row] = []
        for s in range(0, len(ids), 900):
            part = ids[s:s + 900]
            out += self.query(sql.format(",".join("?" * len(part))), part)
        return out

    def idf(self) -> Idf:
        """Document frequencies of words over the index's passages (stored by the tracker)."""
        return self.cached("idf", self._read_idf)

    def _read_idf(self) -> Idf:
        try:
            n = int(self.query("SELECT value FROM tracker_meta WHERE key='passages'")[0][0])
            return Idf(df={r[0]: r[1] for r in self.query("SELECT word, df FROM tracker_words")}, n=n)
        except Exception:  # an index built before the tracker: count them now
            return Idf(r[0] for r in self.query("SELECT text FROM chunks"))

    # ------------------------------------------------------------ used by answers

    def meeting_span(self, filters: Filters) -> list[sqlite3.Row]:
        """Per committee the filters let a search see: (committee, lo, hi) first and last meeting dates."""
        where, args = meeting_where(filters)
        return self.query("SELECT committee, MIN(date) AS lo, MAX(date) AS hi FROM meetings"
                          + (" WHERE " + " AND ".join(where) if where else "") + " GROUP BY committee", args)

    def meeting_held(self, when: str, committee: str | None = None) -> bool:
        """A meeting on ISO date ``when`` (of ``committee``, when given)."""
        where, args = meeting_where(Filters(committee=committee))
        return bool(self.query("SELECT 1 FROM meetings WHERE " + " AND ".join(["date = ?"] + where)
                               + " LIMIT 1", [when] + args))

    def file_text(self, path: str) -> str:
        """A source file's stored text ("" when the index does not hold it)."""
        rows = self.query("SELECT text FROM files WHERE path=?", (path,))
        return rows[0][0] if rows else ""

    def chunk_rowids(self, chunk_ids: list[str]) -> list[tuple[int, str]]:
        """(rowid, chunk id) of the given chunk ids that the index holds."""
        rows = self.query(f"SELECT rowid, id FROM chunks WHERE id IN ({','.join('?' * len(chunk_ids))})", chunk_ids)
        return [(r[0], r[1]) for r in rows]

    def chunk_names(self, rowids: list[int]) -> dict[int, str]:
        """Chunk ids by rowid."""
        return {r[0]: r[1] for r in self.query(
            f"SELECT rowid, id FROM chunks WHERE rowid IN ({','.join('?' * len(rowids))})", rowids)}

    def passages_for_discussion(self, rowids: list[int]) -> dict[int, sqlite3.Row]:
        """Passages by rowid with their item, meeting, date and document type (later discussion)."""
        return {x["rowid"]: x for x in self.query(
            "SELECT c.rowid, c.id, c.item_id, c.text, c.restricted, m.id AS meeting_id, m.date, d.doc_type "
            "FROM chunks c JOIN meetings m ON m.id = c.meeting_id JOIN documents d ON d.id = c.document_id "
            f"WHERE c.rowid IN ({','.join('?' * len(rowids))})", rowids)}
