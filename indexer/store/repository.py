"""The one way into an index's records: meetings, items, passages and tracker rows by id.

``Index`` (``indexer.store.index``) inherits these methods, so a caller writes
``index.passages_by_id(ids)``; no SQL is written outside ``indexer/store/``. Per-index caches
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


class Repository:
    """Read methods over one generation's SQLite (mixed into ``Index``)."""

    con: sqlite3.Connection
    lock: threading.Lock

    def query(self, sql: str, args: Iterable = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.con.execute(sql, tuple(args)).fetchall()

    def cached(self, name: str, build: Callable[[], T]) -> T:
        """``build()``, computed once per index (generation) and kept on it."""
        caches: dict[str, Any] = self.__dict__.setdefault("_caches", {})
        if name not in caches:
            value = build()
            caches.setdefault(name, value)
        return caches[name]

    # ------------------------------------------------------------ meetings, documents, items

    # ------------------------------------------------------------ passages

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
