"""The web pages: server-rendered Jinja2, no JavaScript. They call the same library as the JSON API.

    /                         search form; with ?q= it shows results (mode=search) or an answer
                              (mode=ask). Every search is a shareable GET link.
    /view/meetings            every meeting
    /view/meetings/{id}       one meeting's agenda, minutes and documents
    /view/items/{id}          an item's full text; ?highlight=<chunk id> marks the cited passage
    /view/recommendations     RESOLVED points and recommendations (?q= narrows them), with status
    /view/recommendations/{id}  one recommendation, its citation and its timeline
    /member                   sign in with the member token (sets the council_token cookie)

Bad input is shown in the page (role=alert), never as a JSON error.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from indexer.answer import ask as answer_mod
from indexer.answer import recommendations as recs_mod
from indexer.common.clean import clean_text
from indexer.retrieve import browse
from indexer.retrieve import items as items_mod
from indexer.retrieve import search as search_mod
from indexer.common.dates import long_date
from indexer.store.index import Index
from indexer.common.models import DOC_TYPES
from indexer.common.results import BadQuery, check_query, page_label
from indexer.common.settings import Settings

from .deps import COOKIE, get_index, get_settings, is_member, make_filters, token_matches
from .csrf import CsrfRejected, check_csrf, csrf_token, is_https, set_csrf_cookie
from .ratelimit import limit_asks
from . import pages, pages_recs, pages_search

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

DOC_TYPE_LABELS = {
    "agenda": "Agenda", "minutes": "Minutes", "report": "Report", "appendix": "Appendix",
    "outstanding_issues": "Outstanding issues", "work_programme": "Work programme", "other": "Other",
}
RESULTS_PER_PAGE = 10
RECOMMENDATIONS_PER_PAGE = 200
KIND_LABELS = {"recommendation": "Recommendation", "response": "Response", "scheduled": "Work programme",
               "cross_reference": "Referred to again", "discussed": "Discussed"}
# one class per status the tracker gives (indexer.structure.followups.STATUS_ORDER); the badge shows the words too
STATUS_CLASSES = {"responded": "status-responded", "scheduled": "status-scheduled", "overdue": "status-overdue",
                  "discussed": "status-discussed",
                  "outstanding": "status-outstanding", "no trace found": "status-none"}


def make_templates() -> Jinja2Templates:
    # autoescape everything: document text is untrusted and must show as text
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True)
    env.filters["item_href"] = item_href
    env.filters["meeting_href"] = meeting_href
    env.filters["doc_type_label"] = lambda t: DOC_TYPE_LABELS.get(t or "", t or "")
    env.filters["pages"] = page_label
    env.filters["rec_href"] = rec_href
    env.filters["kind_label"] = lambda k: KIND_LABELS.get(k or "", (k or "").replace("_", " ").capitalize())
    env.filters["status_class"] = lambda s: STATUS_CLASSES.get(s or "", "status-none")
    env.filters["status_words"] = lambda s: pages_recs.STATUS_WORDS.get(s or "", s or "")
    env.filters["prose_dates"] = pages.prose_dates
    return Jinja2Templates(env=env)


# ------------------------------------------------------------------ links

def item_href(item_id: str, highlight: str | None = None) -> str:
    href = "/view/items/" + quote(item_id, safe="/")
    return href + ("?" + urlencode({"highlight": highlight}) + "#hl" if highlight else "")


def meeting_href(meeting_id: str) -> str:
    return "/view/meetings/" + quote(meeting_id, safe="/")


def rec_href(rec_id: str) -> str:
    return "/view/recommendations/" + quote(rec_id, safe="/")


def council_link(url: str | None, page_url: str | None, pdf_page: int | None, printed: int | None) -> dict:
    """"Open on the council's site, page N" (N = the PDF page the link opens), with the printed
    page number when the document prints a different one."""
    if not url:
        return {"council_href": None, "council_label": None}
    label = "Open on the council's site" + (f", page {pdf_page}" if pdf_page else "")
    if printed and pdf_page and printed != pdf_page:
        label += f" (printed page {printed})"
    return {"council_href": page_url or url, "council_label": label}


def source_href(document_id: str, pdf_page: int | None = None) -> str:
    return "/documents/" + quote(document_id, safe="/") + "/source" + (f"#page={pdf_page}" if pdf_page else "")


templates = make_templates()


def _date_label(value) -> str:
    try:
        return long_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


# ------------------------------------------------------------------ view models

def site_base(request: Request) -> str:
    """The site's own address, without a trailing slash, for links that leave the page (a copied citation)."""
    return str(request.base_url).rstrip("/")


