"""GET /search as agenda items (total, offset, k, sort, hint), the strict parameters of every JSON
route, the one error shape, and the search page's cards, paging and marks (in-process)."""

from __future__ import annotations

import re
from html import unescape

import pytest

BOARD = "Education and Children's Services Scrutiny Board (2)"
Q = "social worker retention"


def _problem(r, status: int = 422) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert set(body) == {"type", "title", "status", "detail", "field", "errors"}
    assert body["errors"] and all(set(e) == {"loc", "msg", "type"} for e in body["errors"])
    return body


# ---------------------------------------------------------------- items, counts, pages

def test_search_gives_each_item_once_with_its_ids_and_url(api_client):
    body = api_client.get("/search", params={"q": Q, "k": 20}).json()
    ids = [r["item_id"] for r in body["results"]]
    assert len(ids) == len(set(ids)) and body["total"] >= len(ids)
    for r in body["results"]:
        assert r["url"] == f"/view/items/{r['item_id']}?highlight={r['id']}"
        assert r["document_id"] and r["meeting_id"] and r["passages"] == r["more_passages"] + 1
        assert r["citation"]["item_id"] == r["item_id"] and r["citation"]["text"].startswith(r["committee"])
        for a, b in r["marks"]:
            assert r["text"][a:b].lower()[:5] in ("socia", "worke", "reten")


def test_offset_and_k_page_through_the_items(api_client):
    whole = api_client.get("/search", params={"q": "children", "k": 12}).json()
    a = api_client.get("/search", params={"q": "children", "k": 6}).json()
    b = api_client.get("/search", params={"q": "children", "k": 6, "offset": 6}).json()
    assert a["total"] == b["total"] == whole["total"] > 12
    assert [r["id"] for r in a["results"] + b["results"]] == [r["id"] for r in whole["results"]]
    assert b["offset"] == 6 and b["k"] == 6


def test_sort_by_date_is_newest_first(api_client):
    body = api_client.get("/search", params={"q": "social workers", "k": 20, "sort": "date"}).json()
    dates = [r["meeting_date"] for r in body["results"]]
    assert body["sort"] == "date" and dates == sorted(dates, reverse=True)


def test_gibberish_returns_nothing_with_a_hint(api_client):
    body = api_client.get("/search", params={"q": "xqzvbl blorfen"}).json()
    assert body["results"] == [] and body["total"] == 0 and "Try other" in body["hint"]
    body = api_client.get("/search", params={"q": "xqzvbl blorfen", "doc_type": "minutes"}).json()
    assert body["total"] == 0 and "doc_type=minutes" in body["hint"] and "removing" in body["hint"]


# ---------------------------------------------------------------- strict parameters, one error shape

@pytest.mark.parametrize("url,names", [
    ("/search?q=x&bogus=1", ["bogus"]),
    ("/search?q=x&comittee=a&sortby=date", ["comittee", "sortby"]),
    ("/meetings?committe=x", ["committe"]),
    ("/health?verbose=1", ["verbose"]),
    ("/recommendations?query=x", ["query"]),
    (f"/items/{'education-and-childrens-services-scrutiny-board-2'}/2019-11-28/minute-25?hilite=x", ["hilite"]),
])
def test_unknown_query_parameters_are_named_with_the_accepted_ones(api_client, url, names):
    body = _problem(api_client.get(url))
    assert [e["loc"] for e in body["errors"]] == [["query", n] for n in names]
    assert all(e["type"] == "extra_forbidden" for e in body["errors"])
    path = url.split("?")[0]
    accepted = {"/search": "q, k, offset, sort, committee, date_from, date_to, doc_type", "/meetings": "committee",
                "/health": "none", "/recommendations": "q, limit, discussed"}.get(path, "highlight")
    assert all(e["msg"].endswith("it accepts: " + accepted) for e in body["errors"]), body["errors"]
    assert body["field"] == names[0] and names[0] in body["detail"]


def test_ask_with_q_says_use_question(api_client):
    body = _problem(api_client.post("/ask", json={"q": "what happened to the libraries review?"}))
    [extra] = [e for e in body["errors"] if e["type"] == "extra_forbidden"]
    assert extra["loc"] == ["body", "q"] and "use `question`" in extra["msg"]
    assert "question, committee, date_from, date_to, doc_type" in extra["msg"]
    assert body["field"] == "q" and body["detail"].startswith("q: is not a field of this body: use `question`")
    assert ["body", "question"] in [e["loc"] for e in body["errors"]]  # and it is still missing
    body = _problem(api_client.post("/ask", json={"question": "libraries?", "colour": "red"}))
    assert body["errors"][0]["loc"] == ["body", "colour"] and "it takes: question" in body["errors"][0]["msg"]


