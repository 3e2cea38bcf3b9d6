"""The web service, in process, on the fixture index (corpus + a pack with a restricted report)."""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import date
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api.app import IndexHolder, create_app
from indexer.answer import ask as answer_mod
from indexer.retrieve import browse
from indexer.embed.hashing import HashEmbedder
from indexer.common.errors import IndexNotFound
from indexer.store.index import Index, current_generation
from indexer.common.results import SearchResult
from indexer.common.settings import Settings

from tests.conftest import API_MEMBER_TOKEN, CORPUS, api_build_index

MEETING = "education-and-childrens-services-scrutiny-board-2/2019-11-28"
MINUTE = f"{MEETING}/minute-25"
PACK_MEETING = "education-and-childrens-services-scrutiny-board-2/2020-01-09"
AUDIT = "audit-and-procurement-committee/2020-02-03"
PUBLIC_ITEM = f"{AUDIT}/item-2"
PRIVATE_ITEM = f"{AUDIT}/item-4"
PUBLIC_DOC = f"{AUDIT}/pack/1-report"
PRIVATE_DOC = f"{AUDIT}/pack/2-report"
SECRET = "Zephyrine"  # a word only the restricted report holds
RESULT_KEYS = set(SearchResult("x", 0.0, "", "", "", date(2020, 1, 1), "report", "", None, "", "agenda", "",
                                "", date(2020, 1, 1), None, None, (0, 0)).to_dict())
CSP = "default-src 'self'"


def _detail(r) -> str:
    body = r.json()
    assert set(body) == {"type", "title", "status", "detail", "field", "errors"}, body
    assert r.headers["content-type"] == "application/problem+json" and body["status"] == r.status_code
    assert body["errors"] and all(set(e) == {"loc", "msg", "type"} for e in body["errors"]), body
    assert "Traceback" not in body["detail"]
    return body["detail"]


def _chunks_of(index: Index, item_id: str) -> list:
    return index.query("SELECT id, text FROM chunks WHERE item_id = ? ORDER BY ord", (item_id,))


# ---------------------------------------------------------------- GET /search

def test_search_returns_exactly_the_result_contract(api_client):
    r = api_client.get("/search", params={"q": "social worker retention", "k": 5})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"query", "total", "offset", "k", "sort", "results", "hint"}
    assert body["query"] == "social worker retention" and body["offset"] == 0 and body["k"] == 5
    assert body["sort"] == "relevance" and body["total"] >= len(body["results"]) and body["hint"] is None
    assert 1 <= len(body["results"]) <= 5
    for res in body["results"]:
        assert set(res) == RESULT_KEYS | {"passages", "more_passages", "marks", "title_marks"}
        assert set(res["item"]) == {"number", "title"}
        assert res["url"] == f"/view/items/{res['item_id']}?highlight={res['id']}"
        assert res["id"].startswith(res["item_id"] + "/") and res["item_id"].startswith(res["meeting_id"] + "/")
        assert set(res["citation"]) == {"text", "committee", "meeting_date", "item", "pages", "id", "item_id",
                                        "meeting_id", "document_id", "doc_type", "url", "source", "quote",
                                        "restricted"}
        assert res["citation"]["url"] == res["url"] and res["citation"]["quote"] is None
        assert set(res["source"]) == {"path", "published_for", "page_start", "page_end", "ocr", "url", "page_url"}
    assert any(res["meeting_date"] == "2019-11-28" for res in body["results"])


def test_search_default_k_is_10(api_client):
    assert len(api_client.get("/search", params={"q": "children"}).json()["results"]) == 10


def test_search_filters(api_client):
    r = api_client.get("/search", params={"q": "social workers", "doc_type": "minutes", "k": 20})
    assert r.status_code == 200 and r.json()["results"]
    assert {x["doc_type"] for x in r.json()["results"]} == {"minutes"}
    r = api_client.get("/search", params={"q": "social workers", "date_from": "2019-01-01", "date_to": "2019-12-31"})
    assert {x["meeting_date"] for x in r.json()["results"]} == {"2019-11-28"}
    r = api_client.get("/search", params={"q": "library", "committee": "audit and procurement"})
    assert r.json()["results"] and {x["committee"] for x in r.json()["results"]} == {"Audit and Procurement Committee"}
    # blank filters (as an HTML form sends them) mean "any"
    r = api_client.get("/search", params={"q": "library", "committee": "", "date_from": "", "doc_type": ""})
    assert r.status_code == 200 and r.json()["results"]