def citation_cards(index: Index, results: list[dict], member: bool, first: int = 1, base: str = "") -> list[dict]:
    """Cards for results in the result contract (search results or an answer's citations),
    numbered from ``first``; ``base`` (the site's address) makes the copied citation's link whole."""
    links = browse.chunk_links(index, [r["id"] for r in results], include_restricted=member)
    withheld = browse.withheld_files(index, include_restricted=member)
    cards = []
    for n, r in enumerate(results, start=first):
        link = links.get(r["id"], {})
        item = r.get("item") or {}
        src = r.get("source") or {}
        label = link.get("label") or (("Minute " if r.get("doc_type") == "minutes" else "Item ")
                                      + item["number"] if item.get("number") else "")
        cards.append({
            "n": n, "id": r["id"], "committee": r.get("committee", ""), "date": r.get("meeting_date", ""),
            "date_label": _date_label(r.get("meeting_date")), "label": label, "title": item.get("title", ""),
            "pages": page_label(src.get("page_start"), src.get("page_end")),
            "doc_type": DOC_TYPE_LABELS.get(r.get("doc_type", ""), r.get("doc_type", "")),
            "text": r.get("text_clean") or clean_text(r.get("text", "")), "citation": (r.get("citation") or {}).get("text", ""),
            "restricted": bool(r.get("restricted")),
            "cite_copy": ((r.get("citation") or {}).get("text", "")
                     + (f". {base}{r['url']}" if r.get("url") else "")),
            "href": item_href(link["item_id"], r["id"]) if link else None,
            # the document opened at the cited page: the council's page when the result carries one
            "page_href": src.get("page_url") or (item_href(link["item_id"], r["id"]) if link else None),
            "meeting_href": meeting_href(link["meeting_id"]) if link else None,
            "source_href": source_href(link["document_id"], link.get("pdf_page"))
            if link and link["path"] not in withheld else None,
            **council_link(src.get("url"), src.get("page_url"), link.get("pdf_page"), src.get("page_start")),
        })
    return cards


_MARKER = re.compile(r"\[(\d{1,3})\]")


def answer_html(text: str, n_citations: int) -> Markup:
    """Escape the answer, then turn each [n] marker into a link to citation card n."""
    escaped = str(escape(text))

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        if 1 <= n <= n_citations:
            return f'<a href="#cite-{n}" class="marker" aria-label="source {n}">[{n}]</a>'
        return m.group(0)

    return Markup(_MARKER.sub(link, escaped))


_STORY_BREAK = re.compile(r"(?<=\])\s+(?=\d{1,2} [A-Z][a-z]+ \d{4}, [a-z])")


def answer_lines(text: str, n_citations: int) -> list[Markup]:
    """A story answer ("28 November 2019, recommended: ... [1] 9 January 2020, planned: ... [2]")
    as one line per dated step; any other answer as one paragraph."""
    return [answer_html(part, n_citations) for part in _STORY_BREAK.split(text) if part.strip()]