def test_unknown_committee_lists_the_committees_held(api_client):
    for r in (api_client.get("/search", params={"q": "libraries", "committee": "Planning"}),
              api_client.get("/meetings", params={"committee": "Planning"}),
              api_client.post("/ask", json={"question": "libraries?", "committee": "Planning"})):
        body = _problem(r)
        assert body["field"] == "committee" and "'Planning'" in body["detail"]
        assert BOARD in body["errors"][0]["msg"] and "Audit and Procurement Committee" in body["errors"][0]["msg"]
    # part of a name still filters
    assert api_client.get("/search", params={"q": "libraries", "committee": "audit"}).status_code == 200


def test_validation_errors_list_every_field(api_client):
    body = _problem(api_client.get("/search", params={"k": 0, "offset": -1}))
    assert [e["loc"] for e in body["errors"]] == [["query", "q"], ["query", "k"], ["query", "offset"]]
    assert body["errors"][0]["type"] == "missing"
    body = _problem(api_client.get("/search", params={"q": "x", "sort": "oldest"}))
    assert body["errors"] == [{"loc": ["query", "sort"], "msg": "sort must be one of: relevance, date (got 'oldest')",
                               "type": "value_error"}]


@pytest.mark.parametrize("url,status", [("/items/none/such", 404), ("/no-such-endpoint", 404),
                                        ("/recommendations/nope", 404)])
def test_other_errors_have_the_same_shape(api_client, url, status):
    body = _problem(api_client.get(url), status)
    assert body["errors"] == [{"loc": [], "msg": body["detail"], "type": "not_found"}]


def test_the_web_pages_stay_lenient(api_client):
    """Strictness is for the JSON API; the pages ignore what they do not use (utm_ links and the like)."""
    assert api_client.get("/", params={"q": "libraries", "utm_source": "mail"}).status_code == 200


# ---------------------------------------------------------------- the search page

def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_search_page_shows_results_11_to_20_with_links_keeping_the_filters(api_client):
    total = api_client.get("/search", params={"q": "children", "k": 1, "committee": BOARD}).json()["total"]
    assert total > 20
    r = api_client.get("/", params={"q": "children", "committee": BOARD, "offset": 10})
    assert r.status_code == 200
    assert f"Results 11–20 of {total} for “children”" in _text(r.text)
    prev = re.search(r'<a href="([^"]+)" rel="prev"', r.text).group(1)
    nxt = re.search(r'<a href="([^"]+)" rel="next"', r.text).group(1)
    assert unescape(prev) == "/?q=children&committee=Education+and+Children%27s+Services+Scrutiny+Board+%282%29"
    assert unescape(nxt) == prev.replace("&amp;", "&") + "&offset=20"
    assert '<ol class="cards" start="11">' in r.text and 'id="cite-11"' in r.text


def test_search_page_marks_the_query_words_escaped(api_client):
    r = api_client.get("/", params={"q": Q})
    assert "<mark>retention</mark>" in r.text.lower() or "<mark>retention</mark>" in r.text
    assert re.search(r"<mark>[Ss]ocial</mark>", r.text)
    # a query of markup is text, never markup
    r = api_client.get("/", params={"q": "<b>social</b> workers"})
    assert "<b>social</b>" not in r.text and "&lt;b&gt;social&lt;/b&gt;" in r.text


def test_search_page_says_when_nothing_matches_and_offers_the_search_without_filters(api_client):
    r = api_client.get("/", params={"q": "xqzvbl blorfen", "doc_type": "minutes"})
    text = _text(r.text)
    assert "Nothing matches “xqzvbl blorfen”" in text and "You set filters (doc_type=minutes)" in text
    assert 'href="/?q=xqzvbl+blorfen">the same search without filters</a>' in r.text
    r = api_client.get("/", params={"q": "xqzvbl blorfen"})
    assert "Try other or fewer words" in _text(r.text) and "without filters" not in r.text


def test_each_card_has_more_passages_and_a_citation_to_copy(api_client):
    r = api_client.get("/", params={"q": Q})
    copies = re.findall(r'<textarea id="copy-\d+" class="copy-cite-text" readonly rows="3" cols="32">([^<]+)</textarea>',
                        r.text)
    assert copies and all(unescape(c).startswith(BOARD) for c in copies)
    assert all("http://testserver/view/items/" in c for c in copies)
    assert re.search(r"\d+ more passages? in this item", _text(r.text))
