"""The JSON contract: a search result (which is also what a citation points to), an answer, a
timeline entry and a recommendation record, defined once.

The library builds its output through these models (``SearchResult.to_dict()``, ``ask()``,
``find_recommendations()``); the CLI's ``--json`` prints what they dump and the API declares
them as its response models, so /docs shows the same contract. Models that carry library
records allow extra keys, so a richer record passes through unchanged.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

EXAMPLE_ITEM_ID = "education-and-childrens-services-scrutiny-board-2/2019-11-28/minute-25"
EXAMPLE_CHUNK_ID = EXAMPLE_ITEM_ID + "/0.1"
EXAMPLE_SOURCE = {"path": "000_650dc6dc71139f49.txt", "published_for": "2020-01-09",
                  "page_start": 5, "page_end": 6, "ocr": False, "url": None, "page_url": None}
EXAMPLE_CITATION = {
    "text": "Education and Children's Services Scrutiny Board (2), 28 November 2019, minute 25: "
            "Children's Services Improvement (pages 5–6)",
    "committee": "Education and Children's Services Scrutiny Board (2)",
    "meeting_date": "2019-11-28",
    "item": {"number": "25", "title": "Children's Services Improvement"},
    "pages": "pages 5–6",
    "id": EXAMPLE_CHUNK_ID,
    "item_id": EXAMPLE_ITEM_ID,
    "meeting_id": "education-and-childrens-services-scrutiny-board-2/2019-11-28",
    "document_id": "education-and-childrens-services-scrutiny-board-2/2020-01-09/000-650dc6dc71139f49/2-minutes",
    "doc_type": "minutes",
    "url": "/view/items/" + EXAMPLE_ITEM_ID + "?highlight=" + EXAMPLE_CHUNK_ID,
    "source": EXAMPLE_SOURCE,
    "quote": None,
    "restricted": False,
}
EXAMPLE_RESULT = {
    "id": EXAMPLE_CHUNK_ID,
    "score": 0.032787,
    "text": "RESOLVED that the Education and Children's Services Scrutiny Board (2) recommend that "
            "the Cabinet Member ... considers ways to improve the retention of social workers.",
    "committee": "Education and Children's Services Scrutiny Board (2)",
    "meeting_date": "2019-11-28",
    "doc_type": "minutes",
    "item": {"number": "25", "title": "Children's Services Improvement"},
    "item_id": EXAMPLE_CITATION["item_id"],
    "meeting_id": EXAMPLE_CITATION["meeting_id"],
    "document_id": EXAMPLE_CITATION["document_id"],
    "url": EXAMPLE_CITATION["url"],
    "source": EXAMPLE_SOURCE,
    "citation": EXAMPLE_CITATION,
    "restricted": False,
}


class ItemRef(BaseModel):
    number: str | None
    title: str


class SourceRef(BaseModel):
    path: str = Field(description="The source file, relative to the corpus root.")
    published_for: str = Field(description="Date of the meeting whose pack published the document.")
    page_start: int | None
    page_end: int | None
    ocr: bool = Field(default=False, description="The passage's text was read by OCR from a scanned "
                                                  "page (its citation ends \"(OCR text)\").")
    url: str | None = Field(None, description="The document on the council's site (null for a local file).")
    page_url: str | None = Field(None, description="Where to open the passage: for a PDF, the document's URL with "
                                 "#page=N (N = the 1-based PDF page where the passage starts); for a local PDF, "
                                 "/documents/{id}/source#page=N; null for a local text file.")


class Citation(BaseModel):
    """Where something is in the papers. The one shape of every ``citation`` in the API: on a
    search result, on each of an answer's citations, on timeline entries, follow-ups,
    recommendations and items. ``text`` is the citation as a reader writes it."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_CITATION]})

    text: str = Field(description="The citation in words: committee, date, minute or item, title, pages.")
    committee: str
    meeting_date: str = Field(description="YYYY-MM-DD.")
    item: ItemRef
    pages: str | None = Field(description='"page 5" or "pages 5–6"; null when the pages are not known.')
    id: str | None = Field(None, description="The cited passage's chunk id (null when a whole item is cited).")
    item_id: str
    meeting_id: str
    document_id: str | None = Field(None, description="The document holding the passage (null for a whole item).")
    doc_type: str | None = None
    url: str = Field(description="The item page here, with the cited passage highlighted: "
                                 "/view/items/{item_id}?highlight={chunk id}.")
    source: SourceRef | None = Field(None, description="The source file and pages (null for a whole item).")
    quote: str | None = Field(None, description="The cited passage verbatim, where the citation stands without its "
                                                "result (timelines, follow-ups, recommendations); null on a result, "
                                                "whose `text` is the passage.")
    restricted: bool = False


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
    item_id: str = Field(description="The agenda item or minute the passage belongs to (/items/{item_id}).")
    meeting_id: str = Field(description="Its meeting (/meetings/{meeting_id}).")
    document_id: str = Field(description="The document the passage was read from (/documents/{document_id}/source).")
    url: str = Field(description="The item page with this passage highlighted: /view/items/{item_id}?highlight={id}.")
    source: SourceRef
    citation: Citation
    restricted: bool = Field(False, description="From a restricted (Part B, exempt) paper: only members get it.")