def timeline_rows(index: Index, entries, member: bool) -> list[dict]:
    rows = []
    for e in entries or []:
        if not isinstance(e, dict):
            continue
        cit = e.get("citation")
        chunk = e.get("id") or e.get("chunk_id") or (cit.get("id") if isinstance(cit, dict) else None)
        if isinstance(cit, dict):
            cit = cit.get("text", "")
        code = e.get("kind", "")
        listed = code == "response" and "response" in e and not e["response"]  # on a tracker, no response yet
        rows.append({"date": e.get("meeting_date", ""), "date_label": _date_label(e.get("meeting_date")),
                     "code": code, "kind": "Listed as outstanding" if listed else KIND_LABELS.get(
                         code, code.replace("_", " ").capitalize()),
                     "text": pages.prose_dates(e.get("text", "")), "citation": cit or "", "chunk": chunk,
                     # a recommendation in a timeline links to its own page (what happened to it)
                     "record_href": rec_href(e["record_id"])
                     if e.get("kind") == "recommendation" and e.get("record_id") else None})
    links = browse.chunk_links(index, [r["chunk"] for r in rows if r["chunk"]], include_restricted=member)
    for r in rows:
        link = links.get(r["chunk"] or "")
        r["href"] = item_href(link["item_id"], r["chunk"]) if link else None
        r.update(council_link(link.get("url"), link.get("page_url"), link.get("pdf_page"), None) if link
                 else council_link(None, None, None, None))
    return rows


def minute_label(rec: dict) -> str:
    """"Minute 25, point 2" (or "Minute 25" for a single resolution)."""
    return f"Minute {rec['minute']}" + (f", point {rec['point']}" if rec.get("point") else "")


def recommendation_rows(recs: list[dict], index: Index) -> list[dict]:
    rows = []
    for r in recs:
        status, due = pages_recs.shown_status(r, index)
        rows.append({"id": r["id"], "href": rec_href(r["id"]), "label": minute_label(r), "title": r["minute_title"],
                     "committee": r["committee"], "date": r["meeting_date"],
                     "date_label": _date_label(r["meeting_date"]), "text": r["text"], "addressee": r["addressee"],
                     "status": status, "overdue_note": pages_recs.overdue_note(r, index, due),
                     "follow_ups": len(r["follow_ups"])})
    return rows


def _page(request: Request, name: str, ctx: dict, status_code: int = 200) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    base = {"member_enabled": bool(settings.member_token), "member": False}
    return templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status_code)


# ------------------------------------------------------------------ pages

@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def home(
    request: Request,
    q: str | None = None,
    mode: str = "search",
    committee: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    doc_type: str | None = None,
    sort: str = "relevance",
    offset: str | None = None,
    index: Index = Depends(get_index),
    settings: Settings = Depends(get_settings),
    member: bool = Depends(is_member),
) -> HTMLResponse:
    mode = "ask" if mode == "ask" else "search"
    form = {"q": q or "", "mode": mode, "committee": committee or "", "date_from": date_from or "",
            "date_to": date_to or "", "doc_type": doc_type or "", "sort": sort or "relevance"}
    ctx = {"form": form, "committees": browse.committees(index), "doc_types": DOC_TYPES,
           "member": member, "error": None, "cards": None, "answer": None, "timeline": [], "paging": None,
           "coverage": pages.coverage(index, member) if q is None else None}
    status = 200
    if q is not None:  # the form was submitted (an empty box is an error to show)
        try:
            filters = make_filters(committee, date_from, date_to, doc_type, member, index)
            if mode == "ask":
                limit_asks(request)  # RateLimited: a 429 page saying when to try again
                ans = answer_mod.ask(index, q, filters, settings)
                answered = bool(ans.get("answered"))
                # a refusal shows the closest passages, "related, not an answer"
                ctx["cards"] = citation_cards(index, ans.get("citations" if answered else "related") or [], member,
                                               base=site_base(request))
                ctx["answer"] = {"answered": answered, "text": ans.get("answer") or "",
                                 "html": answer_html(ans.get("answer") or "", len(ctx["cards"])),
                                 "lines": answer_lines(ans.get("answer") or "", len(ctx["cards"])) if answered else []}
                ctx["timeline"] = timeline_rows(index, ans.get("timeline"), member)
            else:
                page = items_mod.search_items(index, q, RESULTS_PER_PAGE, pages_search.page_offset(offset), filters,
                                              search_mod.RetrievalConfig.from_settings(settings), form["sort"])
                cards = citation_cards(index, pages_search.result_dicts(index, page), member, first=page.offset + 1,
                                       base=site_base(request))
                ctx["cards"] = pages_search.mark_cards(cards, page, item_href)
                ctx["paging"] = pages_search.paging(form, page)
                ctx["filters_set"] = items_mod.filters_named(filters)
                ctx["no_filters_href"] = pages_search.search_href({"q": form["q"], "sort": form["sort"]})
        except BadQuery as exc:
            ctx["error"] = {"field": exc.field, "message": exc.reason}
            status = 422
    return _page(request, "index.html", ctx, status)


