"""The recommendations tracker over HTTP: GET /recommendations, /recommendations/{id} and their pages.

Most tests use the corpus fixture index (conftest's api_client). Restricted records need minutes
that are restricted, which that index has none of, so a small index of two Licensing Committee
minutes (one marked restricted with a ``.restricted`` sidecar, as README "Marking papers
private" describes) is built here; its points also carry markup, to check escaping.
"""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.answer import ask as answer_mod
from indexer.answer.recommendations import find_recommendations, recommendation
from indexer.embed.hashing import HashEmbedder
from indexer.store.index import Index
from indexer.common.settings import Settings

from tests.conftest import API_MEMBER_TOKEN, api_build_index

BOARD = "education-and-childrens-services-scrutiny-board-2"
MIN25 = f"{BOARD}/2019-11-28/minute-25/point-2"  # the social worker retention recommendation
CARERS = f"{BOARD}/2017-07-13/minute-7/point-2"  # young carers: answered by a briefing note
BRIEFING = "Briefing note sent to Cabinet Members on 18/8/17"
RECORD_KEYS = {"id", "meeting_id", "meeting_date", "committee", "minute", "minute_title", "point", "text", "lead_in",
               "addressee", "is_recommendation", "status", "citation", "follow_ups", "timeline"}
STATUSES = {"responded", "scheduled", "discussed", "outstanding", "no trace found"}


def _rec(body: dict, rec_id: str) -> dict:
    found = [r for r in body["recommendations"] if r["id"] == rec_id]
    assert found, [r["id"] for r in body["recommendations"]]
    return found[0]


CITATION_KEYS = {"text", "committee", "meeting_date", "item", "pages", "id", "item_id", "meeting_id", "document_id",
                 "doc_type", "url", "source", "quote", "restricted"}


def _check_citation(entry: dict) -> None:
    """A timeline entry's citation is the citation object a /search result carries, of the entry's
    meeting, with the cited passage as its quote."""
    cit = entry["citation"]
    assert set(cit) == CITATION_KEYS, entry
    assert set(cit["item"]) == {"number", "title"}
    assert set(cit["source"]) == {"path", "published_for", "page_start", "page_end", "ocr", "url", "page_url"}
    assert cit["meeting_date"] == entry["meeting_date"], entry
    assert cit["url"] == f"/view/items/{cit['item_id']}?highlight={cit['id']}" and cit["quote"]
    d = date.fromisoformat(cit["meeting_date"])
    assert cit["text"].startswith(f"{cit['committee']}, {d.day} {d:%B %Y}, "), cit["text"]


# ---------------------------------------------------------------- GET /recommendations

def test_social_worker_retention_recommendation_with_its_timeline(api_client):
    r = api_client.get("/recommendations", params={"q": "social worker retention"})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "social worker retention"
    rec = _rec(body, MIN25)
    assert set(rec) == RECORD_KEYS
    assert (rec["meeting_date"], rec["minute"], rec["point"]) == ("2019-11-28", "25", "2")
    assert rec["minute_title"] == "Children's Services Improvement"
    assert rec["text"].startswith("recommend that the Cabinet Member for Children and Young People investigate")
    assert rec["addressee"] == "Cabinet Member for Children and Young People" and rec["is_recommendation"]
    assert rec["status"] in STATUSES
    # the recommendation cites its own minute
    assert rec["citation"]["meeting_date"] == "2019-11-28" and rec["citation"]["item"]["number"] == "25"
    assert "retention of Social Workers in Coventry" in rec["citation"]["quote"]
    tl = rec["timeline"]
    assert tl[0]["kind"] == "recommendation" and tl[0]["record_id"] == MIN25
    assert tl[0]["citation"] == rec["citation"]
    assert [e["meeting_date"] for e in tl] == sorted(e["meeting_date"] for e in tl)
    assert len(tl) == 1 + len(rec["follow_ups"]) >= 2
    for e in tl:
        _check_citation(e)
    # the January 2020 work programme plans "Retention of Social Workers – progress on recommendations"
    [plan] = [e for e in tl if e["kind"] == "scheduled" and e["meeting_date"] == "2020-01-09"]
    assert plan["planned_date"] == "2020-04-02"
    assert "Retention of Social Workers" in plan["text"] and plan["citation"]["doc_type"] == "work_programme"
    # keys an entry lacks stay absent rather than null (the library's shape, unchanged)
    assert all("planned_date" not in e for e in tl if e["kind"] != "scheduled")


