"""The domain model: plain frozen dataclasses with ids derived from content and place.

Ids are stable across re-indexing, so citations and links keep working:

- meeting   ``<committee-slug>/<YYYY-MM-DD>``
- item      ``<meeting id>/minute-25`` or ``<meeting id>/item-4``
- document  ``<published-for meeting id>/<source stem>/<ordinal>-<doc_type>``
- chunk     ``<item id>/<document ordinal>.<chunk ordinal>``

Spans are ``(start, end)`` character offsets into the *source text* of the file the
object came from (see :class:`SourceText`): the decoded file for text and markdown,
the extracted text with pages joined for PDF.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, time
from typing import Literal

DocType = Literal[
    "agenda", "minutes", "report", "appendix", "outstanding_issues", "work_programme", "other"
]
DOC_TYPES: tuple[str, ...] = (
    "agenda", "minutes", "report", "appendix", "outstanding_issues", "work_programme", "other",
)

Span = tuple[int, int]


def slugify(text: str) -> str:
    """ASCII slug used in ids: "Children's Services (2)" -> "childrens-services-2"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"['’`]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass(frozen=True)
class Page:
    """One page of a source: the character range it covers and its page numbers."""

    start: int
    end: int
    pdf_page: int | None = None  # 1-based position in the PDF file
    printed_page: int | None = None  # "Page 68" as printed on the page
    ocr: bool = False  # the page's text came from OCR
    furniture: tuple[str, ...] = ()  # running headers/footers taken out of the text (kept for dating)


@dataclass(frozen=True)
class SourceText:
    """A file read into text. PDF pages are joined with a blank line between them."""

    path: str  # as given to the reader (callers make it relative for display)
    text: str
    kind: Literal["text", "markdown", "pdf"]
    sha256: str  # of the raw bytes of the file
    pages: tuple[Page, ...] = ()  # empty for text files without page structure
    warnings: tuple[str, ...] = ()  # pages that could not be read (e.g. a scan without tesseract)


@dataclass(frozen=True)
class Meeting:
    id: str
    committee: str
    date: date
    council: str | None = None
    start_time: time | None = None
    place: str | None = None


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str, ...]
    span: Span


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    span: Span


@dataclass(frozen=True)
class Resolution:
    """One numbered point of a RESOLVED block in minutes (point is None when unnumbered)."""

    point: str | None
    text: str
    span: Span


@dataclass(frozen=True)
class CrossRef:
    """A reference to another minute as written, e.g. "Further to minute 28/16"."""

    text: str
    minute: str  # "28"
    year: str | None  # "16" (two digits as printed), None if not given
    span: Span


@dataclass(frozen=True)
class Document:
    id: str
    meeting_id: str  # the meeting it belongs to (for minutes: the meeting they record)
    published_for: str  # the meeting whose pack (or folder) published it
    doc_type: DocType
    title: str
    path: str
    span: Span
    author: str | None = None
    page_start: int | None = None  # printed page numbers
    page_end: int | None = None
    pdf_page_start: int | None = None
    pdf_page_end: int | None = None
    tables: tuple[Table, ...] = ()
    restricted: bool = False
    url: str | None = None  # the document on the council's site


@dataclass(frozen=True)
class Item:
    """One agenda item (with the reports that serve it) or one numbered minute."""

    id: str
    meeting_id: str
    kind: Literal["agenda", "minute"]
    number: str | None
    title: str
    body: str
    span: Span  # of the body in the source text
    path: str
    document_ids: tuple[str, ...] = ()
    page_start: int | None = None  # printed pages from the agenda's "(Pages 9 - 14)"
    page_end: int | None = None
    resolutions: tuple[Resolution, ...] = ()
    cross_refs: tuple[CrossRef, ...] = ()
    order: int = 0  # position in its meeting
    restricted: bool = False  # exempt item (Schedule 12A): members only


@dataclass(frozen=True)
class ParsedSource:
    """Everything read from one source (a pack file or a meeting folder)."""

    path: str
    sha256: str
    sources: tuple[SourceText, ...]
    meetings: tuple[Meeting, ...]
    documents: tuple[Document, ...]
    items: tuple[Item, ...]
    warnings: tuple[str, ...] = field(default=())

    def source_for(self, path: str) -> SourceText:
        for s in self.sources:
            if s.path == path:
                return s
        raise KeyError(path)


@dataclass(frozen=True)
class Chunk:
    id: str
    item_id: str
    document_id: str
    meeting_id: str
    text: str  # verbatim source passage
    span: Span  # in the source text of ``path``
    path: str
    page_start: int | None = None
    page_end: int | None = None
    header: str = ""  # committee, date, title: embedded with the text, never shown as text
    ordinal: int = 0
    ocr: bool = False  # some of the passage's text was read by OCR from a scanned page

    @property
    def embed_text(self) -> str:
        return f"{self.header}\n{self.text}" if self.header else self.text
