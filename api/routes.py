"""The JSON API. Routes stay thin: they call indexer.retrieve (search, browse) and indexer.answer
(ask, recommendations).

``/recommendations`` serves the recommendations tracker that ``council recommendations`` prints.

Library errors are translated in app.py (BadQuery → 422, NotFound → 404, Withheld → 403).
Routes are plain ``def`` so FastAPI runs them in its thread pool (embedding is CPU work).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from indexer.answer import ask as answer_mod
from indexer.answer import recommendations as recs_mod
from indexer.retrieve import browse
from indexer.retrieve import items as items_mod
from indexer.retrieve import search as search_mod
from indexer.retrieve.filters import check_committee
from indexer.store.index import Index
from indexer.common.results import MAX_K, MAX_QUERY_CHARS, check_query
from indexer.common.settings import Settings

from .deps import get_index, get_settings, is_member, make_filters, reject_unknown_query
from .ratelimit import limit_asks
from .schemas import (
    DATE_HELP, DOC_TYPE_HELP, AskRequest, AskResponse, Health, ItemOut, MeetingList, MeetingOut, Problem,
    Recommendation, RecommendationList, SearchResponse,
)

log = logging.getLogger(__name__)

# every JSON route refuses query parameters it does not declare (422 naming them)
router = APIRouter(dependencies=[Depends(reject_unknown_query)])

BAD = {422: {"model": Problem, "description": "Bad input: the message says what to fix."}}
MISSING = {404: {"model": Problem, "description": "No such id (or not visible to you)."}}
AUTH = {401: {"model": Problem, "description": "Wrong or unexpected bearer token."}}
TOO_BIG = {413: {"model": Problem, "description": "The body is over the server's limit (see the API description)."}}
LIMITED = {429: {"model": Problem, "description": "Too many questions from this client; wait `Retry-After` seconds.",
                 "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}}}


@router.get("/search", response_model=SearchResponse, tags=["search"], responses={**BAD, **AUTH},
            summary="Search the papers")
def search(
    q: str = Query(..., description="What to look for, in plain words (under 2,000 characters).",
                   examples=["social worker retention"], json_schema_extra={"maxLength": MAX_QUERY_CHARS - 1}),
    k: int = Query(10, ge=1, le=MAX_K, description=f"How many items per page (1-{MAX_K})."),
    offset: int = Query(0, ge=0, le=items_mod.MAX_OFFSET, description="How many items to skip (for the next "
                        "page, offset + k)."),
    sort: str = Query("relevance", description='"relevance" (best first) or "date" (newest meeting first).',
                      json_schema_extra={"enum": list(items_mod.SORTS)}),
    committee: str | None = Query(None, description="Committee name, or part of it; one the index does not "
                                  "hold is a 422 listing those it holds."),
    date_from: str | None = Query(None, description=f"Only meetings on or after ({DATE_HELP})."),
    date_to: str | None = Query(None, description=f"Only meetings on or before ({DATE_HELP})."),
    doc_type: str | None = Query(None, description=DOC_TYPE_HELP),
    index: Index = Depends(get_index),
    settings: Settings = Depends(get_settings),
    member: bool = Depends(is_member),
) -> dict:
    """Agenda items ranked by hybrid (semantic + keyword) retrieval, one per item: its best passage,
    its citation and how many more of its passages match. `total` counts matching items; page with
    `offset` and `k`. A query the papers do not match returns no results and a `hint`.

    Restricted (Part B) papers are searched only for members (send `Authorization: Bearer <token>`).
    """
    filters = make_filters(committee, date_from, date_to, doc_type, member, index)
    page = items_mod.search_items(index, q, k, offset, filters, search_mod.RetrievalConfig.from_settings(settings),
                                  sort)
    return items_mod.page_dict(page, filters)


@router.post("/ask", response_model=AskResponse, response_model_exclude_unset=True, tags=["search"],
             responses={**BAD, **AUTH, **TOO_BIG, **LIMITED}, summary="Ask a question",
             dependencies=[Depends(limit_asks)])
def ask(
    body: AskRequest,
    index: Index = Depends(get_index),
    settings: Settings = Depends(get_settings),
    member: bool = Depends(is_member),
) -> dict:
    """An answer drawn from the papers with numbered citations, a timeline when the question
    follows something across meetings, or `answered: false` when the papers do not say."""
    filters = make_filters(body.committee, body.date_from, body.date_to, body.doc_type, member, index)
    return answer_mod.ask(index, body.question, filters, settings)


MAX_RECOMMENDATIONS = 500


def recommendation_query(q: str | None) -> str:
    """Blank means every record; otherwise the same limits as a search query (BadQuery → 422)."""
    q = (q or "").strip()
    return check_query(q, 1) if q else ""


# response_model_exclude_unset: the records pass through as the library made them; keys a
# timeline entry does not have (planned_date off scheduled entries) stay absent, not null.
@router.get("/recommendations", response_model=RecommendationList, response_model_exclude_unset=True,
            tags=["recommendations"], responses={**BAD, **AUTH}, summary="Find recommendations")
def recommendations(
    q: str = Query("", description="Words the recommendation (or its minute's title) holds; empty lists them all.",
                   examples=["social worker retention"]),
    limit: int = Query(50, ge=1, le=MAX_RECOMMENDATIONS,
                       description=f"At most this many records (1-{MAX_RECOMMENDATIONS})."),
    discussed: bool = Query(False, description="Also list the later passages on the same matter among each "
                                               "record's follow-ups. A record's status counts them either way, "
                                               "as its own page does."),
    index: Index = Depends(get_index),
    member: bool = Depends(is_member),
) -> dict:
    """RESOLVED points and recommendations from the minutes, each with its status and a timeline of
    what happened next (responses, work-programme plans, later minutes), every entry cited.

    Best match first; with no words, every record, oldest first. Records and follow-ups from
    restricted (Part B) papers are included only for members."""
    q = recommendation_query(q)
    recs = recs_mod.find_recommendations(index, q, include_restricted=member, limit=limit, with_discussed=discussed)
    return {"query": q, "recommendations": recs}


@router.get("/recommendations/{rec_id:path}", response_model=Recommendation, response_model_exclude_unset=True,
            tags=["recommendations"], responses={**MISSING, **AUTH}, summary="One recommendation")
def recommendation(rec_id: str, index: Index = Depends(get_index), member: bool = Depends(is_member)) -> dict:
    """One record with every follow-up, later discussion in the papers included, and its timeline.

    Ids contain slashes:
    `/recommendations/education-and-childrens-services-scrutiny-board-2/2019-11-28/minute-25/point-2`."""
    return recs_mod.recommendation(index, rec_id, include_restricted=member)


@router.get("/meetings", response_model=MeetingList, tags=["browse"], responses=AUTH,
            summary="List meetings")
def meetings(
    committee: str | None = Query(None, description="Only this committee (name or part of it)."),
    index: Index = Depends(get_index),
    member: bool = Depends(is_member),
) -> dict:
    """Every meeting, newest first, with counts of its documents, items and passages."""
    check_committee(index, committee)
    return {"meetings": browse.list_meetings(index, include_restricted=member, committee=committee)}


@router.get("/meetings/{meeting_id:path}", response_model=MeetingOut, tags=["browse"],
            responses={**MISSING, **AUTH}, summary="One meeting")
def meeting(meeting_id: str, index: Index = Depends(get_index), member: bool = Depends(is_member)) -> dict:
    """The meeting, its documents, and its items in order (agenda, then minutes).

    Ids contain slashes: `/meetings/education-and-childrens-services-scrutiny-board-2/2019-11-28`."""
    return browse.get_meeting(index, meeting_id, include_restricted=member)


@router.get("/items/{item_id:path}", response_model=ItemOut, tags=["browse"],
            responses={**MISSING, **AUTH}, summary="The full text of an item")
def item(
    item_id: str,
    highlight: str | None = Query(None, description="A chunk id (a result's `id`): its offsets are returned."),
    index: Index = Depends(get_index),
    member: bool = Depends(is_member),
) -> dict:
    """A minute's body, or each document of an agenda item in order with titles, types and pages.

    With `?highlight=<chunk id>`, `highlight` gives the section and character offsets of that passage."""
    return browse.get_item(index, item_id, include_restricted=member, highlight=highlight or None)


@router.get("/documents/{document_id:path}/source", tags=["browse"], response_class=FileResponse,
            responses={**MISSING, **AUTH, 403: {"model": Problem, "description": "The file also holds restricted papers."},
                       200: {"content": {"application/pdf": {}, "text/plain": {}},
                             "description": "The original file."}},
            summary="The original file")
def document_source(
    document_id: str,
    index: Index = Depends(get_index),
    settings: Settings = Depends(get_settings),
    member: bool = Depends(is_member),
) -> FileResponse:
    """The file the document was read from, as indexed (PDF or text). Open a PDF at a page with `#page=N`."""
    src = browse.source_file(index, document_id, include_restricted=member, corpus_root=settings.corpus_root)
    return FileResponse(src.path, media_type=src.media_type, filename=src.filename,
                        content_disposition_type="inline")


@router.get("/health", response_model=Health, tags=["service"], responses=AUTH, summary="Service health")
def health(index: Index = Depends(get_index), member: bool = Depends(is_member)) -> dict:
    """Whether the index is loaded, what it holds (as visible to you), its model and generation."""
    return {"status": "ok", "index_loaded": True, "generation": index.gen.name,
            "created": index.manifest.get("created"), "model": index.embedder.model_id,
            "counts": browse.counts(index, include_restricted=member)}