EXAMPLE_SEARCH_RESULT = {**EXAMPLE_RESULT, "passages": 3, "more_passages": 2,
                         "marks": [[136, 145], [153, 159]], "title_marks": []}


class ItemResult(Result):
    """One agenda item or minute among search results: its best passage, with how many more of its
    passages match."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [EXAMPLE_SEARCH_RESULT]})

    passages: int = Field(description="How many of the item's passages match the query (this one included).")
    more_passages: int = Field(description="passages - 1: the others, read on the item page (`url`).")
    marks: list[list[int]] = Field(default_factory=list, description="[start, end) character offsets in `text` of "
                                   "the query's words and their stems (the text itself is verbatim).")
    title_marks: list[list[int]] = Field(default_factory=list,
                                         description="The same, in `item.title`.")


class SearchResponse(BaseModel):
    """Agenda items matching a query, one per item, a page at a time."""

    query: str
    total: int = Field(description="How many items match, on every page: the items of the matching passages among "
                                   "the best 200 of the ranking (4 × (offset + k) when a page goes deeper).")
    offset: int = Field(description="How many items were skipped (the page starts at offset + 1).")
    k: int = Field(description="The page size asked for.")
    sort: str = Field(description='"relevance" (best first) or "date" (newest meeting first).')
    results: list[ItemResult]
    hint: str | None = Field(None, description="When nothing matches: what to try (remove filters; the committees "
                                               "the index holds, for an unknown committee).")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"query": "social worker retention", "total": 1, "offset": 0, "k": 10, "sort": "relevance",
         "results": [EXAMPLE_SEARCH_RESULT], "hint": None},
        {"query": "xqzvbl", "total": 0, "offset": 0, "k": 10, "sort": "relevance", "results": [],
         "hint": "Nothing in the papers matches these words. Try other words."}]})


class PassageResponse(BaseModel):
    """Passages, best first, one per passage (``council search --json``; /search gives items)."""

    query: str
    results: list[Result]


# ------------------------------------------------------------------ the recommendations tracker
# Records are made by ``indexer.answer.find_recommendations`` / ``recommendation``; the routes
# return them with ``response_model_exclude_unset`` so keys a record lacks (``planned_date`` on
# entries that are not ``scheduled``) stay absent rather than appearing as null.

REC_STATUS_HELP = ('What became of it, from the strongest evidence among its follow-ups: "responded", '
                   '"scheduled", "discussed", "outstanding" or "no trace found".')
FOLLOW_UP_KIND_HELP = ('"response" (an outstanding-issues row answering it), "scheduled" (a work-programme row '
                       'planning it), "cross_reference" (a later minute "Further to minute N/YY") or "discussed" '
                       '(a later passage on the same matter, found by the embedder).')

EXAMPLE_REC_ID = "education-and-childrens-services-scrutiny-board-2/2019-11-28/minute-25/point-2"
EXAMPLE_REC_TEXT = ("recommend that the Cabinet Member for Children and Young People investigate options including "
                    "scope for collaborative working with other Local Authorities by building on the success of the "
                    "Social Work Academy to continue the retention of Social Workers in Coventry.")
_WP_ITEM = "education-and-childrens-services-scrutiny-board-2/2020-01-09/item-7"
EXAMPLE_WP_CITATION = {
    "text": "Education and Children's Services Scrutiny Board (2), 9 January 2020, item 7: Work Programme "
            "(pages 25–28)",
    "committee": "Education and Children's Services Scrutiny Board (2)",
    "meeting_date": "2020-01-09",
    "item": {"number": "7", "title": "Work Programme"},
    "pages": "pages 25–28",
    "id": _WP_ITEM + "/0.5",
    "item_id": _WP_ITEM,
    "meeting_id": "education-and-childrens-services-scrutiny-board-2/2020-01-09",
    "document_id": "education-and-childrens-services-scrutiny-board-2/2020-01-09/000-650dc6dc71139f49/6-work_programme",
    "doc_type": "work_programme",
    "url": "/view/items/" + _WP_ITEM + "?highlight=" + _WP_ITEM + "/0.5",
    "source": {"path": "000_650dc6dc71139f49.txt", "published_for": "2020-01-09", "page_start": 25, "page_end": 28,
               "ocr": False, "url": None, "page_url": None},
    "quote": "2nd April 2020\tRetention of Social Workers – progress on recommendations\tFollowing up on progress "
             "on the recommendations from the T&F group on retention of social workers ...",
    "restricted": False,
}
EXAMPLE_REC_CITATION = {**EXAMPLE_CITATION, "quote": EXAMPLE_RESULT["text"]}
EXAMPLE_WP_TEXT = ("Work programme: “Retention of Social Workers – progress on recommendations”, planned for 2nd "
                   "April 2020: Following up on progress on the recommendations from the T&F group on retention of "
                   "social workers ...")
EXAMPLE_RECOMMENDATION = {
    "id": EXAMPLE_REC_ID,
    "meeting_id": "education-and-childrens-services-scrutiny-board-2/2019-11-28",
    "meeting_date": "2019-11-28",
    "committee": "Education and Children's Services Scrutiny Board (2)",
    "minute": "25",
    "minute_title": "Children's Services Improvement",
    "point": "2",
    "text": EXAMPLE_REC_TEXT,
    "lead_in": "RESOLVED that the Scrutiny Board",
    "addressee": "Cabinet Member for Children and Young People",
    "is_recommendation": True,
    "status": "scheduled",
    "citation": EXAMPLE_REC_CITATION,
    "follow_ups": [{
        "kind": "scheduled", "meeting_id": "education-and-childrens-services-scrutiny-board-2/2020-01-09",
        "meeting_date": "2020-01-09", "text": EXAMPLE_WP_TEXT,
        "detail": "Following up on progress on the recommendations from the T&F group on retention of social "
                  "workers made by SB2 29 th March 2018",
        "response": None, "planned_date": "2020-04-02", "planned": "2nd April 2020",
        "evidence": "work programme in the 2020-01-09 pack; the title shares recomme, retenti, social, worker "
                    "with the point (score 0.85)",
        "score": 0.8481,
        "source_id": "education-and-childrens-services-scrutiny-board-2/2020-01-09/000-650dc6dc71139f49/"
                     "6-work_programme/table-0/row-17",
        "citation": EXAMPLE_WP_CITATION}],
    "timeline": [
        {"meeting_date": "2019-11-28", "kind": "recommendation",
         "text": f"Minute 25 (Children's Services Improvement), point 2: {EXAMPLE_REC_TEXT}",
         "citation": EXAMPLE_REC_CITATION, "record_id": EXAMPLE_REC_ID, "status": "scheduled",
         "addressee": "Cabinet Member for Children and Young People"},
        {"meeting_date": "2020-01-09", "kind": "scheduled", "text": EXAMPLE_WP_TEXT,
         "citation": EXAMPLE_WP_CITATION, "planned_date": "2020-04-02"}],
}


class FollowUp(BaseModel):
    """Evidence of what happened to a recommendation, at a later meeting. Keys a kind of follow-up
    does not have (``response`` off a work-programme row, ``planned_date`` off a later minute) are absent."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": EXAMPLE_RECOMMENDATION["follow_ups"]})

    kind: str = Field(description=FOLLOW_UP_KIND_HELP)
    meeting_id: str = Field(description="The meeting whose papers hold the evidence.")
    meeting_date: str = Field(description="Its date (YYYY-MM-DD).")
    text: str = Field(description="What the papers say, quoting them (for a table row: its title and words).")
    detail: str | None = Field(None, description="The row's detail column, when it came from a table.")
    response: str | None = Field(None, description='An outstanding-issues row\'s "Response/Status", verbatim.')
    planned_date: str | None = Field(None, description="When a work programme plans it (YYYY-MM-DD), if it gives a "
                                                       "date.")
    planned: str | None = Field(None, description="That date as the work programme writes it.")
    evidence: str = Field(description="Why this was linked to the recommendation.")
    score: float = Field(description="How strongly it matched (0-1).")
    source_id: str = Field(description="The table row or passage id the evidence came from.")
    citation: Citation | None = Field(description="The passage holding the evidence (`quote` is its text).")