@pytest.mark.parametrize("params, field, words", [
    ({"q": ""}, "q", "empty"),
    ({"q": "   "}, "q", "empty"),
    ({"q": "x" * 2000}, "q", "2000"),
    ({}, "q", "required"),
    ({"q": "x", "k": 0}, "k", "greater than or equal to 1"),
    ({"q": "x", "k": 51}, "k", "less than or equal to 50"),
    ({"q": "x", "k": "ten"}, "k", "integer"),
    ({"q": "x", "date_from": "2019-13-01"}, "date_from", "YYYY-MM-DD"),
    ({"q": "x", "date_to": "28/11/2019"}, "date_to", "YYYY-MM-DD"),
    ({"q": "x", "date_from": "2020-01-01", "date_to": "2019-01-01"}, "date_from", "after"),
    ({"q": "x", "doc_type": "memo"}, "doc_type", "unknown document type"),
])
def test_search_bad_input_is_422_saying_what_to_fix(api_client, params, field, words):
    r = api_client.get("/search", params=params)
    assert r.status_code == 422
    assert r.json()["field"] == field
    assert words in _detail(r)


def test_query_just_under_the_limit_is_fine(api_client):
    assert api_client.get("/search", params={"q": "x" * 1999}).status_code == 200


# ---------------------------------------------------------------- POST /ask

def test_ask_returns_the_answer_contract(api_client):
    r = api_client.post("/ask", json={"question": "What happened to the social worker retention recommendation?"})
    assert r.status_code == 200
    body = r.json()
    assert {"question", "answered", "answer", "citations", "timeline"} <= set(body)
    assert isinstance(body["answered"], bool) and isinstance(body["timeline"], list)
    for c in body["citations"]:
        assert RESULT_KEYS <= set(c)


def test_ask_passes_filters_through(api_client):
    r = api_client.post("/ask", json={"question": "library opening hours", "committee": "Audit and Procurement Committee",
                                      "date_from": "2020-01-01", "doc_type": "report"})
    assert r.status_code == 200
    assert {c["committee"] for c in r.json()["citations"]} <= {"Audit and Procurement Committee"}


@pytest.mark.parametrize("body, field, words", [
    ({"question": ""}, "q", "empty"),
    ({"question": "y" * 2500}, "q", "characters"),
    ({}, "question", "required"),
    ({"question": "x", "date_to": "yesterday"}, "date_to", "YYYY-MM-DD"),
    ({"question": "x", "doc_type": "leaflet"}, "doc_type", "unknown document type"),
    ({"question": "x", "colour": "red"}, "colour", "not a field"),
])
def test_ask_bad_input_is_422(api_client, body, field, words):
    r = api_client.post("/ask", json=body)
    assert r.status_code == 422
    assert r.json()["field"] == field
    assert words in _detail(r)