def test_the_list_is_the_library_output_unchanged(api_client, api_index):
    body = api_client.get("/recommendations", params={"q": "social worker retention"}).json()
    assert body["recommendations"] == json.loads(json.dumps(find_recommendations(api_index, "social worker retention")))


def test_young_carers_recommendation_was_answered_by_a_briefing_note(api_client):
    rec = _rec(api_client.get("/recommendations", params={"q": "young carers"}).json(), CARERS)
    assert rec["status"] == "responded"
    [resp] = [f for f in rec["follow_ups"] if f["kind"] == "response"]
    assert resp["response"] == BRIEFING and resp["meeting_date"] == "2017-09-14"
    [entry] = [e for e in rec["timeline"] if e["kind"] == "response"]
    assert entry["meeting_date"] == "2017-09-14" and BRIEFING in entry["text"]
    _check_citation(entry)
    assert BRIEFING in entry["citation"]["quote"] and entry["citation"]["doc_type"] == "outstanding_issues"
    assert [e["kind"] for e in rec["timeline"]][:2] == ["recommendation", "response"]


def test_empty_query_lists_every_record_oldest_first(api_client):
    recs = api_client.get("/recommendations").json()["recommendations"]
    assert len(recs) == 38  # every RESOLVED point of the corpus (counted in tests/store/test_tracker.py)
    assert [r["meeting_date"] for r in recs] == sorted(r["meeting_date"] for r in recs)
    assert recs[0]["meeting_date"] == "2017-04-06"
    assert {r["status"] for r in recs} <= STATUSES
    first = api_client.get("/recommendations", params={"limit": 3}).json()["recommendations"]
    assert [r["id"] for r in first] == [r["id"] for r in recs[:3]]


def test_words_nobody_resolved_find_nothing(api_client):
    r = api_client.get("/recommendations", params={"q": "zeppelin tram extension"})
    assert r.status_code == 200 and r.json() == {"query": "zeppelin tram extension", "recommendations": []}


@pytest.mark.parametrize("params, field, words", [
    ({"q": "x" * 2100}, "q", "keep it under 2000"),
    ({"limit": 0}, "limit", "greater than or equal to 1"),
    ({"limit": 501}, "limit", "less than or equal to 500"),
    ({"discussed": "maybe"}, "discussed", "bool"),
])
def test_bad_input_is_422_saying_what_to_fix(api_client, params, field, words):
    r = api_client.get("/recommendations", params=params)
    assert r.status_code == 422
    assert r.json()["field"] == field and words in r.json()["detail"]


def test_discussed_adds_later_passages_to_the_list(api_client):
    plain = _rec(api_client.get("/recommendations", params={"q": "social worker retention"}).json(), MIN25)
    more = _rec(api_client.get("/recommendations", params={"q": "social worker retention", "discussed": "true"}).json(),
                MIN25)
    assert "discussed" not in {e["kind"] for e in plain["timeline"]}
    assert "discussed" in {e["kind"] for e in more["timeline"]}


# ---------------------------------------------------------------- GET /recommendations/{id}

def test_one_record_with_its_full_timeline(api_client, api_index):
    r = api_client.get(f"/recommendations/{MIN25}")
    assert r.status_code == 200
    rec = r.json()
    assert set(rec) == RECORD_KEYS and rec["id"] == MIN25
    assert rec == json.loads(json.dumps(recommendation(api_index, MIN25)))
    tl = rec["timeline"]
    assert [e["meeting_date"] for e in tl] == sorted(e["meeting_date"] for e in tl)
    for e in tl:
        _check_citation(e)
    # every follow-up of the list, plus later discussion of the matter (after the meeting that resolved it)
    listed = _rec(api_client.get("/recommendations", params={"q": "social worker retention"}).json(), MIN25)
    assert {f["source_id"] for f in listed["follow_ups"]} < {f["source_id"] for f in rec["follow_ups"]}
    discussed = [e for e in tl if e["kind"] == "discussed"]
    assert discussed and all(e["meeting_date"] > "2019-11-28" for e in discussed)


