"""Atom feeds (RFC 4287), so that a member is told when new papers mention a subject, with a feed
reader and no mail server:

    /feeds/search.atom?q=…&committee=…   the newest agenda items whose passages hold the words
    /feeds/meetings.atom?committee=…     the newest meetings

Feeds are always public-only: restricted (Part B) papers never appear in them, whoever asks. A
feed address is copied into feed readers and shared, and readers do not send the member cookie,
so one rule for every caller keeps a restricted item from travelling in a shared feed. (The
member token is not even read: a feed reader's stale ``Authorization`` header is no reason to
fail.)

Each entry is one agenda item (or one meeting): its title says what it is, which committee and
when ("Minute 25: Children's Services Improvement – Education and Children's Services Scrutiny
Board (2), 28 November 2019"); its link is the item page; ``updated`` is the meeting date; the
summary is the item's best passage; its ``id`` is derived from the item id, which is stable
across re-indexing, so a reader shows an entry once.

A search feed holds the items among the best ``MAX_K`` passages for the words that have a
passage holding every one of the words (stemmed as the keyword index stems them): a feed says
when papers *mention* a subject, and a semantic neighbour of a made-up word is not a mention.
Newest meeting first. No match is an empty feed, still valid Atom. Bad parameters are a 422 ``application/problem+json`` as in the
rest of the API, unknown ones included.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timezone
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator

from indexer.answer.display import display_text
from indexer.common.dates import long_date
from indexer.common.results import MAX_K, MAX_QUERY_CHARS, Filters, SearchResult, check_query
from indexer.common.settings import Settings
from indexer.retrieve import browse
from indexer.retrieve.filters import check_committee
from indexer.retrieve import search as search_mod
from indexer.store import lexical
from indexer.store.index import Index

from .deps import get_index, get_settings, reject_unknown_query
from .schemas import Problem

log = logging.getLogger(__name__)

# unknown parameters are refused as on every JSON route (a misspelt one would follow another search)
router = APIRouter(prefix="/feeds", tags=["feeds"], dependencies=[Depends(reject_unknown_query)])

ATOM = "application/atom+xml"
FEED_ENTRIES = 20  # entries in a feed; a feed reader keeps what it has already seen
MEETING_ENTRIES = 30
SUMMARY_CHARS = 600
SITE = "Council papers search"
ID_PREFIX = "urn:council-papers:"  # ids do not change with the host name the service is reached by


ATOM_BODY = {"content": {ATOM: {"schema": {"type": "string"},
                                "example": '<?xml version="1.0" encoding="UTF-8"?>\n'
                                           '<feed xmlns="http://www.w3.org/2005/Atom">…</feed>'}},
             "description": "An Atom 1.0 feed (RFC 4287)."}
BAD = {422: {"model": Problem, "description": "Bad or unknown parameter: the message says what to fix."}}


# ------------------------------------------------------------------ input

# ------------------------------------------------------------------ items from passages

def newest_items(results: list[SearchResult], query: str, limit: int) -> list[SearchResult]:
    """One result per agenda item, newest meeting first, at most ``limit``: the items among
    ``results`` with a passage that holds every word of ``query`` (as the keyword index reads
    words: stemmed, stop words left out; the item title counts as the passage's). The passage
    kept for an item is its best-ranked such passage (results come best first)."""
    wanted = set(lexical.terms(query))
    if not wanted:
        return []
    best: dict[str, SearchResult] = {}
    for r in results:
        if r.restricted or r.item_id in best:
            continue
        if wanted <= set(lexical.terms(f"{r.item_title}\n{r.text}")):
            best[r.item_id] = r
    # by date alone: a stable sort keeps a day's items best first
    return sorted(best.values(), key=lambda r: r.meeting_date, reverse=True)[:limit]


# ------------------------------------------------------------------ building a feed

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")  # XML 1.0 cannot hold these


def xml_text(s: str | None) -> str:
    return _NOT_XML.sub(" ", s or "")


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+|\s+(?=—)|\n+")


def summary_text(text: str, query: str | None = None, limit: int = SUMMARY_CHARS) -> str:
    """The passage on one paragraph, cut at a word under ``limit`` characters. With ``query``, it
    starts at the first sentence holding the most of the query's words, so that the summary
    shows the mention (a long passage may reach it past the limit)."""
    text = xml_text(text)
    if query:
        wanted = set(lexical.terms(query))
        pieces = [m.end() for m in _SENTENCE_END.finditer(text)]
        starts = [0] + pieces
        best, best_n = 0, 0
        for a in starts:
            b = next((p for p in pieces if p > a), len(text))
            n = len(wanted & set(lexical.terms(text[a:b])))
            if n > best_n:
                best, best_n = a, n
        if best:
            text = "… " + text[best:]
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def rfc3339(d: date) -> datetime:
    """A meeting date as an Atom date: midnight UTC of that day (the papers give no finer time)."""
    return datetime.combine(d, time(0, 0), tzinfo=timezone.utc)


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def new_feed(request: Request, index: Index, feed_id: str, title: str, subtitle: str, alternate: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(ID_PREFIX + feed_id)
    fg.title(xml_text(title))
    fg.subtitle(xml_text(subtitle))
    fg.author({"name": SITE})
    fg.link(href=str(request.url), rel="self", type=ATOM)
    fg.link(href=base_url(request) + alternate, rel="alternate", type="text/html")
    fg.language("en-GB")
    fg.generator(SITE)
    return fg


def feed_response(fg: FeedGenerator, index: Index, newest: date | None) -> Response:
    """The feed's ``updated``: its newest entry's date, or (an empty feed) when the index was built."""
    if newest is not None:
        fg.updated(rfc3339(newest))
    else:
        created = index.manifest.get("created")
        try:
            fg.updated(datetime.fromisoformat(created) if created else datetime.now(timezone.utc))
        except ValueError:
            fg.updated(datetime.now(timezone.utc))
    return Response(fg.atom_str(pretty=True), media_type=ATOM)


def item_url(request: Request, item_id: str, chunk_id: str | None = None) -> str:
    href = base_url(request) + "/view/items/" + quote(item_id, safe="/")
    return href + ("?" + urlencode({"highlight": chunk_id}) + "#hl" if chunk_id else "")


def item_entry_title(r: SearchResult) -> str:
    label = browse.item_label(r.item_kind, r.item_number)
    head = f"{label}: {r.item_title}" if label and r.item_title else (label or r.item_title or "Item")
    return f"{head} – {r.committee}, {long_date(r.meeting_date)}"


# ------------------------------------------------------------------ routes

@router.get("/search.atom", response_class=Response, responses={200: ATOM_BODY, **BAD},
            summary="Feed of new papers that match a search")
def search_feed(
    request: Request,
    q: str = Query(..., description="The words to follow, in plain words (under 2,000 characters).",
                   examples=["social worker retention"], json_schema_extra={"maxLength": MAX_QUERY_CHARS - 1}),
    committee: str | None = Query(None, description="Only this committee (its name, or part of it); "
                                                    "an unknown committee is a 422 that lists them."),
    index: Index = Depends(get_index),
    settings: Settings = Depends(get_settings),
) -> Response:
    """The newest agenda items (at most 20) whose passages hold the words, newest meeting first:
    one Atom entry per item, with a link to its page, the meeting date as `updated` and its best
    passage as the summary. Subscribe to it in a feed reader to be told when new papers mention
    the subject.

    Public papers only, whoever asks: restricted (Part B) papers never appear in a feed. Any other
    parameter is a 422 that names it (a misspelt one would silently follow another search)."""
    q = check_query(q, 1)
    committee = (committee or "").strip() or None
    check_committee(index, committee)
    results = search_mod.search(index, q, MAX_K, Filters(committee=committee, include_restricted=False),
                                search_mod.RetrievalConfig.from_settings(settings))
    items = newest_items(results, q, FEED_ENTRIES)
    params = {"q": q, **({"committee": committee} if committee else {})}
    where = f" ({committee})" if committee else ""
    fg = new_feed(request, index, "search?" + urlencode(params), f"{SITE}: “{q}”{where}",
                  f"New council committee papers that mention “{q}”{where}, newest meeting first.",
                  "/?" + urlencode({**params, "mode": "search"}))
    for r in items:
        fe = fg.add_entry(order="append")
        fe.id(ID_PREFIX + "item:" + quote(r.item_id, safe="/"))
        fe.title(xml_text(item_entry_title(r)))
        # (feedgen 1.0 writes an entry's link with its href only: rel="alternate" is Atom's default)
        fe.link(href=item_url(request, r.item_id, r.id), rel="alternate", type="text/html")
        fe.updated(rfc3339(r.meeting_date))
        fe.published(rfc3339(r.meeting_date))
        fe.summary(summary_text(display_text(index, r), q))
        fe.category(term=xml_text(r.committee))
    return feed_response(fg, index, items[0].meeting_date if items else None)


@router.head("/search.atom", include_in_schema=False)
def search_feed_head(request: Request, q: str = Query(...), committee: str | None = None,
                     index: Index = Depends(get_index), settings: Settings = Depends(get_settings)) -> Response:
    return search_feed(request, q, committee, index, settings)


@router.get("/meetings.atom", response_class=Response, responses={200: ATOM_BODY, **BAD},
            summary="Feed of new meetings")
def meetings_feed(
    request: Request,
    committee: str | None = Query(None, description="Only this committee (its name, or part of it); "
                                                    "an unknown committee is a 422 that lists them."),
    index: Index = Depends(get_index),
) -> Response:
    """The newest meetings (at most 30), newest first: one Atom entry per meeting, with a link to
    its page, the meeting date as `updated` and its agenda as the summary.

    Public papers only, whoever asks: restricted (Part B) items are neither listed nor counted.
    Any other parameter is a 422 that names it."""
    committee = (committee or "").strip() or None
    check_committee(index, committee)
    meetings = browse.list_meetings(index, include_restricted=False, committee=committee)[:MEETING_ENTRIES]
    where = f" of {committee}" if committee else ""
    fg = new_feed(request, index, "meetings" + ("?" + urlencode({"committee": committee}) if committee else ""),
                  f"{SITE}: new meetings{where}", f"Council committee meetings{where} and their papers, newest first.",
                  "/view/meetings")
    for m in meetings:
        full = browse.get_meeting(index, m["id"], include_restricted=False)
        agenda = "; ".join(f"{i['label']}: {i['title']}" if i["label"] else i["title"]
                           for i in full["items"] if i["title"])
        n_items, n_docs = m["counts"]["items"], m["counts"]["documents"]
        counts = f"{n_items} item{'' if n_items == 1 else 's'}, {n_docs} document{'' if n_docs == 1 else 's'}"
        fe = fg.add_entry(order="append")
        fe.id(ID_PREFIX + "meeting:" + quote(m["id"], safe="/"))
        fe.title(xml_text(f"{m['committee']}, {m['date_label']}"))
        fe.link(href=base_url(request) + "/view/meetings/" + quote(m["id"], safe="/"), rel="alternate",
                type="text/html")
        day = date.fromisoformat(m["date"])
        fe.updated(rfc3339(day))
        fe.published(rfc3339(day))
        fe.summary(summary_text(f"{counts}. {agenda}" if agenda else counts + "."))
        fe.category(term=xml_text(m["committee"]))
    return feed_response(fg, index, date.fromisoformat(meetings[0]["date"]) if meetings else None)


@router.head("/meetings.atom", include_in_schema=False)
def meetings_feed_head(request: Request, committee: str | None = None,
                       index: Index = Depends(get_index)) -> Response:
    return meetings_feed(request, committee, index)
