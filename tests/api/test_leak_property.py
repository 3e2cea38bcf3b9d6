"""No restricted sentence reaches an anonymous caller, on any route: a property over generated packs.

Each example is a pack (tests/api/leakpacks.py) with private business at a random place in its
minutes, of a random length, sometimes returning to public business, plus reports under private
business, reports carrying an exempt-information notice, reports with a private last section and,
now and then, a ``.restricted`` sidecar. It is indexed with the hash embedder and every anonymous
route of the service is asked about it; no payload word of a private sentence may appear in any
response. A member (bearer token) must find every private sentence, marked restricted.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from indexer.common.settings import Settings
from indexer.embed.hashing import HashEmbedder
from indexer.store.index import Index, update_index
from indexer.structure.privacy import restricted_documents

from tests.api.leakpacks import packs

TOKEN = "member-token-for-the-leak-test-0123456789"
MEMBER = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = 30  # about 0.5 s each on this machine

# every anonymous route the property asks (filled in as the test runs; reported by the last test)
ROUTES_ASKED: set[str] = set()
CASES_RUN: list[int] = []
REQUESTS: list[int] = []


def _ids(index: Index) -> dict[str, list[str]]:
    q = index.query
    return {
        "meetings": [r[0] for r in q("SELECT id FROM meetings")],
        "items": [r[0] for r in q("SELECT id FROM items")],
        "chunks": [r[0] for r in q("SELECT id FROM chunks")],
        "documents": [r[0] for r in q("SELECT id FROM documents")],
        "records": [r[0] for r in q("SELECT id FROM tracker_records")],
    }


def _anonymous_responses(c: TestClient, index: Index, keys: list[str]):
    """(route pattern, response) for every route an anonymous caller can reach about this pack."""
    ids = _ids(index)
    words = " ".join(keys[:6])
    asks = [("/search", lambda k: c.get("/search", params={"q": k, "k": 50})),
            ("/ask", lambda k: c.post("/ask", json={"question": f"What was agreed about {k}?"})),
            ("/ask (follow-up)", lambda k: c.post("/ask", json={"question": f"What happened to the {k} recommendation?"})),
            ("/?mode=search", lambda k: c.get("/", params={"q": k})),
            ("/?mode=ask", lambda k: c.get("/", params={"q": f"What was agreed about {k}?", "mode": "ask"})),
            ("/recommendations?q=", lambda k: c.get("/recommendations", params={"q": k, "discussed": "true"})),
            ("/view/recommendations?q=", lambda k: c.get("/view/recommendations", params={"q": k}))]
    for route, call in asks:
        for k in [words, *keys[:4]]:
            yield route, call(k)
    for route in ("/recommendations", "/view/recommendations", "/meetings", "/view/meetings", "/health"):
        yield route, c.get(route)
    yield "/search (filtered)", c.get("/search", params={"q": words, "k": 50, "committee": "estates",
                                                         "date_from": "2019-01-01", "doc_type": "minutes"})
    for m in ids["meetings"]:
        yield "/meetings/{id}", c.get(f"/meetings/{quote(m)}")
        yield "/view/meetings/{id}", c.get(f"/view/meetings/{quote(m)}")
    for it in ids["items"]:
        yield "/items/{id}", c.get(f"/items/{quote(it)}")
        yield "/view/items/{id}", c.get(f"/view/items/{quote(it)}")
    for ch in ids["chunks"]:
        item = ch.rsplit("/", 1)[0]
        yield "/items/{id}?highlight=", c.get(f"/items/{quote(item)}", params={"highlight": ch})
        yield "/view/items/{id}?highlight=", c.get(f"/view/items/{quote(item)}", params={"highlight": ch})
    for d in ids["documents"]:
        yield "/documents/{id}/source", c.get(f"/documents/{quote(d)}/source")
    for r in ids["records"]:
        yield "/recommendations/{id}", c.get(f"/recommendations/{quote(r)}")
        yield "/view/recommendations/{id}", c.get(f"/view/recommendations/{quote(r)}")


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pack=packs())
def test_no_restricted_sentence_reaches_an_anonymous_route(pack):
    CASES_RUN.append(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pack.txt").write_text(pack.text, encoding="utf-8")
        if pack.sidecar:
            (root / "pack.txt.restricted").write_text("")
        report = update_index(root / "idx", [(root / "pack.txt", root)], HashEmbedder(), restricted=restricted_documents)
        assert not report.errors, report.errors
        index = Index.open(root / "idx", embedder=HashEmbedder())
        s = Settings(index_dir=root / "idx", member_token=TOKEN, abstain_threshold=0, corpus_root=root,
                     ask_rate_limit="")
        payload = re.compile(r"\b(?:" + "|".join(map(re.escape, pack.payloads)) + r")\b", re.I)
        try:
            with TestClient(create_app(s, index=index), raise_server_exceptions=False) as c:
                for route, r in _anonymous_responses(c, index, pack.keys):
                    ROUTES_ASKED.add(route)
                    REQUESTS.append(1)
                    assert r.status_code < 500, (route, r.status_code, r.text[:300])
                    leak = payload.search(r.text)
                    assert leak is None, f"{route} ({r.request.url}) shows {leak.group(0)!r} to anonymous callers"
                    for sentence in pack.sentences:
                        assert sentence not in r.text, route
                # members see every private sentence, marked restricted
                found = c.get("/search", params={"q": " ".join(pack.keys[:3]), "k": 50}, headers=MEMBER).json()
                hits = [x for x in found["results"] if payload.search(x["text"])]
                assert hits and all(x["restricted"] for x in hits)
                page = c.get("/", params={"q": " ".join(pack.keys[:3])}, headers=MEMBER).text
                assert payload.search(page) and "Restricted" in page
                # counts and totals shown to the public leave the private passages out
                health = c.get("/health").json()["counts"]
                public = index.query("SELECT COUNT(*) FROM chunks WHERE restricted = 0")[0][0]
                assert health["chunks"] == public
                assert sum(m["counts"]["chunks"] for m in c.get("/meetings").json()["meetings"]) == public
        finally:
            index.close()


def test_the_property_asked_every_anonymous_route():
    """Runs after the property (file order): it asked each route of the service that serves papers."""
    if not CASES_RUN:
        return  # the property was deselected
    expected = {"/search", "/ask", "/?mode=search", "/?mode=ask", "/recommendations", "/view/recommendations",
                "/meetings", "/view/meetings", "/meetings/{id}", "/view/meetings/{id}", "/items/{id}",
                "/view/items/{id}", "/items/{id}?highlight=", "/documents/{id}/source", "/health",
                "/recommendations?q=", "/view/recommendations?q="}
    assert expected <= ROUTES_ASKED, expected - ROUTES_ASKED
    print(f"\nleak property: {len(CASES_RUN)} generated packs, {len(REQUESTS)} anonymous requests over "
          f"{len(ROUTES_ASKED)} routes: {', '.join(sorted(ROUTES_ASKED))}")