def test_ask_rejects_a_body_that_is_not_json(api_client):
    r = api_client.post("/ask", content=b"question=hello", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert "JSON" in _detail(r)


# ---------------------------------------------------------------- meetings and items

def test_meetings_lists_every_meeting_with_counts(api_client):
    r = api_client.get("/meetings")
    assert r.status_code == 200
    ms = r.json()["meetings"]
    ids = [m["id"] for m in ms]
    assert MEETING in ids and AUDIT in ids
    assert [m["date"] for m in ms] == sorted((m["date"] for m in ms), reverse=True)
    m = next(m for m in ms if m["id"] == PACK_MEETING)
    assert m["committee"] == "Education and Children's Services Scrutiny Board (2)"
    assert m["start_time"] == "10:00" and m["date_label"] == "9 January 2020"
    assert m["counts"]["items"] == 9 and m["counts"]["documents"] >= 6 and m["counts"]["chunks"] > 0


def test_meeting_has_documents_and_items_in_order(api_client):
    r = api_client.get(f"/meetings/{PACK_MEETING}")
    assert r.status_code == 200
    m = r.json()
    assert m["id"] == PACK_MEETING
    titles = [i["title"] for i in m["items"]]
    assert titles[:5] == ["Agenda", "Apologies and Substitutions", "Declarations of Interests", "Minutes",
                          "Libraries Update"]
    assert [i["order"] for i in m["items"]] == sorted(i["order"] for i in m["items"])
    assert m["items"][4]["label"] == "Item 4"
    assert {"agenda", "report", "work_programme"} <= {d["doc_type"] for d in m["documents"]}
    minutes = api_client.get(f"/meetings/{MEETING}").json()["items"]
    assert [i["label"] for i in minutes] == [""] + [f"Minute {n}" for n in range(23, 30)]
    assert minutes[0]["title"] == "Present and apologies"


def test_minute_item_is_its_body(api_client, api_index):
    r = api_client.get(f"/items/{MINUTE}")
    assert r.status_code == 200
    it = r.json()
    assert it["label"] == "Minute 25" and it["title"] == "Children's Services Improvement"
    assert it["meeting"]["date_label"] == "28 November 2019"
    assert "28 November 2019, minute 25" in it["citation"]["text"]
    assert it["citation"]["item_id"] == MINUTE and it["citation"]["url"] == f"/view/items/{MINUTE}"
    assert len(it["sections"]) == 1 and it["sections"][0]["doc_type"] == "minutes"
    body = it["sections"][0]["text"]
    for _, text in _chunks_of(api_index, MINUTE):
        assert text in body
    assert it["highlight"] is None


def test_agenda_item_is_each_document_in_order(api_client):
    it = api_client.get(f"/items/{PACK_MEETING}/item-4").json()
    assert [(s["title"], s["doc_type"]) for s in it["sections"]] == [("Libraries Update", "report"),
                                                                    ("Appendix A", "appendix")]
    assert all(s["page_start"] for s in it["sections"])
    assert it["sections"][0]["text"].lstrip().startswith("Briefing note")


def test_item_without_papers_shows_its_agenda_entry(api_client):
    it = api_client.get(f"/items/{PACK_MEETING}/item-1").json()
    assert len(it["sections"]) == 1 and "Apologies" in it["sections"][0]["text"]


def test_highlight_gives_offsets_of_the_cited_passage(api_client, api_index):
    cid, text = _chunks_of(api_index, MINUTE)[-1]
    it = api_client.get(f"/items/{MINUTE}", params={"highlight": cid}).json()
    hl = it["highlight"]
    assert hl["chunk_id"] == cid
    assert it["sections"][hl["section"]]["text"][hl["start"]:hl["end"]] == text


def test_highlight_in_an_agenda_item_section(api_client, api_index):
    item = f"{PACK_MEETING}/item-4"
    chunks = _chunks_of(api_index, item)
    cid, text = chunks[-1]
    it = api_client.get(f"/items/{item}", params={"highlight": cid}).json()
    hl = it["highlight"]
    assert it["sections"][hl["section"]]["text"][hl["start"]:hl["end"]] == text


def test_highlight_of_a_passage_from_elsewhere_is_404(api_client, api_index):
    cid, _ = _chunks_of(api_index, MINUTE)[0]
    r = api_client.get(f"/items/{PACK_MEETING}/item-4", params={"highlight": cid})
    assert r.status_code == 404
    assert api_client.get(f"/items/{MINUTE}", params={"highlight": "no/such/chunk"}).status_code == 404


@pytest.mark.parametrize("url", [
    "/meetings/no-such-committee/2019-01-01",
    "/items/no-such-committee/2019-01-01/minute-1",
    f"/items/{MEETING}/minute-999",
    "/documents/no/such/doc/source",
    "/no-such-endpoint",
])
def test_unknown_ids_are_404_json(api_client, url):
    r = api_client.get(url)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    _detail(r)


# ---------------------------------------------------------------- source files

def test_source_serves_the_original_file(api_client):
    doc = api_client.get(f"/meetings/{PACK_MEETING}").json()["documents"][0]
    r = api_client.get(f"/documents/{doc['id']}/source")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.content == (CORPUS / doc["path"]).read_bytes()
    assert "inline" in r.headers["content-disposition"]


def test_source_uses_corpus_root_when_set(api_settings, api_index, tmp_path):
    doc_path = "000_650dc6dc71139f49.txt"
    (tmp_path / doc_path).write_text("moved copy", encoding="utf-8")
    s = api_settings.model_copy(update={"corpus_root": tmp_path})
    with TestClient(create_app(s, index=api_index)) as c:
        docs = c.get(f"/meetings/{PACK_MEETING}").json()["documents"]
        d = next(d for d in docs if d["path"] == doc_path)
        assert c.get(f"/documents/{d['id']}/source").text == "moved copy"
    empty = tmp_path / "empty"
    empty.mkdir()
    with TestClient(create_app(api_settings.model_copy(update={"corpus_root": empty}), index=api_index)) as c:
        assert c.get(f"/documents/{d['id']}/source").status_code == 404


@pytest.mark.parametrize("url", [
    "/documents/..%2F..%2F..%2Fetc%2Fpasswd/source",
    "/documents/%2E%2E/%2E%2E/%2E%2E/etc/passwd/source",
    "/documents/../../../etc/passwd/source",
    "/documents//etc/passwd/source",
    "/documents/%2Fetc%2Fpasswd/source",
])
def test_source_path_traversal_never_leaves_the_root(api_client, url):
    r = api_client.get(url)
    assert r.status_code in (400, 404)
    assert b"root:" not in r.content


@pytest.fixture
def tampered_index(tmp_path):
    """A one-pack index whose stored paths were tampered with after indexing."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(CORPUS / "004_c5496f9693e9c252.txt", root / "pack.txt")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0 outside the corpus", encoding="utf-8")
    index_dir = tmp_path / "index"
    api_build_index(index_dir, [(root / "pack.txt", root)])
    con = sqlite3.connect(current_generation(index_dir) / "meta.sqlite")
    ids = [r[0] for r in con.execute("SELECT id FROM documents ORDER BY id")]
    con.execute("UPDATE documents SET path = '../secret.txt' WHERE id = ?", (ids[0],))
    con.execute("UPDATE documents SET path = ? WHERE id = ?", (str(secret), ids[1]))
    con.commit()
    con.close()
    return index_dir, root, ids


def test_source_refuses_stored_paths_outside_the_root(tampered_index, tmp_path):
    index_dir, root, ids = tampered_index
    index = Index.open(index_dir, embedder=HashEmbedder())
    with TestClient(create_app(Settings(index_dir=index_dir), index=index)) as c:
        for doc_id in ids[:2]:
            r = c.get(f"/documents/{doc_id}/source")
            assert r.status_code == 404 and b"outside the corpus" not in r.content
        assert c.get(f"/documents/{ids[2]}/source").status_code == 200
        # a symlink inside the root that points outside it is refused too
        (root / "pack.txt").unlink()
        (root / "pack.txt").symlink_to(tmp_path / "secret.txt")
        r = c.get(f"/documents/{ids[2]}/source")
        assert r.status_code == 404 and b"outside the corpus" not in r.content
    index.close()


# ---------------------------------------------------------------- restricted (Part B) papers

def _texts(results) -> str:
    return " ".join(r["text"] for r in results)


def test_anonymous_search_never_sees_restricted_passages(api_client, api_member_headers):
    params = {"q": "sale of the old bus depot Zephyrine Holdings", "k": 50}
    anon = api_client.get("/search", params=params).json()["results"]
    assert SECRET not in _texts(anon)
    member = api_client.get("/search", params=params, headers=api_member_headers).json()["results"]
    assert SECRET in _texts(member)


def test_member_cookie_works_like_the_bearer_token(api_client):
    r = api_client.get("/search", params={"q": "Zephyrine bus depot"}, headers={"Cookie": f"council_token={API_MEMBER_TOKEN}"})
    assert SECRET in _texts(r.json()["results"])
    r = api_client.get("/search", params={"q": "Zephyrine bus depot"}, headers={"Cookie": "council_token=wrong"})
    assert r.status_code == 200 and SECRET not in _texts(r.json()["results"])


def test_wrong_bearer_token_is_401(api_client):
    r = api_client.get("/search", params={"q": "depot"}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    _detail(r)
    r = api_client.get("/health", headers={"Authorization": f"Basic {API_MEMBER_TOKEN}"})
    assert r.status_code == 401


def test_without_a_member_token_nobody_sees_restricted_papers(api_settings, api_index):
    s = api_settings.model_copy(update={"member_token": None})
    with TestClient(create_app(s, index=api_index)) as c:
        params = {"q": "Zephyrine bus depot", "k": 50}
        assert SECRET not in _texts(c.get("/search", params=params).json()["results"])
        assert c.get("/search", params=params, headers={"Authorization": "Bearer "}).status_code == 401
        assert c.get("/search", params=params, headers={"Cookie": "council_token="}).status_code == 200
        assert c.get(f"/items/{PRIVATE_ITEM}").status_code == 404


def test_anonymous_answers_cite_no_restricted_passages(api_client, api_member_headers):
    q = {"question": "Who is buying the old bus depot, Zephyrine?"}
    anon = api_client.post("/ask", json=q).json()
    assert SECRET not in _texts(anon["citations"]) + anon["answer"] + str(anon["timeline"])
    member = api_client.post("/ask", json=q, headers=api_member_headers).json()
    assert SECRET in _texts(member["citations"])


def test_restricted_items_and_highlights_are_hidden(api_client, api_index, api_member_headers):
    assert api_client.get(f"/items/{PRIVATE_ITEM}").status_code == 404
    r = api_client.get(f"/items/{PRIVATE_ITEM}", headers=api_member_headers)
    assert r.status_code == 200 and SECRET in r.json()["sections"][0]["text"]
    secret_chunk = api_index.query("SELECT id FROM chunks WHERE restricted = 1 LIMIT 1")[0][0]
    assert api_client.get(f"/items/{PRIVATE_ITEM}", params={"highlight": secret_chunk}).status_code == 404
    assert SECRET not in api_client.get(f"/items/{PUBLIC_ITEM}").text


def test_meeting_and_counts_hide_restricted_papers(api_client, api_member_headers):
    anon = api_client.get(f"/meetings/{AUDIT}").json()
    member = api_client.get(f"/meetings/{AUDIT}", headers=api_member_headers).json()
    assert PRIVATE_ITEM not in [i["id"] for i in anon["items"]]
    assert PRIVATE_ITEM in [i["id"] for i in member["items"]]
    assert PRIVATE_DOC not in [d["id"] for d in anon["documents"]]
    a = next(m for m in api_client.get("/meetings").json()["meetings"] if m["id"] == AUDIT)["counts"]
    m = next(m for m in api_client.get("/meetings", headers=api_member_headers).json()["meetings"]
             if m["id"] == AUDIT)["counts"]
    assert a["items"] == m["items"] - 1 and a["documents"] == m["documents"] - 1 and a["chunks"] < m["chunks"]
    ha = api_client.get("/health").json()["counts"]
    hm = api_client.get("/health", headers=api_member_headers).json()["counts"]
    assert ha["chunks"] < hm["chunks"] and ha["documents"] == hm["documents"] - 1


def test_restricted_source_downloads(api_client, api_member_headers):
    assert api_client.get(f"/documents/{PRIVATE_DOC}/source").status_code == 404
    # the public report shares its file with the restricted one: members only
    r = api_client.get(f"/documents/{PUBLIC_DOC}/source")
    assert r.status_code == 403 and SECRET not in r.text
    _detail(r)
    for doc in (PUBLIC_DOC, PRIVATE_DOC):
        r = api_client.get(f"/documents/{doc}/source", headers=api_member_headers)
        assert r.status_code == 200 and SECRET in r.text


def test_restricted_papers_stay_hidden_in_pages(api_client):
    q = "who is buying the old bus depot"
    assert SECRET not in api_client.get("/", params={"q": q}).text
    assert SECRET not in api_client.get("/", params={"q": q, "mode": "ask"}).text
    page = api_client.get(f"/view/meetings/{AUDIT}").text
    assert "item-4" not in page and "item-2" in page
    assert api_client.get(f"/view/items/{PRIVATE_ITEM}").status_code == 404
    member = api_client.get("/", params={"q": q}, headers={"Cookie": f"council_token={API_MEMBER_TOKEN}"})
    assert SECRET in member.text and "restricted papers shown" in member.text


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_member_sign_in_sets_the_cookie(api_client):
    page = api_client.get("/member").text
    assert 'type="password"' in page
    csrf = _csrf(page)
    r = api_client.post("/member", data={"token": "wrong", "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 401 and 'role="alert"' in r.text
    r = api_client.post("/member", data={"token": API_MEMBER_TOKEN, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "council_token=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain http here; see the next test
    r = api_client.post("/member/signout", data={"csrf": _csrf(api_client.get("/member").text)},
                        follow_redirects=False)
    assert r.status_code == 303 and 'council_token=""' in r.headers["set-cookie"]


def test_member_forms_refuse_requests_without_the_csrf_token_or_from_another_site(api_client):
    csrf = _csrf(api_client.get("/member").text)
    for data, headers in [({"token": API_MEMBER_TOKEN}, {}),  # no token in the form
                          ({"token": API_MEMBER_TOKEN, "csrf": "forged" * 8}, {}),
                          ({"token": API_MEMBER_TOKEN, "csrf": csrf}, {"Origin": "https://evil.example"})]:
        r = api_client.post("/member", data=data, headers=headers, follow_redirects=False)
        assert r.status_code == 403 and "council_token" not in r.headers.get("set-cookie", "")
        assert "<h1" in r.text and "not accepted" in r.text
    fresh = TestClient(api_client.app)  # a browser that never opened the sign-in page
    r = fresh.post("/member", data={"token": API_MEMBER_TOKEN, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 403
    assert api_client.post("/member/signout", follow_redirects=False).status_code == 403
    r = api_client.post("/member", data={"token": API_MEMBER_TOKEN, "csrf": csrf},
                        headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303


def test_the_member_cookie_is_secure_behind_an_https_proxy(api_settings, api_index):
    s = api_settings.model_copy(update={"behind_proxy": True})
    with TestClient(create_app(s, index=api_index)) as c:
        csrf = _csrf(c.get("/member").text)
        r = c.post("/member", data={"token": API_MEMBER_TOKEN, "csrf": csrf},
                   headers={"X-Forwarded-Proto": "https"}, follow_redirects=False)
        assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]
    with TestClient(create_app(api_settings, index=api_index), base_url="https://testserver") as c:
        csrf = _csrf(c.get("/member").text)
        r = c.post("/member", data={"token": API_MEMBER_TOKEN, "csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]


def test_the_server_listens_on_localhost_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("COUNCIL_HOST", raising=False)
    assert Settings().host == "127.0.0.1"


# ---------------------------------------------------------------- /health, OpenAPI, headers, limits

def test_health(api_client, api_index):
    r = api_client.get("/health")
    assert r.status_code == 200
    h = r.json()
    assert h["status"] == "ok" and h["index_loaded"] is True
    assert h["model"] == "hash-32" and h["generation"] == api_index.gen.name
    assert set(h["counts"]) == {"meetings", "documents", "items", "chunks"}
    assert h["counts"]["meetings"] == len(api_client.get("/meetings").json()["meetings"])


def test_openapi_documents_every_endpoint_with_examples(api_client):
    spec = api_client.get("/openapi.json").json()
    assert {"/search", "/ask", "/meetings", "/meetings/{meeting_id}", "/items/{item_id}",
            "/documents/{document_id}/source", "/health"} <= set(spec["paths"])
    assert not any(p.startswith("/view") or p == "/" for p in spec["paths"])
    schemas = spec["components"]["schemas"]
    for name in ("SearchResponse", "AskRequest", "AskResponse", "Result", "Health"):
        assert schemas[name].get("examples"), name
    docs = api_client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


@pytest.mark.parametrize("url", ["/", "/search?q=library", "/health", "/meetings", "/no-such-page",
                                 f"/view/items/{MINUTE}", "/static/style.css"])
def test_security_headers_on_every_response(api_client, url):
    r = api_client.get(url)
    csp = r.headers["content-security-policy"]
    assert csp.startswith(CSP) and "script-src 'none'" in csp and "style-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_dynamic_responses_are_not_cached(api_client):
    assert api_client.get("/search", params={"q": "library"}).headers["cache-control"] == "no-store"
    assert "Authorization" in api_client.get("/health").headers["vary"]


def test_request_body_over_the_limit_is_413(api_client, api_settings):
    big = {"question": "x" * (api_settings.max_request_bytes + 10)}
    r = api_client.post("/ask", json=big)
    assert r.status_code == 413
    assert "limit" in _detail(r)

    def chunks():  # no Content-Length: counted while streaming
        for _ in range(30):
            yield b"x" * 1000

    r = api_client.post("/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_unexpected_errors_are_a_plain_500(api_settings, api_index, monkeypatch, caplog):
    def boom(*a, **kw):
        raise RuntimeError("secret detail /srv/data")

    monkeypatch.setattr(browse, "list_meetings", boom)
    with TestClient(create_app(api_settings, index=api_index), raise_server_exceptions=False) as c:
        r = c.get("/meetings")
        assert r.status_code == 500
        assert "secret" not in r.text and "Traceback" not in r.text
        _detail(r)
        assert r.headers["content-security-policy"].startswith(CSP)
        page = c.get("/view/meetings")
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert "secret" not in page.text and 'role="alert"' in page.text
    assert "secret detail" in caplog.text  # logged for the operator


# ---------------------------------------------------------------- the index: lifespan and reload

@pytest.fixture
def small_index(tmp_path):
    index_dir = tmp_path / "index"
    api_build_index(index_dir, [(CORPUS / "004_c5496f9693e9c252.txt", CORPUS)])
    return index_dir


def test_lifespan_opens_the_index_once(small_index):
    app = create_app(Settings(index_dir=small_index))
    with TestClient(app) as c:
        holder = app.state.holder
        assert c.get("/health").json()["model"] == "hash-32"
        c.get("/search", params={"q": "school"})
        assert app.state.holder is holder


def test_lifespan_fails_clearly_without_an_index(tmp_path):
    with pytest.raises(IndexNotFound):
        with TestClient(create_app(Settings(index_dir=tmp_path / "nothing"))):
            pass


def test_new_index_generation_is_picked_up_without_restart(small_index, caplog):
    index = Index.open(small_index, embedder=HashEmbedder())
    app = create_app(Settings(index_dir=small_index), index=index)
    app.state.holder.CHECK_EVERY = 0
    with TestClient(app) as c:
        first = c.get("/health").json()
        api_build_index(small_index, [(CORPUS / "004_c5496f9693e9c252.txt", CORPUS),
                                      (CORPUS / "000_650dc6dc71139f49.txt", CORPUS)])
        second = c.get("/health").json()
        assert second["generation"] != first["generation"]
        assert second["counts"]["meetings"] > first["counts"]["meetings"]
        assert c.get(f"/items/{MINUTE}").status_code == 200
        # a CURRENT that names no complete generation is never served: the last good one stays
        (small_index / "CURRENT").write_text("gen-999999")
        assert c.get("/health").json()["generation"] == second["generation"]
        assert "could not be opened" in caplog.text
    index.close()


def test_holder_checks_at_most_once_a_second(small_index):
    index = Index.open(small_index, embedder=HashEmbedder())
    t = [100.0]
    holder = IndexHolder(index, owned=False, clock=lambda: t[0])
    calls = []
    orig = index.is_stale
    index.is_stale = lambda: calls.append(1) or orig()
    for _ in range(50):
        holder.get()
    t[0] += 1.0
    holder.get()
    holder.get()
    assert len(calls) == 1
    index.close()


# ---------------------------------------------------------------- HTML pages

class _Controls(HTMLParser):
    """Collects form controls, labels and headings of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.controls, self.labels, self.headings, self.alerts = [], set(), [], 0
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a.get("id"))
        if tag == "label":
            self.labels.add(a.get("for"))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if a.get("role") == "alert":
            self.alerts += 1