@router.api_route("/view/meetings", methods=["GET", "HEAD"], response_class=HTMLResponse)
def meetings_page(request: Request, index: Index = Depends(get_index), member: bool = Depends(is_member)):
    ms = browse.list_meetings(index, include_restricted=member)
    return _page(request, "meetings.html", {"meetings": ms, "member": member})


@router.api_route("/view/meetings/{meeting_id:path}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def meeting_page(request: Request, meeting_id: str, index: Index = Depends(get_index),
                 member: bool = Depends(is_member)):
    m = browse.get_meeting(index, meeting_id, include_restricted=member)
    withheld = browse.withheld_files(index, include_restricted=member)
    for d in m["documents"]:
        d["href"] = source_href(d["id"], d["pdf_page_start"]) if d["path"] not in withheld else None
        d.update(council_link(d["url"], d["url"], None, None))
    return _page(request, "meeting.html", {"m": m, "member": member, **pages.meeting_extras(m)})


@router.api_route("/view/items/{item_id:path}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def item_page(request: Request, item_id: str, highlight: str | None = None,
              index: Index = Depends(get_index), member: bool = Depends(is_member)):
    it = browse.get_item(index, item_id, include_restricted=member, highlight=highlight or None)
    hl = it["highlight"]
    withheld = browse.withheld_files(index, include_restricted=member)
    for n, s in enumerate(it["sections"]):
        s["source_href"] = (source_href(s["document_id"], s["pdf_page_start"])
                            if s["document_id"] and s["path"] not in withheld else None)
        at_hl = hl and hl["section"] == n and hl.get("pdf_page")
        s.update(council_link(s["url"], hl["page_url"] if at_hl else s["page_url"],
                              hl["pdf_page"] if at_hl else s["pdf_page_start"],
                              hl["page_start"] if at_hl else s["page_start"]))
        if hl and hl["section"] == n:
            t = s["text"]
            s["parts"] = (clean_text(t[:hl["start"]]), clean_text(t[hl["start"]:hl["end"]]), clean_text(t[hl["end"]:]))
        else:
            s["parts"] = (clean_text(s["text"]), None, None)  # page text as read: conversion debris dropped
    return _page(request, "item.html", {"it": it, "member": member, **pages.item_extras(index, it, member)})


