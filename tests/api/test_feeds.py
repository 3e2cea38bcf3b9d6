"""The Atom feeds (api/feeds.py): read as a feed reader reads them (feedparser), checked against
the elements RFC 4287 requires (lxml), never showing restricted papers, and refusing bad input
with the API's problem+json. Also the search page's links to its feed and its error summary."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree

A = "{http://www.w3.org/2005/Atom}"
ATOM = "application/atom+xml"
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")  # an absolute IRI: a scheme, then no spaces
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
BOARD = "Education and Children's Services Scrutiny Board (2)"
AUDIT = "Audit and Procurement Committee"
SECRET = ("Zephyrine", "four million pounds", "not for publication")  # only the restricted report says these


def check_atom(xml: bytes) -> etree._Element:
    """The elements RFC 4287 requires (4.1.1, 4.1.2), one each where it says one, ids as absolute
    IRIs (4.2.6), dates as RFC 3339 (3.3), an alternate link where an entry has no content."""
    root = etree.fromstring(xml)
    assert root.tag == A + "feed"

    def one(el, name):
        found = el.findall(A + name)
        assert len(found) == 1, (name, len(found))
        assert (found[0].text or "").strip() or name == "link", name
        return found[0]

    for name in ("id", "title", "updated"):
        one(root, name)
    for name in ("generator", "icon", "logo", "rights", "subtitle"):  # at most one each
        assert len(root.findall(A + name)) <= 1, name
    assert IRI.match(root.findtext(A + "id")), root.findtext(A + "id")
    assert RFC3339.match(root.find(A + "updated").text)
    for text in root.iter(A + "title", A + "subtitle", A + "summary"):
        assert text.get("type", "text") in ("text", "html", "xhtml")
    # atom:feed needs an author unless every entry has one
    entries = root.findall(A + "entry")
    assert root.findall(A + "author/" + A + "name") or all(e.findall(A + "author") for e in entries)
    self_links = [ln for ln in root.findall(A + "link") if ln.get("rel") == "self"]
    assert len(self_links) == 1 and self_links[0].get("type") == ATOM
    ids = []
    for e in entries:
        for name in ("id", "title", "updated"):
            one(e, name)
        assert RFC3339.match(e.find(A + "updated").text)
        assert IRI.match(e.findtext(A + "id")), e.findtext(A + "id")
        assert all(c.get("term") for c in e.findall(A + "category"))
        alternates = [ln for ln in e.findall(A + "link") if ln.get("rel", "alternate") == "alternate"]
        # no atom:content, so an alternate link is required; at most one per type and language
        assert len(alternates) == 1 and alternates[0].get("href", "").startswith("http")
        assert (e.findtext(A + "summary") or "").strip()
        ids.append(e.findtext(A + "id"))
    assert len(ids) == len(set(ids)), "entry ids repeat"
    return root


def read_feed(r):
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith(ATOM)
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed, check_atom(r.content)


def test_search_feed_is_atom_with_the_newest_items_first(api_client):
    parsed, root = read_feed(api_client.get("/feeds/search.atom", params={"q": "social worker retention"}))
    entries = parsed.entries
    assert len(entries) >= 3
    dates = [e.updated_parsed for e in entries]
    assert dates == sorted(dates, reverse=True)  # newest meeting first
    assert parsed.feed.updated_parsed == dates[0]
    items = [urlsplit(e.link).path for e in entries]
    assert len(items) == len(set(items))  # one entry per agenda item, not per passage
    for e in entries:
        assert e.link.startswith("http://testserver/view/items/")
        assert re.search(r"^(Minute|Item) \S+: .+ – .+, \d{1,2} [A-Z][a-z]+ \d{4}$", e.title) or " – " in e.title
        assert e.id.startswith("urn:council-papers:item:")
        assert e.summary and len(e.summary) <= 602
        assert re.search(r"social", e.summary + e.title, re.I)
        page = api_client.get(urlsplit(e.link).path + "?" + urlsplit(e.link).query)
        assert page.status_code == 200 and '<mark id="hl"' in page.text
    minute25 = next(e for e in entries if e.link.split("?")[0].endswith("/2019-11-28/minute-25"))
    assert minute25.title == ("Minute 25: Children's Services Improvement – "
                              "Education and Children's Services Scrutiny Board (2), 28 November 2019")
    assert minute25.updated == "2019-11-28T00:00:00+00:00"
    self_link = root.find(A + "link[@rel='self']").get("href")
    assert self_link == "http://testserver/feeds/search.atom?q=social+worker+retention"


def test_search_feed_ids_are_stable(api_client):
    a = api_client.get("/feeds/search.atom", params={"q": "library opening hours"}).content
    b = api_client.get("/feeds/search.atom", params={"q": "library  opening hours "}).content
    ids = lambda x: [e.findtext(A + "id") for e in etree.fromstring(x).findall(A + "entry")]  # noqa: E731
    assert ids(a) and ids(a) == ids(b)


def test_search_feed_of_a_committee(api_client):
    parsed, _ = read_feed(api_client.get("/feeds/search.atom", params={"q": "library", "committee": AUDIT}))
    assert parsed.entries and {e.tags[0].term for e in parsed.entries} == {AUDIT}
    assert AUDIT in parsed.feed.title
    parsed, _ = read_feed(api_client.get("/feeds/search.atom", params={"q": "library", "committee": "audit"}))
    assert parsed.entries  # part of a name, as the search filter takes it


def test_a_query_with_no_match_is_an_empty_valid_feed(api_client):
    parsed, root = read_feed(api_client.get("/feeds/search.atom", params={"q": "zzqxv wibblefrotz"}))
    assert parsed.entries == [] and root.findall(A + "entry") == []
    assert parsed.feed.title and parsed.feed.id and parsed.feed.updated


def test_meetings_feed_is_atom_newest_first(api_client):
    parsed, _ = read_feed(api_client.get("/feeds/meetings.atom"))
    meetings = api_client.get("/meetings").json()["meetings"]
    assert len(parsed.entries) == min(30, len(meetings))
    assert [urlsplit(e.link).path for e in parsed.entries] == [
        "/view/meetings/" + m["id"].replace("'", "%27") for m in meetings[:30]]
    first = parsed.entries[0]
    assert first.title == f"{meetings[0]['committee']}, {meetings[0]['date_label']}"
    assert first.updated.startswith(meetings[0]["date"]) and re.match(r"\d+ items?, \d+ documents?\. ", first.summary)
    assert api_client.get(urlsplit(first.link).path).status_code == 200
    parsed, _ = read_feed(api_client.get("/feeds/meetings.atom", params={"committee": AUDIT}))
    assert [e.title for e in parsed.entries] == [f"{AUDIT}, 3 February 2020"]


@pytest.mark.parametrize("headers", [{}, "member"])
def test_restricted_papers_never_appear_in_a_feed(api_client, api_member_headers, headers):
    headers = api_member_headers if headers == "member" else {}
    # the member can find the restricted report by searching, so the feed has something to leave out
    found = api_client.get("/search", params={"q": "Zephyrine bus depot", "k": 50}, headers=api_member_headers).json()
    assert any(r["restricted"] and "Zephyrine" in r["text"] for r in found["results"])
    for url, params in [("/feeds/search.atom", {"q": "Zephyrine"}), ("/feeds/search.atom", {"q": "sale of the old bus depot"}),
                        ("/feeds/search.atom", {"q": "old bus depot", "committee": AUDIT}),
                        ("/feeds/meetings.atom", {}), ("/feeds/meetings.atom", {"committee": AUDIT})]:
        r = api_client.get(url, params=params, headers=headers)
        _, root = read_feed(r)
        shown = " ".join(etree.tostring(e, encoding="unicode") for e in root.findall(A + "entry")).lower()
        for words in SECRET:  # (the feed's own title repeats the query)
            assert words.lower() not in shown, (url, params, words)
    audit = feedparser.parse(api_client.get("/feeds/meetings.atom", params={"committee": AUDIT}).content).entries[0]
    assert "Library Opening Hours" in audit.summary and "Item 4" not in audit.summary  # the Part B item
    assert audit.summary.startswith("4 items, 2 documents.")


def test_a_wrong_bearer_token_does_not_break_a_feed(api_client):
    r = api_client.get("/feeds/meetings.atom", headers={"Authorization": "Bearer stale"})
    read_feed(r)


@pytest.mark.parametrize("url, params, field, words", [
    ("/feeds/search.atom", {"q": "library", "colour": "red"}, "colour", "it accepts: q, committee"),
    ("/feeds/search.atom", {"query": "library"}, "query", "it accepts: q, committee"),
    ("/feeds/search.atom", {"q": ""}, "q", "the query is empty"),
    ("/feeds/search.atom", {"q": "   "}, "q", "the query is empty"),
    ("/feeds/search.atom", {"q": "x" * 2100}, "q", "keep it under 2000"),
    ("/feeds/search.atom", {"q": "library", "committee": "Planning"}, "committee", AUDIT),
    ("/feeds/meetings.atom", {"committee": "Planning"}, "committee", "it holds: Audit and Procurement Committee; "),
    ("/feeds/meetings.atom", {"limit": "5"}, "limit", "it accepts: committee"),
])
def test_bad_feed_parameters_are_a_clear_422(api_client, url, params, field, words):
    r = api_client.get(url, params=params)
    assert r.status_code == 422, r.text[:300]
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["field"] == field and words in problem["detail"], problem


def test_feeds_answer_head(api_client):
    r = api_client.head("/feeds/search.atom", params={"q": "library"})
    assert r.status_code == 200 and r.headers["content-type"].startswith(ATOM)
    assert api_client.head("/feeds/meetings.atom").status_code == 200


def test_feeds_are_in_the_openapi_schema(api_client):
    spec = api_client.get("/openapi.json").json()
    for path in ("/feeds/search.atom", "/feeds/meetings.atom"):
        op = spec["paths"][path]["get"]
        assert op["tags"] == ["feeds"] and op["summary"]
        assert ATOM in op["responses"]["200"]["content"] and "422" in op["responses"]
        assert "restricted" in op["description"].lower()
    names = [p["name"] for p in spec["paths"]["/feeds/search.atom"]["get"]["parameters"]]
    assert names == ["q", "committee"]


# ---------------------------------------------------------------- the search page's feed link

class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alternates, self.links, self.alerts, self._a = [], [], [], None
        self.ids: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids[a["id"]] = {"tag": tag, **a}
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates.append(a)
        if tag == "a":
            self._a = [a.get("href"), ""]
        if a.get("role") == "alert":
            self.alerts.append(a)

    def handle_data(self, data):
        if self._a is not None:
            self._a[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._a is not None:
            self.links.append((self._a[0], self._a[1].strip()))
            self._a = None


def _parse(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    return p


def test_every_search_page_links_its_feed(api_client):
    r = api_client.get("/", params={"q": "library opening hours", "committee": AUDIT})
    page = _parse(r.text)
    feeds = [a["href"] for a in page.alternates if a.get("type") == ATOM]
    assert feeds[0] == "/feeds/search.atom?q=library+opening+hours&committee=Audit+and+Procurement+Committee"
    assert "/feeds/meetings.atom" in feeds
    follow = [h for h, text in page.links if text == "Follow this search"]
    assert follow == [feeds[0]]
    parsed, _ = read_feed(api_client.get(follow[0]))
    assert parsed.entries and "library opening hours" in parsed.feed.title
    # no feed for a question, an error or the empty form
    for params in ({"q": "what happened to the libraries?", "mode": "ask"}, {"q": ""}, {}):
        html = api_client.get("/", params=params).text
        assert "Follow this search" not in html and "/feeds/search.atom" not in html, params


# ---------------------------------------------------------------- the error summary

@pytest.mark.parametrize("params, field, words", [
    ({"q": ""}, "q", "the query is empty"),
    ({"q": "x" * 2100}, "q", "keep it under 2000"),
    ({"q": "library", "date_from": "2020-02-30"}, "date_from", "is not a date"),
    ({"q": "library", "date_to": "tomorrow"}, "date_to", "is not a date"),
    ({"q": "library", "doc_type": "memo"}, "doc_type", "unknown document type"),
])
def test_form_errors_have_a_summary_linking_to_the_field(api_client, params, field, words):
    r = api_client.get("/", params=params)
    assert r.status_code == 422
    html = r.text
    page = _parse(html)
    assert len(page.alerts) == 1 and page.alerts[0]["class"] == "error-summary"
    # the summary comes first in main, before the page's heading
    assert html.index('class="error-summary"') < html.index("<h1>")
    assert re.search(r'<h2 id="error-summary-title">There is a problem</h2>', html)
    assert [(h, t) for h, t in page.links if h == f"#{field}" and words in t]
    # the message again at the field, which points to it
    err = page.ids[f"{field}-error"]
    assert err["class"] == "error-message" and words in html[html.index(f'id="{field}-error"'):][:400]
    control = page.ids[field]
    assert control.get("aria-invalid") == "true" and f"{field}-error" in control["aria-describedby"].split()
    assert html.count('aria-invalid="true"') == 1
    assert 'class="filters-box" open' in html  # a filter at fault is not folded away