def _parse(html: str) -> _Controls:
    p = _Controls()
    p.feed(html)
    return p


def test_home_page_form(api_client):
    r = api_client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = _parse(r.text)
    assert page.html_lang == "en"
    assert '<meta name="viewport"' in r.text
    assert '<form method="get" action="/"' in r.text
    assert set(page.controls) == {"q", "mode-search", "mode-ask", "committee", "date_from", "date_to", "doc_type"}
    assert all(c in page.labels for c in page.controls)  # every control has a <label for>
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert 'class="skip-link"' in r.text
    assert "<script" not in r.text
    assert "Audit and Procurement Committee</option>" in r.text  # committees from the index
    assert 'type="date"' in r.text and 'value="work_programme"' in r.text


def test_search_page_shows_citation_cards(api_client):
    r = api_client.get("/", params={"q": "social worker retention", "mode": "search"})
    assert r.status_code == 200
    assert r.text.count('class="card"') == 10
    assert "28 November 2019" in r.text and "Minute 25" in r.text
    assert 'href="#results">Skip to results' in r.text
    hrefs = re.findall(r'href="(/view/items/[^"]+\?highlight=[^"]+#hl)"', r.text)
    assert hrefs
    item = api_client.get(hrefs[0].replace("&amp;", "&").split("#")[0])
    assert item.status_code == 200 and '<mark id="hl"' in item.text
    page = _parse(r.text)
    assert page.headings == sorted(page.headings)  # h1, h2, then h3 cards


