"""Pydantic models of the JSON API, documented (with examples) at /docs.

The result, answer, timeline and recommendation contracts are the library's own
(:mod:`indexer.common.contract`); this module adds the request bodies, errors and the browse
and health responses.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from indexer.common.contract import (  # noqa: F401 - the API's response models
    EXAMPLE_CHUNK_ID, EXAMPLE_CITATION, EXAMPLE_ITEM_ID, EXAMPLE_RESULT, AskResponse, Citation, FollowUp, ItemRef, ItemResult, Recommendation, RecommendationList, Result, SearchResponse,
    SourceRef, TimelineEntry,
)
from indexer.common.models import DOC_TYPES

DATE_HELP = "YYYY-MM-DD"
DOC_TYPE_HELP = "One of: " + ", ".join(DOC_TYPES) + "."


RESTRICTED = Field(False, description="Restricted (Part B, exempt) paper: shown only to members, marked so.")


class ErrorItem(BaseModel):
    """One problem with a request, as FastAPI's validation errors have it."""

    loc: list[str | int] = Field(description='Where: ["query", "k"], ["body", "question"]; empty when not '
                                             'one field.')
    msg: str = Field(description="What is wrong and how to fix it.")
    type: str = Field(description='A code: "missing", "extra_forbidden", "value_error", "not_found", ...')

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"loc": ["query", "comittee"], "msg": "is not a query parameter of /meetings; it accepts: committee",
         "type": "extra_forbidden"},
        {"loc": ["body", "question"], "msg": "is required", "type": "missing"}]})


class Problem(BaseModel):
    """Every error, as ``application/problem+json`` (RFC 9457): what went wrong and, for bad input,
    which field to fix."""

    type: str = Field("about:blank", description="Always about:blank: the status says what kind of problem.")
    title: str = Field(description="The HTTP status phrase, e.g. Unprocessable Content.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="A sentence saying what to fix.")
    field: str | None = Field(None, description="The query parameter or body field at fault (the first).")
    errors: list[ErrorItem] = Field(description="Each problem: a validation error lists every field at fault; "
                                                "any other error is one entry, with an empty `loc`.")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
         "detail": "bogus: is not a query parameter of /search; it accepts: q, k, offset, sort, committee, "
                   "date_from, date_to, doc_type", "field": "bogus",
         "errors": [{"loc": ["query", "bogus"], "msg": "is not a query parameter of /search; it accepts: q, k, "
                     "offset, sort, committee, date_from, date_to, doc_type", "type": "extra_forbidden"}]},
        {"type": "about:blank", "title": "Not Found", "status": 404,
         "detail": "no item with id 'x/2019-01-01/minute-1'", "field": None,
         "errors": [{"loc": [], "msg": "no item with id 'x/2019-01-01/minute-1'", "type": "not_found"}]},
    ]})


class AskRequest(BaseModel):
    question: str = Field(description="A question in plain words (under 2,000 characters).",
                          json_schema_extra={"maxLength": 1999})
    committee: str | None = Field(None, description="Committee name, or part of it (case-insensitive).")
    date_from: str | None = Field(None, description=f"Only meetings on or after this date ({DATE_HELP}).")
    date_to: str | None = Field(None, description=f"Only meetings on or before this date ({DATE_HELP}).")
    doc_type: str | None = Field(None, description=DOC_TYPE_HELP)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"question": "What happened to the social worker retention recommendation?"},
        {"question": "When was the libraries update discussed?",
         "committee": "Education and Children's Services Scrutiny Board (2)",
         "date_from": "2019-09-01", "date_to": "2020-03-31", "doc_type": "minutes"},
    ]})


class Counts(BaseModel):
    documents: int
    items: int
    chunks: int


class MeetingSummary(BaseModel):
    id: str
    committee: str
    council: str | None
    date: str
    date_label: str = Field(description='The date as people write it: "28 November 2019".')
    start_time: str | None
    place: str | None
    counts: Counts


MEETING_EXAMPLE = {
    "id": "education-and-childrens-services-scrutiny-board-2/2019-11-28",
    "committee": "Education and Children's Services Scrutiny Board (2)", "council": "Coventry City Council",
    "date": "2019-11-28", "date_label": "28 November 2019", "start_time": "10:00",
    "place": "Committee Room 3 - Council House",
}


class MeetingList(BaseModel):
    meetings: list[MeetingSummary]

    model_config = ConfigDict(json_schema_extra={"examples": [{"meetings": [
        {**MEETING_EXAMPLE, "counts": {"documents": 6, "items": 9, "chunks": 40}}]}]})