class TimelineEntry(BaseModel):
    """One dated event: the recommendation itself (first), then its follow-ups in date order."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": EXAMPLE_RECOMMENDATION["timeline"]})

    meeting_date: str = Field(description="YYYY-MM-DD.")
    kind: str = Field(description='"recommendation", or a follow-up kind: ' + FOLLOW_UP_KIND_HELP)
    text: str = Field(description="What happened, quoting the papers.")
    citation: Citation | None = Field(description="Where to check it (`quote` is the cited passage).")
    record_id: str | None = Field(None, description="On the recommendation entry and its follow-ups: the record's id.")
    planned_date: str | None = Field(None, description="Only on scheduled entries: the planned date, if known.")
    status: str | None = Field(None, description="Only on the recommendation entry: " + REC_STATUS_HELP)
    addressee: str | None = Field(None, description="Only on the recommendation entry: who it was addressed to.")


class Recommendation(BaseModel):
    """A RESOLVED point of a minute (a recommendation or another resolution), with what became of it."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [EXAMPLE_RECOMMENDATION]})

    id: str = Field(description="Stable id: <meeting id>/minute-<n>/point-<p> (or /resolved for an unnumbered "
                                "resolution); use it with /recommendations/{id}.")
    meeting_id: str
    meeting_date: str = Field(description="The date of the meeting that resolved it (YYYY-MM-DD).")
    committee: str
    minute: str = Field(description="Minute number.")
    minute_title: str
    point: str | None = Field(description="Point number within the resolution, or null for a single resolution.")
    text: str = Field(description="The point's words from the minutes (layout and emphasis removed).")
    lead_in: str | None = Field(description='The words introducing the points, e.g. "RESOLVED that the Board".')
    addressee: str | None = Field(description="Who it is addressed to, as written, when it recommends to someone.")
    is_recommendation: bool = Field(description="True when the point recommends something to someone.")
    status: str = Field(description=REC_STATUS_HELP + " In lists, later discussion counts only when asked for "
                                    "(?discussed=true); the single-record endpoint always looks for it.")
    citation: Citation | None = Field(description="The minute's passage holding the point (`quote` is its text).")
    follow_ups: list[FollowUp] = Field(description="Evidence of what happened next, oldest first.")
    timeline: list[TimelineEntry] = Field(description="The recommendation, then its follow-ups, in date order.")