def test_filters_are_kept_in_the_form(api_client):
    r = api_client.get("/", params={"q": "library", "committee": "Audit and Procurement Committee",
                                    "date_from": "2020-01-01", "date_to": "2020-12-31", "doc_type": "report"})
    assert r.status_code == 200
    assert '<option value="Audit and Procurement Committee" selected>' in r.text
    assert 'value="2020-01-01"' in r.text and '<option value="report" selected>' in r.text
    assert "3 February 2020" in r.text and "28 November 2019" not in r.text


@pytest.mark.parametrize("params, words", [
    ({"q": ""}, "the query is empty"),
    ({"q": "library", "date_from": "not-a-date"}, "YYYY-MM-DD"),
    ({"q": "library", "doc_type": "memo"}, "unknown document type"),
    ({"q": "x" * 2100}, "keep it under 2000"),
])
def test_bad_form_input_is_shown_in_the_page(api_client, params, words):
    r = api_client.get("/", params=params)
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert _parse(r.text).alerts == 1
    assert words in r.text
    assert 'aria-invalid="true"' in r.text


def test_ask_page_shows_the_answer_markers_and_timeline(api_client, monkeypatch):
    real_ask = answer_mod.ask

    def ask(index, question, filters=None, settings=None):
        out = real_ask(index, question, filters, settings)
        out["answer"] = "The Board asked for a social worker retention plan [1], and heard progress later [2]. <b>x</b>"
        out["timeline"] = [{"meeting_date": "2019-11-28", "kind": "recommendation", "text": "Plan asked for",
                            "citation": out["citations"][0]["citation"]}]
        return out

    monkeypatch.setattr(answer_mod, "ask", ask)
    r = api_client.get("/", params={"q": "social worker retention", "mode": "ask"})
    assert r.status_code == 200
    assert '<a href="#cite-1" class="marker"' in r.text and '<a href="#cite-2" class="marker"' in r.text
    assert "&lt;b&gt;x&lt;/b&gt;" in r.text
    assert "Timeline" in r.text and "28 November 2019" in r.text and "Plan asked for" in r.text
    assert 'id="cite-1"' in r.text and '<input type="radio" id="mode-ask" name="mode" value="ask" checked>' in r.text