def test_one_record_young_carers(api_client):
    rec = api_client.get(f"/recommendations/{CARERS}").json()
    assert rec["status"] == "responded"
    assert any(e["kind"] == "response" and BRIEFING in e["text"] for e in rec["timeline"])


@pytest.mark.parametrize("rec_id", ["nope", f"{BOARD}/2019-11-28/minute-99/point-1", f"{BOARD}/2019-11-28/minute-25"])
def test_unknown_recommendation_is_404_json(api_client, rec_id):
    r = api_client.get(f"/recommendations/{rec_id}")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json() == {"type": "about:blank", "title": "Not Found", "status": 404,
                        "detail": f"no recommendation with id {rec_id!r}", "field": None,
                        "errors": [{"loc": [], "msg": f"no recommendation with id {rec_id!r}", "type": "not_found"}]}


def test_openapi_documents_the_recommendation_endpoints(api_client):
    spec = api_client.get("/openapi.json").json()
    assert {"/recommendations", "/recommendations/{rec_id}"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    for name in ("RecommendationList", "Recommendation"):
        assert schemas[name].get("examples"), name
    # a timeline entry's citation is the citation object a /search result carries
    assert {"$ref": "#/components/schemas/Citation"} in schemas["TimelineEntry"]["properties"]["citation"]["anyOf"]
    assert schemas["Result"]["properties"]["citation"] == {"$ref": "#/components/schemas/Citation"}
    for name in ("status", "timeline", "citation", "addressee"):
        assert "description" in schemas["Recommendation"]["properties"][name], name
    # the example is a real record's shape
    example = schemas["Recommendation"]["examples"][0]
    assert set(example) == RECORD_KEYS and set(example["citation"]) == CITATION_KEYS


# ---------------------------------------------------------------- restricted records

PRIVATE_MINUTES = """**Coventry City Council**
**Minutes of the Meeting of Licensing Committee**
**held at 2.00 pm on Monday, 10 February 2020**

Present:

Members: Councillor A Smith (Chair)
Councillor B Jones

## **Public Business**

### **5. Declarations of Interests**

There were no disclosable pecuniary interests.

### **6. Taxi Licence Fees**

The Committee considered a report of the Director of Place on taxi licence fees for the Quillfeather rank.

**RESOLVED that the Committee recommend that the Cabinet Member for Policing and Equalities review the Quillfeather taxi rank fees <script>alert('rec')</script> before April 2020.**
"""
PUBLIC_MINUTES = """**Coventry City Council**
**Minutes of the Meeting of Licensing Committee**
**held at 2.00 pm on Monday, 13 January 2020**

Present:

Members: Councillor A Smith (Chair)
Councillor B Jones

## **Public Business**

### **1. Declarations of Interests**

There were no disclosable pecuniary interests.

### **2. Street Trading Consents**

The Committee considered a report of the Director of Place on street trading consents in the city centre.

**RESOLVED that the Committee recommend that the Cabinet Member for Policing and Equalities publish the street trading consent map <b>online</b> by March 2020.**
"""
PUBLIC_REC = "licensing-committee/2020-01-13/minute-2/resolved"
PRIVATE_REC = "licensing-committee/2020-02-10/minute-6/resolved"
SECRET = "Quillfeather"  # only the restricted minutes hold it
MEMBER_COOKIE = {"Cookie": f"council_token={API_MEMBER_TOKEN}"}  # as /member sets it


@pytest.fixture(scope="module")
def licensing_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("licensing")
    (root / "public.txt").write_text(PUBLIC_MINUTES, encoding="utf-8")
    (root / "private.txt").write_text(PRIVATE_MINUTES, encoding="utf-8")
    (root / "private.txt.restricted").write_text("")
    index_dir = root / "index"
    api_build_index(index_dir, [(root / "public.txt", root), (root / "private.txt", root)])
    index = Index.open(index_dir, embedder=HashEmbedder())
    yield index_dir, index
    index.close()


@pytest.fixture
def licensing_client(licensing_index):
    index_dir, index = licensing_index
    settings = Settings(index_dir=index_dir, member_token=API_MEMBER_TOKEN, abstain_threshold=0)
    with TestClient(create_app(settings, index=index)) as client:
        yield client


def test_restricted_records_are_hidden_from_anonymous_users(licensing_client):
    r = licensing_client.get("/recommendations")
    assert r.status_code == 200
    assert [x["id"] for x in r.json()["recommendations"]] == [PUBLIC_REC]
    assert SECRET not in r.text
    r = licensing_client.get("/recommendations", params={"q": "Quillfeather taxi rank fees"})
    assert r.json()["recommendations"] == [] and SECRET not in json.dumps(r.json()["recommendations"])
    r = licensing_client.get(f"/recommendations/{PRIVATE_REC}")
    assert r.status_code == 404 and SECRET not in r.text
    r = licensing_client.get(f"/recommendations/{PUBLIC_REC}")
    assert r.status_code == 200 and SECRET not in r.text  # not even as later discussion


def test_members_see_restricted_records(licensing_client, api_member_headers):
    r = licensing_client.get("/recommendations", headers=api_member_headers)
    assert [x["id"] for x in r.json()["recommendations"]] == [PUBLIC_REC, PRIVATE_REC]
    [rec] = licensing_client.get("/recommendations", params={"q": "Quillfeather taxi rank fees"},
                                 headers=api_member_headers).json()["recommendations"]
    assert rec["id"] == PRIVATE_REC and rec["meeting_date"] == "2020-02-10"
    assert rec["addressee"] == "Cabinet Member for Policing and Equalities"
    assert rec["citation"]["meeting_date"] == "2020-02-10" and SECRET in rec["citation"]["quote"]
    r = licensing_client.get(f"/recommendations/{PRIVATE_REC}", headers=api_member_headers)
    assert r.status_code == 200 and SECRET in r.json()["text"]
    # the signed-in cookie works like the bearer token; a wrong token is refused
    r = licensing_client.get(f"/recommendations/{PRIVATE_REC}", headers=MEMBER_COOKIE)
    assert r.status_code == 200
    r = licensing_client.get("/recommendations", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401


def test_restricted_records_are_hidden_in_pages(licensing_client):
    page = licensing_client.get("/view/recommendations")
    assert page.status_code == 200
    assert SECRET not in page.text and "/view/recommendations/licensing-committee/2020-01-13/minute-2/resolved" in page.text
    r = licensing_client.get(f"/view/recommendations/{PRIVATE_REC}")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html") and SECRET not in r.text
    assert SECRET in licensing_client.get("/view/recommendations", headers=MEMBER_COOKIE).text
    r = licensing_client.get(f"/view/recommendations/{PRIVATE_REC}", headers=MEMBER_COOKIE)
    assert r.status_code == 200 and SECRET in r.text


def test_pages_escape_the_text_of_recommendations(licensing_client):
    for url in ("/view/recommendations", f"/view/recommendations/{PRIVATE_REC}"):
        page = licensing_client.get(url, headers=MEMBER_COOKIE).text
        assert "&lt;script&gt;alert(&#39;rec&#39;)&lt;/script&gt;" in page, url
        assert "<script" not in page, url
    for url in ("/view/recommendations", f"/view/recommendations/{PUBLIC_REC}"):
        page = licensing_client.get(url).text
        assert "&lt;b&gt;online&lt;/b&gt;" in page and "<b>online" not in page, url
    # and what the user typed
    echo = licensing_client.get("/view/recommendations", params={"q": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)" not in echo and "&lt;script&gt;alert(1)" in echo


# ---------------------------------------------------------------- pages

class _Page(HTMLParser):
    """Headings, <time datetime> values inside the timeline, and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings, self.times, self.links, self.alerts = [], [], [], 0
        self._in_timeline = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "ol" and "timeline" in (a.get("class") or ""):
            self._in_timeline += 1
        if tag == "time" and self._in_timeline:
            self.times.append(a["datetime"])
        if tag == "a":
            self.links.append(a.get("href"))
        if a.get("role") == "alert":
            self.alerts += 1

    def handle_endtag(self, tag):
        if tag == "ol" and self._in_timeline:
            self._in_timeline -= 1


def _parse(text: str) -> _Page:
    p = _Page()
    p.feed(text)
    return p


def test_site_navigation_links_to_the_recommendations(api_client):
    for url in ("/", "/view/meetings", f"/view/recommendations/{MIN25}"):
        assert '<a href="/view/recommendations">Recommendations</a>' in api_client.get(url).text, url


def test_recommendations_page_lists_matches_with_status(api_client):
    r = api_client.get("/view/recommendations", params={"q": "social worker retention"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<script" not in r.text
    page = _parse(r.text)
    assert page.headings[0] == 1 and page.headings == sorted(page.headings)
    n = len(api_client.get("/recommendations", params={"q": "social worker retention"}).json()["recommendations"])
    assert r.text.count('class="card rec-card"') == n
    assert f"{n} recommendations for “social worker retention”" in r.text
    [card] = [a for a in re.findall(r'<article class="card rec-card".*?</article>', r.text, re.S) if MIN25 in a]
    assert f'href="/view/recommendations/{MIN25}"' in card
    assert "Minute 25, point 2: Children&#39;s Services Improvement" in card
    assert '<time datetime="2019-11-28">28 November 2019</time>' in card
    assert "investigate options including scope for collaborative working" in card
    assert "To: Cabinet Member for Children and Young People" in card
    listed = _rec(api_client.get("/recommendations", params={"q": "social worker retention"}).json(), MIN25)["status"]
    from api.pages_recs import STATUS_WORDS  # the page says the API's status in words

    assert re.search(r'class="status status-[a-z]+"><span class="visually-hidden">Status: </span>'
                     + re.escape(STATUS_WORDS.get(listed, listed)) + "</span>", card)


def test_recommendations_page_lists_everything_without_words(api_client):
    r = api_client.get("/view/recommendations")
    assert r.status_code == 200 and r.text.count('class="card rec-card"') == 38
    assert "38 recommendations</h2>" in r.text
    dates = re.findall(r'<p class="rec-meta">.*?<time datetime="([\d-]+)">', r.text, re.S)
    assert len(dates) == 38 and dates == sorted(dates)
    assert 'status-responded">' in r.text  # the young carers point, among others


def test_recommendations_page_with_no_match_and_bad_input(api_client):
    r = api_client.get("/view/recommendations", params={"q": "zeppelin tram extension"})
    assert r.status_code == 200 and "No recommendations for “zeppelin tram extension”" in r.text
    assert 'class="card rec-card"' not in r.text
    r = api_client.get("/view/recommendations", params={"q": "x" * 2100})
    assert r.status_code == 422 and _parse(r.text).alerts == 1
    assert "keep it under 2000" in r.text and 'aria-invalid="true"' in r.text


def test_recommendation_page_shows_its_citation_and_timeline_in_date_order(api_client, api_index):
    r = api_client.get(f"/view/recommendations/{MIN25}")
    assert r.status_code == 200 and "<script" not in r.text
    assert "<h1>Minute 25, point 2: Children&#39;s Services Improvement</h1>" in r.text
    assert "retention of Social Workers in Coventry." in r.text
    assert "<dt>To</dt><dd>Cabinet Member for Children and Young People</dd>" in r.text
    rec = api_client.get(f"/recommendations/{MIN25}").json()
    from api.pages_recs import STATUS_WORDS  # the page says the API's status in words

    assert f'<span class="visually-hidden">Status: </span>{STATUS_WORDS[rec["status"]]}</span>' in r.text
    page = _parse(r.text)
    levels = page.headings
    assert levels[0] == 1 and levels.count(1) == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    # the timeline: every entry of the record, in date order
    assert page.times == sorted(page.times) == [e["meeting_date"] for e in rec["timeline"]]
    assert r.text.count('<span class="kind">') == len(rec["timeline"])
    assert '<span class="kind">Work programme</span>' in r.text and '<span class="kind">Discussed</span>' in r.text
    for e in rec["timeline"]:
        assert e["citation"]["text"].replace("'", "&#39;") in r.text
    # each citation links to its item with the passage highlighted
    cited = {e["citation"]["id"] for e in rec["timeline"]}
    hrefs = {h for h in page.links if h and h.startswith("/view/items/") and "highlight=" in h}
    assert len(hrefs) >= len(cited)
    source = rec["citation"]["id"]
    [own] = [h for h in hrefs if source.replace("/", "%2F") in h]
    assert own.startswith(f"/view/items/{BOARD}/2019-11-28/minute-25?highlight=") and own.endswith("#hl")
    item = api_client.get(own.replace("&amp;", "&").split("#")[0])
    m = re.search(r'<mark id="hl"[^>]*>(.*?)</mark>', item.text, re.S)
    assert item.status_code == 200 and m and "investigate options including scope" in m.group(1)
    # the meeting and the list are one click away
    assert f"/view/meetings/{BOARD}/2019-11-28" in page.links and "/view/recommendations" in page.links


def test_recommendation_page_of_the_young_carers_response(api_client):
    r = api_client.get(f"/view/recommendations/{CARERS}")
    assert r.status_code == 200
    head, _, rest = r.text.partition('<h2 id="timeline-heading">')
    assert '<span class="visually-hidden">Status: </span>Responded</span>' in head
    assert '<time datetime="2017-09-14">14 September 2017</time> · <span class="kind">Response</span>' in rest
    assert BRIEFING in rest and "14 September 2017, item 6: Outstanding Issues" in rest


def test_recommendation_page_unknown_id_is_a_404_page(api_client):
    r = api_client.get("/view/recommendations/nope/2019-01-01/minute-1/point-1")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in r.text and "no recommendation with id" in r.text


def test_recommendation_pages_answer_head_requests(api_client):
    assert api_client.head("/view/recommendations").status_code == 200
    assert api_client.head(f"/view/recommendations/{MIN25}").status_code == 200


def test_ask_timeline_links_recommendations_to_their_pages(api_client, monkeypatch):
    real_ask = answer_mod.ask

    def ask(index, question, filters=None, settings=None):
        out = real_ask(index, question, filters, settings)
        out["timeline"] = [
            {"meeting_date": "2019-11-28", "kind": "recommendation", "text": "Retention <i>plan</i> asked for",
             "citation": out["citations"][0], "record_id": MIN25},
            {"meeting_date": "2020-01-09", "kind": "scheduled", "text": "Progress planned",
             "citation": out["citations"][0], "record_id": MIN25}]
        return out

    monkeypatch.setattr(answer_mod, "ask", ask)
    r = api_client.get("/", params={"q": "social worker retention", "mode": "ask"})
    assert r.status_code == 200
    links = re.findall(r'<a href="(/view/recommendations/[^"]+)">What happened to this recommendation', r.text)
    assert links == [f"/view/recommendations/{MIN25}"]  # the recommendation entry only
    assert "Retention &lt;i&gt;plan&lt;/i&gt; asked for" in r.text


def test_real_ask_timeline_links_to_the_recommendation_page(api_client):
    question = "What happened to the social worker retention recommendation?"
    timeline = api_client.post("/ask", json={"question": question}).json()["timeline"]
    records = [e["record_id"] for e in timeline if e["kind"] == "recommendation"]
    assert MIN25 in records
    r = api_client.get("/", params={"q": question, "mode": "ask"})
    links = re.findall(r'<a href="(/view/recommendations/[^"]+)">What happened to this recommendation', r.text)
    assert links == [f"/view/recommendations/{x}" for x in records]
    assert api_client.get(links[records.index(MIN25)]).status_code == 200