@router.api_route("/view/recommendations", methods=["GET", "HEAD"], response_class=HTMLResponse)
def recommendations_page(request: Request, q: str | None = None, status: str | None = None,
                         committee: str | None = None, index: Index = Depends(get_index),
                         member: bool = Depends(is_member)):
    """Every record (oldest first), or those matching ?q= (best first); ?status= and ?committee= filter."""
    q, status, committee = (q or "").strip(), (status or "").strip(), (committee or "").strip()
    ctx = {"q": q, "status": status, "committee": committee, "member": member, "error": None, "recs": [],
           "limit": RECOMMENDATIONS_PER_PAGE, "key": [], "statuses": pages_recs.STATUS_KEY,
           "committees": browse.committees(index)}
    try:
        if q:
            check_query(q, 1)
        if status and status not in pages_recs.FILTERS:
            raise BadQuery("status", f"There is no status {status!r}; choose one of: " + ", ".join(pages_recs.FILTERS))
        if committee and committee not in ctx["committees"]:
            raise BadQuery("committee", f"The index holds no committee {committee!r}; it holds: "
                           + "; ".join(ctx["committees"]))
        # with their later discussion, so each record's follow-ups are the ones its page shows
        recs = recs_mod.find_recommendations(index, q, include_restricted=member, limit=RECOMMENDATIONS_PER_PAGE,
                                             with_discussed=True)
        rows = recommendation_rows(recs, index)
        ctx["key"] = pages_recs.status_counts(pages_recs.filter_recs(rows, "", committee))
        for k in ctx["key"]:
            k["href"] = pages_recs.filter_href(q, k["status"], committee)
        ctx["recs"] = pages_recs.filter_recs(rows, status, committee)
        ctx["total"] = len(rows)
    except BadQuery as exc:
        ctx["error"] = {"field": exc.field, "message": exc.reason}
        return _page(request, "recommendations.html", ctx, 422)
    return _page(request, "recommendations.html", ctx)


@router.api_route("/view/recommendations/{rec_id:path}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def recommendation_page(request: Request, rec_id: str, index: Index = Depends(get_index),
                        member: bool = Depends(is_member)):
    rec = recs_mod.recommendation(index, rec_id, include_restricted=member)
    cit = rec.get("citation")  # a citation object: its passage is its quote
    cards = (citation_cards(index, [{**cit, "text": cit.get("quote") or "", "citation": cit}], member,
                            base=site_base(request)) if cit else [])
    # the library gives the timeline oldest first; sorting (stably) here keeps the page right regardless
    timeline = sorted(timeline_rows(index, rec["timeline"], member), key=lambda t: t["date"])
    shown, due = pages_recs.shown_status(rec, index)
    return _page(request, "recommendation.html", {"rec": rec, "label": minute_label(rec), "status": shown,
                                                  "overdue_note": pages_recs.overdue_note(rec, index, due),
                                                  "key": pages_recs.STATUS_KEY,
                                                  "date_label": _date_label(rec["meeting_date"]),
                                                  "card": cards[0] if cards else None,
                                                  "timeline": timeline, "member": member})


def _member_form(request: Request, member: bool, error: str | None, status_code: int = 200) -> HTMLResponse:
    """The sign-in (or sign-out) page, its forms carrying this browser's CSRF token."""
    token = csrf_token(request)
    page = _page(request, "member.html", {"member": member, "error": error, "csrf": token}, status_code=status_code)
    set_csrf_cookie(request, page, token)
    return page


def _csrf_refused(request: Request, exc: CsrfRejected) -> HTMLResponse:
    log.warning("member form refused: %s", exc)
    return _page(request, "error.html", {"title": "Not available", "status": 403,
                                         "message": f"The form was not accepted: {exc}. Open the sign-in page "
                                                    "again and send it from there."}, status_code=403)


@router.get("/member", response_class=HTMLResponse)
def member_page(request: Request, member: bool = Depends(is_member)):
    return _member_form(request, member, None)


@router.post("/member", response_class=HTMLResponse)
def member_sign_in(request: Request, token: str = Form(""), csrf: str = Form(""),
                   settings: Settings = Depends(get_settings)):
    try:
        check_csrf(request, csrf)
    except CsrfRejected as exc:
        return _csrf_refused(request, exc)
    if not token_matches(token.strip(), settings):
        msg = ("Member access is not enabled on this server." if not settings.member_token
               else "That token is not right. Check it and try again.")
        return _member_form(request, False, msg, status_code=401)
    resp = RedirectResponse("/", status_code=303)
    resp.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict", path="/", secure=is_https(request))
    return resp


@router.post("/member/signout", response_class=HTMLResponse)
def member_sign_out(request: Request, csrf: str = Form("")):
    try:
        check_csrf(request, csrf)
    except CsrfRejected as exc:
        return _csrf_refused(request, exc)
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=is_https(request))
    return resp