class RecommendationList(BaseModel):
    query: str = Field(description="The words asked for (empty: every record).")
    recommendations: list[Recommendation] = Field(
        description="Matching records, best match first (oldest first when the query is empty).")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"query": "social worker retention", "recommendations": [EXAMPLE_RECOMMENDATION]}]})


# ------------------------------------------------------------------ answers

class AskResponse(BaseModel):
    """An answer, as ``indexer.answer.ask.ask()`` gives it and ``POST /ask`` returns it."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "question": "What happened to the social worker retention recommendation?",
        "answered": True,
        "answer": "The Board recommended ways to improve the retention of social workers [1].",
        "citations": [EXAMPLE_RESULT],
        "timeline": [{"meeting_date": "2019-11-28", "kind": "minute",
                      "text": "Recommendation on social worker retention made.",
                      "citation": EXAMPLE_REC_CITATION}],
    }]})

    question: str
    answered: bool = Field(description="False when the papers do not answer the question (abstention).")
    answer: str = Field(description="Answer text with [n] markers pointing into citations (1-based).")
    citations: list[Result]
    timeline: list[TimelineEntry] = Field(description="Dated events, oldest first, when the answer has them.")
    question_type: str | None = Field(None, description='What the question asks for: "number", "date", "who", '
                                      '"decision", "reason", "story" or "open".')
    related: list[Result] = Field(default_factory=list, description="On a refusal: the closest passages, related, "
                                  "not an answer. In answers each result also carries \"text_clean\": the passage as "
                                  "shown and quoted, cleaned of conversion debris, table rows as \"column: value\" pairs.")
