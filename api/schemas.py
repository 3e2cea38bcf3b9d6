"""Pydantic models of the JSON API: they document the contracts (with examples) at /docs.

The result and answer contracts are made by the library (``SearchResult.to_dict()`` and
``indexer.answer.ask``); these models describe them and must not reshape them. Models that
carry library dicts allow extra keys, so a richer answer passes through unchanged.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from indexer.models import DOC_TYPES

DATE_HELP = "YYYY-MM-DD"
DOC_TYPE_HELP = "One of: " + ", ".join(DOC_TYPES) + "."

EXAMPLE_RESULT = {
    "id": "education-and-childrens-services-scrutiny-board-2/2019-11-28/minute-25/0.1",
    "score": 0.032787,
    "text": "RESOLVED that the Education and Children's Services Scrutiny Board (2) recommend that "
            "the Cabinet Member ... considers ways to improve the retention of social workers.",
    "committee": "Education and Children's Services Scrutiny Board (2)",
    "meeting_date": "2019-11-28",
    "doc_type": "minutes",
    "item": {"number": "25", "title": "Children's Services Improvement"},
    "source": {"path": "000_650dc6dc71139f49.txt", "published_for": "2020-01-09",
               "page_start": 5, "page_end": 6},
    "citation": "Education and Children's Services Scrutiny Board (2), 28 November 2019, minute 25: "
                "Children's Services Improvement (pages 5–6)",
}


class Problem(BaseModel):
    """Every error: what went wrong and, for bad input, which field to fix."""

    detail: str = Field(description="A sentence saying what to fix.")
    field: str | None = Field(None, description="The query parameter or body field at fault.")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"detail": "k must be between 1 and 50", "field": "k"},
        {"detail": "no item with id 'x/2019-01-01/minute-1'", "field": None},
    ]})


class ItemRef(BaseModel):
    number: str | None
    title: str


class SourceRef(BaseModel):
    path: str = Field(description="The source file, relative to the corpus root.")
    published_for: str = Field(description="Date of the meeting whose pack published the document.")
    page_start: int | None
    page_end: int | None


class Result(BaseModel):
    """One passage: ``SearchResult.to_dict()``."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [EXAMPLE_RESULT]})

    id: str = Field(description="Chunk id; pass it as ?highlight= to /items/{item id}.")
    score: float
    text: str = Field(description="The passage, verbatim from the source.")
    committee: str
    meeting_date: str
    doc_type: str
    item: ItemRef
    source: SourceRef
    citation: str


class SearchResponse(BaseModel):
    query: str
    results: list[Result]

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"query": "social worker retention", "results": [EXAMPLE_RESULT]}]})


class AskRequest(BaseModel):
    question: str = Field(description="A question in plain words (under 2,000 characters).")
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


class AskResponse(BaseModel):
    """The answer contract of ``indexer.answer.ask``."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "question": "What happened to the social worker retention recommendation?",
        "answered": True,
        "answer": "The Board recommended ways to improve the retention of social workers [1].",
        "citations": [EXAMPLE_RESULT],
        "timeline": [{"meeting_date": "2019-11-28", "kind": "minute",
                      "text": "Recommendation on social worker retention made.",
                      "citation": EXAMPLE_RESULT["citation"]}],
    }]})

    question: str
    answered: bool = Field(description="False when the papers do not answer the question (abstention).")
    answer: str = Field(description="Answer text with [n] markers pointing into citations (1-based).")
    citations: list[Result]
    timeline: list[dict[str, Any]] = Field(description="Dated events, oldest first, when the answer has them.")


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


class ItemSummary(BaseModel):
    id: str
    kind: str = Field(description='"agenda" or "minute".')
    number: str | None
    title: str
    label: str = Field(description='"Minute 25", "Item 4", or "".')
    page_start: int | None
    page_end: int | None
    order: int


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
    offset: int = Field(description="Where text starts in the source file's text.")
    text: str


class Highlight(BaseModel):
    chunk_id: str
    section: int = Field(description="Index into sections.")
    start: int = Field(description="Character offset of the passage in that section's text.")
    end: int
    page_start: int | None
    page_end: int | None


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
    citation: str
    sections: list[Section] = Field(description="The minute's body, or each document of the agenda item in order.")
    highlight: Highlight | None = Field(description="Where the ?highlight= passage is, when one was asked for.")


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