def test_ask_page_shows_the_abstention(api_client, monkeypatch):
    monkeypatch.setattr(answer_mod, "ask", lambda index, q, f=None, s=None: {
        "question": q, "answered": False, "answer": "", "citations": [], "timeline": []})
    r = api_client.get("/", params={"q": "who won the 1966 world cup", "mode": "ask"})
    assert r.status_code == 200
    assert 'role="status"' in r.text and "do not answer that question" in r.text


def test_document_text_is_escaped(api_client):
    r = api_client.get("/search", params={"q": "library opening hours Saturdays consultation form markup"})
    assert any("<script>alert('xss')</script>" in x["text"] for x in r.json()["results"])  # JSON carries the text
    page = api_client.get("/", params={"q": "library opening hours Saturdays consultation form markup"}).text
    # the page shows passages cleaned of literal HTML (conversion debris), the words escaped
    assert "alert(&#39;xss&#39;)" in page and "&lt;script&gt;" not in page
    assert "<script>" not in page
    item = api_client.get(f"/view/items/{PUBLIC_ITEM}").text
    assert "alert(&#39;xss&#39;)" in item and "<script>" not in item
    # and what the user typed
    echo = api_client.get("/", params={"q": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)" not in echo


def test_meeting_pages(api_client):
    r = api_client.get("/view/meetings")
    assert r.status_code == 200 and f'href="/view/meetings/{PACK_MEETING}"' in r.text
    r = api_client.get(f"/view/meetings/{PACK_MEETING}")
    assert r.status_code == 200
    assert "<h1>Education and Children&#39;s Services Scrutiny Board (2)" in r.text
    links = re.findall(r'href="/view/items/([^"]+)"', r.text)
    assert links[:3] == [f"{PACK_MEETING}/agenda", f"{PACK_MEETING}/item-1", f"{PACK_MEETING}/item-2"]
    assert "/source" in r.text


def test_item_page_marks_the_passage(api_client, api_index):
    cid, text = _chunks_of(api_index, MINUTE)[-1]
    r = api_client.get(f"/view/items/{MINUTE}", params={"highlight": cid})
    assert r.status_code == 200
    m = re.search(r'<mark id="hl"[^>]*>(.*?)</mark>', r.text, re.S)
    assert m and text.split()[0] in m.group(1)
    assert 'href="#hl">Skip to the cited passage' in r.text
    assert "<h1>Minute 25: Children&#39;s Services Improvement</h1>" in r.text
    assert r.text.count("<mark") == 1


def test_html_errors_are_pages(api_client):
    for url in ("/view/items/nope", "/view/meetings/nope/2019-01-01", "/view/nothing-here"):
        r = api_client.get(url)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert 'role="alert"' in r.text and 'lang="en"' in r.text
    r = api_client.get(f"/view/items/{MINUTE}", params={"highlight": "no/such"})
    assert r.status_code == 404 and "no passage" in r.text


def test_pages_answer_head_requests(api_client):
    r = api_client.head("/")
    assert r.status_code == 200 and r.content == b""
    assert api_client.head(f"/view/items/{MINUTE}").status_code == 200


# ---------------------------------------------------------------- `council serve`

def test_serve_without_an_index_exits_2_with_one_line(tmp_path):
    from click.testing import CliRunner

    from indexer.cli import main

    result = CliRunner().invoke(main, ["serve", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "council index" in lines[0] and "Traceback" not in result.output


def test_serve_runs_uvicorn_with_the_app(small_index, monkeypatch):
    import uvicorn
    from click.testing import CliRunner
    from fastapi import FastAPI

    from indexer.cli import main

    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(app=app, **kw))
    result = CliRunner().invoke(main, ["serve", "--index-dir", str(small_index), "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert isinstance(calls["app"], FastAPI) and calls["host"] == "0.0.0.0" and calls["port"] == 8123
    with TestClient(calls["app"]) as c:
        assert c.get("/health").json()["counts"]["meetings"] >= 1
    calls["app"].state.holder.index.close()


def test_pages_offer_no_download_of_files_holding_restricted_papers(api_client):
    page = api_client.get(f"/view/items/{PUBLIC_ITEM}").text
    assert f"/documents/{PUBLIC_DOC}/source" not in page
    assert f"/documents/{PUBLIC_DOC}/source" in api_client.get(
        f"/view/items/{PUBLIC_ITEM}", headers={"Cookie": f"council_token={API_MEMBER_TOKEN}"}).text
    assert "/source" not in api_client.get(f"/view/meetings/{AUDIT}").text
    assert "/source" in api_client.get(f"/view/items/{MINUTE}").text
