"""Search filters, results and citations: the contract shared by the CLI and the API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from indexer.common.contract import Citation, ItemRef, Result, SourceRef
from indexer.common.dates import long_date
from indexer.common.errors import CouncilError
from indexer.common.models import DOC_TYPES


class BadQuery(CouncilError):
    """A query or filter the user must fix (the API answers 422, the CLI exits 2)."""

    def __init__(self, field_name: str, reason: str) -> None:
        self.field = field_name
        self.reason = reason
        super().__init__(f"{field_name}: {reason}")


MAX_QUERY_CHARS = 2000
MAX_K = 50


@dataclass(frozen=True)
class Filters:
    committee: str | None = None  # exact committee name or a case-insensitive substring
    date_from: date | None = None
    date_to: date | None = None
    doc_type: str | None = None
    include_restricted: bool = False  # only for authenticated members and officers

    def __post_init__(self) -> None:
        if self.doc_type is not None and self.doc_type not in DOC_TYPES:
            raise BadQuery("doc_type", f"unknown document type {self.doc_type!r}; choose one of {', '.join(DOC_TYPES)}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise BadQuery("date_from", "date_from is after date_to")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # NUL and other control characters


def check_query(q: str | None, k: int) -> str:
    q = _CONTROL.sub(" ", q or "").strip()
    if not q:
        raise BadQuery("q", "the query is empty; type a few words to search for")
    if len(q) >= MAX_QUERY_CHARS:
        raise BadQuery("q", f"the query is {len(q)} characters; keep it under {MAX_QUERY_CHARS}")
    if not 1 <= k <= MAX_K:
        raise BadQuery("k", f"k must be between 1 and {MAX_K}")
    return q


@dataclass(frozen=True)
class SearchResult:
    id: str  # chunk id
    score: float
    text: str  # verbatim source passage
    committee: str
    meeting_id: str
    meeting_date: date
    doc_type: str
    item_id: str
    item_number: str | None
    item_title: str
    item_kind: str  # "minute" | "agenda"
    document_id: str
    path: str
    published_for: date
    page_start: int | None
    page_end: int | None
    span: tuple[int, int]
    ocr: bool = False  # the passage's text was read by OCR from a scanned page
    signals: dict = field(default_factory=dict, compare=False)  # ranks, for `council eval`
    published_committee: str | None = None  # of the meeting whose papers carried the passage
    doc_url: str | None = None  # the document on the council's site (None for a local file)
    pdf_page: int | None = None  # 1-based PDF page where the passage starts (None: not a PDF)
    restricted: bool = False  # from a restricted (Part B, exempt) paper: members only

    @property
    def citation(self) -> str:
        carried = None
        if self.published_for != self.meeting_date or (
                self.published_committee and self.published_committee != self.committee):
            carried = (self.published_committee or self.committee, self.published_for)
        return citation(self.committee, self.meeting_date, self.item_kind, self.item_number,
                        self.item_title, self.page_start, self.page_end, carried, ocr=self.ocr)

    @property
    def url(self) -> str:
        """The item page here with this passage highlighted."""
        return item_page_url(self.item_id, self.id)

    def source_ref(self) -> SourceRef:
        return SourceRef(path=self.path, published_for=self.published_for.isoformat(),
                         page_start=self.page_start, page_end=self.page_end, ocr=self.ocr,
                         url=self.doc_url, page_url=page_url(self.doc_url, self.document_id, self.pdf_page))

    def citation_dict(self, quote: bool = False) -> dict:
        """The citation object (:class:`indexer.common.contract.Citation`); ``quote`` adds the
        passage, for a citation that stands without its result (timelines, recommendations)."""
        return self._citation(quote).model_dump()

    def _citation(self, quote: bool) -> Citation:
        return Citation(
            text=self.citation, committee=self.committee, meeting_date=self.meeting_date.isoformat(),
            item=ItemRef(number=self.item_number, title=self.item_title),
            pages=page_label(self.page_start, self.page_end) or None, id=self.id, item_id=self.item_id,
            meeting_id=self.meeting_id, document_id=self.document_id, doc_type=self.doc_type, url=self.url,
            source=self.source_ref(), quote=self.text if quote else None, restricted=self.restricted)

    def to_dict(self) -> dict:
        """The result as the JSON contract has it (:class:`indexer.common.contract.Result`)."""
        return Result(
            id=self.id, score=round(float(self.score), 6), text=self.text, committee=self.committee,
            meeting_date=self.meeting_date.isoformat(), doc_type=self.doc_type,
            item=ItemRef(number=self.item_number, title=self.item_title), item_id=self.item_id,
            meeting_id=self.meeting_id, document_id=self.document_id, url=self.url,
            source=self.source_ref(), citation=self._citation(False), restricted=self.restricted,
        ).model_dump()


def item_page_url(item_id: str, chunk_id: str | None = None) -> str:
    """/view/items/{item id}, with ?highlight={chunk id} when a passage is cited."""
    href = "/view/items/" + quote(item_id, safe="/")
    return href + (f"?highlight={quote(chunk_id, safe='/')}" if chunk_id else "")


def page_url(url: str | None, document_id: str, pdf_page: int | None) -> str | None:
    """Where to open a passage: the council's document at its PDF page (``#page=N``), or our own
    copy (``/documents/{id}/source#page=N``) for a local PDF; None for a local text file."""
    if url:
        return f"{url.split('#', 1)[0]}#page={pdf_page}" if pdf_page else url
    if pdf_page:
        return f"/documents/{quote(document_id, safe='/')}/source#page={pdf_page}"
    return None


def page_label(page_start: int | None, page_end: int | None) -> str:
    if page_start is None:
        return ""
    if page_end is None or page_end == page_start:
        return f"page {page_start}"
    return f"pages {page_start}–{page_end}"


def citation(committee: str, when: date, kind: str, number: str | None, title: str,
             page_start: int | None = None, page_end: int | None = None,
             carried: tuple[str, date] | None = None, ocr: bool = False) -> str:
    """"Education and Children's Services Scrutiny Board (2), 28 November 2019, minute 25:
    Children's Services Improvement" (with " (page 5)" when the page is known). ``carried``: the
    committee and date of the meeting whose papers printed it, when that is another meeting:
    "Corporate Parenting Panel, 29 October 2024, minute 4: Fostering (pages 15–16, in the papers
    for County Council, 13 March 2025)". " (OCR text)" ends it when the passage was read by OCR
    from a scanned page."""
    label = ("minute " if kind == "minute" else "item ") + number if number else ""
    head = f"{committee}, {long_date(when)}"
    body = f"{label}: {title}" if label else title
    notes = [page_label(page_start, page_end)]
    if carried is not None:
        notes.append(f"in the papers for {carried[0]}, {long_date(carried[1])}")
    notes = [n for n in notes if n]
    return f"{head}, {body}" + (f" ({', '.join(notes)})" if notes else "") + (" (OCR text)" if ocr else "")
