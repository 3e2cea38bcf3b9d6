"""Filters as a set of allowed passage ids, computed before either retriever runs, so a filtered
query still returns k results whenever k exist."""

from __future__ import annotations

import numpy as np

from indexer.common.results import BadQuery, Filters
from indexer.store.index import Index
from indexer.store.repository import meeting_where


def check_committee(index: Index, committee: str | None) -> None:
    """A committee filter must name (or be part of the name of) a committee the index holds;
    otherwise BadQuery lists those it holds."""
    if not committee:
        return
    held = index.committees()
    if not any(committee.strip().lower() in c.lower() for c in held):
        raise BadQuery("committee", f"no committee in the index matches {committee!r}; it holds: "
                       + ("; ".join(held) if held else "no committees yet"))


def allowed_ids(index: Index, f: Filters) -> np.ndarray | None:
    """Chunk ids that pass the filters; None when nothing is filtered."""
    by_meeting = bool(meeting_where(f)[0])
    if not by_meeting and not f.doc_type:
        return None  # restricted passages are dropped by the caller (see search)
    cols = filter_columns(index)
    mask = ~cols.restricted if not f.include_restricted else np.ones(len(cols.rowids), dtype=bool)
    if by_meeting:
        mask &= np.isin(cols.meeting, cols.codes(cols.meeting_codes, index.meeting_ids(f)))
    if f.doc_type:
        mask &= np.isin(cols.document, cols.codes(cols.document_codes, index.document_ids(f.doc_type)))
    return cols.rowids[mask]


class FilterColumns:
    """Each chunk's meeting, document and restricted flag as arrays, read once per index, so a
    filter is a numpy mask: a SQL join over the chunks table reads every passage's text
    (260 ms at 100k chunks; benchmarks/results/latency.md, the filtered what-ifs)."""

    def __init__(self, index: Index) -> None:
        rows = index.passage_columns()
        self.meeting_codes: dict[str, int] = {}
        self.document_codes: dict[str, int] = {}
        self.rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self.meeting = np.fromiter((self.meeting_codes.setdefault(r[1], len(self.meeting_codes)) for r in rows),
                                   dtype=np.int32, count=len(rows))
        self.document = np.fromiter((self.document_codes.setdefault(r[2], len(self.document_codes)) for r in rows),
                                    dtype=np.int32, count=len(rows))
        self.restricted = np.fromiter((bool(r[3]) for r in rows), dtype=bool, count=len(rows))

    @staticmethod
    def codes(table: dict[str, int], ids: list[str]) -> np.ndarray:
        return np.array([table[i] for i in ids if i in table], dtype=np.int32)


def filter_columns(index: Index) -> FilterColumns:
    """The index's FilterColumns, built on its first filtered search (one scan of the chunks)."""
    return index.cached("filter_columns", lambda: FilterColumns(index))
