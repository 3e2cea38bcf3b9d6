"""Passages as a member reads them: :func:`indexer.common.clean.clean_text` with the column names
of the tables they were cut from.

A passage that starts inside a table has lost the table's header line; the document's tables
(stored with their spans) give it back, so a row still reads "Central — Visitors: 356,583".
``display_text(index, result)`` is what answers quote from and what the web form shows under
"text_clean"; the verbatim rule is checked against it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from indexer.common.clean import clean_text
from indexer.common.results import SearchResult
from indexer.store.index import Index


def _tables(index: Index, document_id: str) -> list[dict]:
    cache: dict[str, list[dict]] = index.cached("document_tables", dict)
    if document_id not in cache:
        row = index.document(document_id)
        try:
            cache[document_id] = json.loads(row["tables"]) if row is not None and row["tables"] else []
        except (ValueError, TypeError, IndexError, KeyError):
            cache[document_id] = []
    return cache[document_id]


def header_lookup(index: Index, document_id: str, start: int) -> Callable[[int], Sequence[str] | None]:
    """``header_at(offset)`` for a passage starting at ``start`` in its source: the header cells of
    the document's table holding that offset."""
    tables = _tables(index, document_id)

    def header_at(offset: int) -> Sequence[str] | None:
        at = start + offset
        for t in tables:
            span = t.get("span") or (0, 0)
            if span[0] <= at < span[1] and t.get("header"):
                return t["header"]
        return None
    return header_at


def display_text(index: Index, r: SearchResult) -> str:
    """The passage cleaned of conversion debris, its table rows as "column: value" pairs."""
    cache: dict[str, str] = index.cached("display_text", dict)
    if r.id not in cache:
        if len(cache) > 20_000:
            cache.clear()
        cache[r.id] = clean_text(r.text, header_lookup(index, r.document_id, r.span[0]))
    return cache[r.id]
