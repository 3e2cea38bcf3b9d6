"""Accumulates one ParsedSource's meetings, documents and items, with ids unique in the source."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from indexer.common.models import Document, Item, Meeting, SourceText, slugify


def meeting_id(committee: str, when: date) -> str:
    return f"{slugify(committee)}/{when.isoformat()}"


class Builder:
    """Meetings (merged field by field), documents and items of one unit."""

    def __init__(self) -> None:
        self.meetings: dict[str, Meeting] = {}
        self.documents: list[Document] = []
        self.items: list[Item] = []
        self.warnings: list[str] = []

    def meeting(self, committee: str, when: date, **kw) -> Meeting:
        mid = meeting_id(committee, when)
        old = self.meetings.get(mid)
        if old is None:
            self.meetings[mid] = Meeting(mid, committee, when, **kw)
        else:  # fill in what the other source did not say
            merged = {k: getattr(old, k) or v for k, v in kw.items()}
            self.meetings[mid] = Meeting(mid, old.committee, when, **merged)
        return self.meetings[mid]

    def doc_id(self, published_for: str, src: SourceText, doc_type: str) -> str:
        n = sum(1 for d in self.documents if d.path == src.path)
        return f"{published_for}/{slugify(Path(src.path).stem)}/{n}-{doc_type}"

    def add_item(self, item: Item) -> None:
        """Keep ids unique within a source (the same minutes printed twice in one folder)."""
        taken = {i.id for i in self.items}
        if item.id in taken:
            n = 2
            while f"{item.id}~{n}" in taken:
                n += 1
            item = Item(**{**item.__dict__, "id": f"{item.id}~{n}"})
        self.items.append(item)