class DocumentOut(BaseModel):
    id: str
    doc_type: str
    title: str
    author: str | None
    meeting_id: str
    published_for: str
    path: str
    page_start: int | None
    page_end: int | None
    pdf_page_start: int | None
    pdf_page_end: int | None
    url: str | None = Field(None, description="The document on the council's site (null for a local file).")
    restricted: bool = RESTRICTED


class ItemSummary(BaseModel):
    id: str
    kind: str = Field(description='"agenda" or "minute".')
    number: str | None
    title: str
    label: str = Field(description='"Minute 25", "Item 4", or "".')
    page_start: int | None
    page_end: int | None
    order: int
    restricted: bool = RESTRICTED


class MeetingOut(BaseModel):
    id: str
    committee: str
    council: str | None
    date: str
    date_label: str
    start_time: str | None
    place: str | None
    documents: list[DocumentOut]
    items: list[ItemSummary] = Field(description="Agenda items in order, then minutes in order.")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        **MEETING_EXAMPLE, "documents": [],
        "items": [{"id": "education-and-childrens-services-scrutiny-board-2/2019-11-28/minute-25",
                   "kind": "minute", "number": "25", "title": "Children's Services Improvement",
                   "label": "Minute 25", "page_start": 5, "page_end": 6, "order": 4}]}]})


class Section(BaseModel):
    document_id: str | None
    title: str
    doc_type: str | None
    author: str | None
    path: str
    page_start: int | None
    page_end: int | None
    pdf_page_start: int | None
    url: str | None = Field(None, description="The document on the council's site (null for a local file).")
    page_url: str | None = Field(None, description="The document at its first page: the council's URL + #page=N, "
                                 "or /documents/{id}/source#page=N for a local PDF.")
    offset: int = Field(description="Where text starts in the source file's text.")
    text: str
    restricted: bool = RESTRICTED


class Highlight(BaseModel):
    chunk_id: str
    section: int = Field(description="Index into sections.")
    start: int = Field(description="Character offset of the passage in that section's text.")
    end: int
    page_start: int | None
    page_end: int | None
    pdf_page: int | None = Field(None, description="1-based PDF page on which the passage starts.")
    page_url: str | None = Field(None, description="Where to open the passage: the document at that PDF page.")


class MeetingRef(BaseModel):
    id: str
    committee: str
    council: str | None
    date: str
    date_label: str
    start_time: str | None
    place: str | None


class ItemOut(BaseModel):
    id: str
    kind: str
    number: str | None
    title: str
    label: str
    meeting: MeetingRef
    page_start: int | None
    page_end: int | None
    citation: Citation
    sections: list[Section] = Field(description="The minute's body, or each document of the agenda item in order.")
    highlight: Highlight | None = Field(description="Where the ?highlight= passage is, when one was asked for.")
    restricted: bool = RESTRICTED

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": EXAMPLE_ITEM_ID, "kind": "minute", "number": "25", "title": "Children's Services Improvement",
        "label": "Minute 25", "meeting": MEETING_EXAMPLE, "page_start": 5, "page_end": 6,
        "citation": {**EXAMPLE_CITATION, "id": None, "document_id": None, "source": None, "doc_type": "minutes",
                     "url": "/view/items/" + EXAMPLE_ITEM_ID},
        "sections": [{"document_id": EXAMPLE_CITATION["document_id"], "title": "Minutes", "doc_type": "minutes",
                      "author": "Democratic Services", "path": "000_650dc6dc71139f49.txt", "page_start": 5, "page_end": 6,
                      "pdf_page_start": 5, "url": None, "page_url": None, "offset": 10450,
                      "text": "25. Children's Services Improvement\n\nThe Board considered ...", "restricted": False}],
        "highlight": {"chunk_id": EXAMPLE_CHUNK_ID, "section": 0, "start": 40, "end": 900, "page_start": 5,
                      "page_end": 6, "pdf_page": None, "page_url": None},
        "restricted": False}]})


class Health(BaseModel):
    status: str
    index_loaded: bool
    generation: str
    created: str | None
    model: str
    counts: dict[str, int]

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "ok", "index_loaded": True, "generation": "gen-000003", "created": "2024-05-01T10:00:00+00:00",
        "model": "all-MiniLM-L6-v2", "counts": {"meetings": 6, "documents": 40, "items": 70, "chunks": 700}}]})
