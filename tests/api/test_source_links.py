"""Links back to the council: papers fetched from the stand-in ModernGov site, indexed, then
searched through the API and the web pages. Every result names the council's document URL,
and its page link opens on a PDF page that holds the passage (checked with pypdf)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytest_httpserver import HTTPServer

from indexer.embed.hashing import HashEmbedder
from indexer.ingest.moderngov import Politeness, SiteClient, fetch_site
from indexer.retrieve.search import result_by_chunk_id
from indexer.store.index import Index
from tests.conftest import API_MEMBER_TOKEN, api_build_index
from tests.ingest.standin import Site, _paragraphs, serve
from tests.pdfgen import make_pdf

MEMBER = {"Authorization": f"Bearer {API_MEMBER_TOKEN}"}


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


@pytest.fixture(scope="module")
def fetched(tmp_path_factory):
    """The stand-in site fetched with member credentials (so the restricted paper comes, marked),
    plus a local folder of one PDF without meeting.json, indexed with the hash embedder."""
    tmp = tmp_path_factory.mktemp("links")
    server = HTTPServer()
    server.start()
    try:
        site = serve(server, Site(tmp).build())
        with SiteClient(f"http://localhost:{site.port}/", Politeness(delay=0, backoff=0, max_wait=0.01),
                        cookie=site.member_cookie) as c:
            report = fetch_site(c, tmp / "papers")
    finally:
        server.clear()
        server.stop()
    local = tmp / "local" / "Scrutiny Board" / "2024-05-02"
    local.mkdir(parents=True)
    make_pdf(local / "Waste collection briefing.pdf",
             ["Scrutiny Board. Minutes of the meeting held on 2 May 2024.\n1 Waste collection. RESOLVED that "
              "the Board notes the briefing.\n" + _paragraphs(40, 8),
              "Appendix. Fortnightly collections of garden waste start in June, and 4,000 households "
              "have signed up for the service so far.\n" + _paragraphs(60, 8)])
    units = [(p, tmp / "papers") for p in sorted((tmp / "papers").glob("*/*")) if any(p.glob("*.pdf"))]
    api_build_index(tmp / "ix", units + [(local, tmp / "local")])
    index = Index.open(tmp / "ix", embedder=HashEmbedder())
    yield tmp, report, index
    index.close()


@pytest.fixture
def client(fetched):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from indexer.common.settings import Settings

    tmp, _, index = fetched
    with TestClient(create_app(Settings(index_dir=tmp / "ix", member_token=API_MEMBER_TOKEN, abstain_threshold=0),
                               index=index)) as c:
        yield c


def _all_results(index: Index, member: bool = True) -> list[dict]:
    rows = index.query("SELECT id FROM chunks" + ("" if member else " WHERE restricted = 0"))
    return [result_by_chunk_id(index, r[0]).to_dict() for r in rows]


def _listed_urls(papers: Path) -> dict[str, str]:
    """file path (relative to the papers folder) -> its URL, from every meeting.json."""
    out = {}
    for mj in papers.rglob("meeting.json"):
        raw = json.loads(mj.read_text())
        for d in [d for it in raw["items"] for d in it["documents"]] + raw["documents"]:
            if d.get("file"):  # an item's listing first: a pack's copy of the same file comes second
                out.setdefault(str(mj.parent.relative_to(papers) / d["file"]), d["url"])
    return out


def test_every_fetched_passage_links_to_the_councils_document_at_its_page(fetched):
    tmp, _, index = fetched
    urls = _listed_urls(tmp / "papers")
    results = [r for r in _all_results(index) if not r["source"]["path"].startswith("Scrutiny")]
    assert len(results) >= 12
    checked_later_pages = 0
    for r in results:
        src = r["source"]
        assert src["url"] == urls[src["path"]], src
        assert src["page_url"].startswith(src["url"] + "#page=")
        n = int(src["page_url"].rsplit("=", 1)[1])
        page = PdfReader(tmp / "papers" / src["path"]).pages[n - 1].extract_text()
        assert _words(r["text"])[:80] in _words(page), (r["id"], n)
        checked_later_pages += n > 1
    assert checked_later_pages >= 4  # the multi-page report's passages open on pages 2 and 3


def test_no_passage_is_indexed_twice_and_the_pack_adds_nothing_the_parts_hold(fetched):
    _, _, index = fetched
    texts = [_words(r["text"]) for r in _all_results(index)]
    assert len(texts) == len(set(texts))
    paths = {r["source"]["path"] for r in _all_results(index)}
    assert not any("Public reports pack" in p for p in paths)  # every page of it is in a part


def test_items_come_from_meeting_json(fetched):
    _, _, index = fetched
    items = {(i["number"], i["title"]) for i in index.items_of("cabinet/2025-03-13", include_restricted=True)}
    assert {("3", "Library Opening Hours"), ("4", "Highways & Transport Budget"),
            ("5", "Sale of Land at Mill Lane")} <= items
    lib = next(r for r in _all_results(index) if "westfield library from 11am" in _words(r["text"]))
    assert lib["item"] == {"number": "3", "title": "Library Opening Hours"} and lib["committee"] == "Cabinet"
    assert lib["meeting_date"] == "2025-03-13"


def test_restricted_papers_fetched_by_a_member_never_reach_anonymous_users(fetched, client):
    anon = client.get("/search", params={"q": "best offer for the site housing association", "k": 50}).json()
    assert not any("1,250,000" in r["text"] for r in anon["results"])
    member = client.get("/search", params={"q": "best offer for the site housing association", "k": 50},
                        headers=MEMBER).json()
    assert any("1,250,000" in r["text"] for r in member["results"])
    _, _, index = fetched
    (doc_id,) = [r[0] for r in index.query("SELECT id FROM documents WHERE restricted = 1")]
    assert "mill-lane" in doc_id
    assert client.get(f"/documents/{doc_id}/source").status_code == 404
    assert client.get(f"/documents/{doc_id}/source", headers=MEMBER).status_code == 200


def test_api_results_carry_url_and_page_url(fetched, client):
    res = client.get("/search", params={"q": "Sunday opening at Westfield Library culture reserve"}).json()["results"]
    top = next(r for r in res if "westfield library from 11am" in _words(r["text"]))
    assert top["source"]["url"].endswith("/documents/s501/Library%20Opening%20Hours%20report.pdf")
    assert top["source"]["page_url"] == top["source"]["url"] + "#page=2"


def test_web_page_offers_the_councils_site_at_the_page(fetched, client):
    html = client.get("/", params={"q": "Sunday opening at Westfield Library culture reserve"}).text
    assert "Open on the council&#39;s site, page 2" in html or "Open on the council's site, page 2" in html
    assert "/documents/s501/Library%20Opening%20Hours%20report.pdf#page=2" in html


def test_item_page_and_json_carry_the_link(fetched, client):
    _, _, index = fetched
    chunk = next(r for r in _all_results(index) if "3 Consultation" in r["text"])
    item = client.get("/items/cabinet/2025-03-13/item-3", params={"highlight": chunk["id"]}).json()
    sec = item["sections"][item["highlight"]["section"]]
    assert sec["url"] == chunk["source"]["url"] and sec["page_url"] == sec["url"] + "#page=1"
    assert item["highlight"]["page_url"] == chunk["source"]["page_url"] == sec["url"] + "#page=3"
    page = client.get("/view/items/cabinet/2025-03-13/item-3", params={"highlight": chunk["id"]}).text
    assert "page 3" in page and "#page=3" in page


def test_a_local_pdf_links_to_our_own_copy_at_the_page(fetched, client):
    import io

    _, _, index = fetched
    local = [r for r in _all_results(index) if r["source"]["path"].startswith("Scrutiny")]
    assert local and all(r["source"]["url"] is None for r in local)
    pages_seen = set()
    for r in local:
        m = re.fullmatch(r"(/documents/.+/source)#page=(\d+)", r["source"]["page_url"])
        assert m, r["source"]
        got = client.get(m.group(1))  # served as the PDF itself, to open in the browser
        assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
        assert "inline" in got.headers["content-disposition"]
        n = int(m.group(2))
        page = PdfReader(io.BytesIO(got.content)).pages[n - 1].extract_text()
        assert _words(r["text"])[:80] in _words(page)
        pages_seen.add(n)
    assert pages_seen == {1, 2}


def test_text_files_have_no_page_link(api_client):
    res = api_client.get("/search", params={"q": "social worker retention"}).json()["results"]
    assert res and all(r["source"]["url"] is None and r["source"]["page_url"] is None for r in res)
