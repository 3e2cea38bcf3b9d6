"""Hostile input to every route: never a 500, never a traceback; the API answers
application/problem+json, the web a readable page. Limits are documented in the OpenAPI schema.

The JSON API is fuzzed from its own OpenAPI schema with schemathesis (data that fits the schema,
and data that does not); the HTML routes with hypothesis (long and control-character queries,
bad dates, odd ids, form bodies). Cases run per route are printed (``pytest -s``).
"""

from __future__ import annotations

import string
from collections import Counter
from urllib.parse import quote

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from api.app import create_app
from indexer.common.settings import Settings

from tests.conftest import API_MEMBER_TOKEN

API_EXAMPLES = 30  # per operation and mode (fits-the-schema and does-not)
HTML_EXAMPLES = 100
PROBLEM_KEYS = {"type", "title", "status", "detail", "field", "errors"}


@pytest.fixture(scope="module")
def fuzz_app(api_index_dir, api_index):
    s = Settings(index_dir=api_index_dir, member_token=API_MEMBER_TOKEN, max_request_bytes=20_000,
                 abstain_threshold=0, ask_rate_limit="")
    return create_app(s, index=api_index)


def _content_type(r) -> str:
    ct = r.headers.get("content-type")
    return (ct[0] if isinstance(ct, list) else ct or "").split(";")[0]


def check_api_response(r) -> None:
    body = r.text
    assert r.status_code < 500, (r.status_code, body[:300])
    assert "Traceback" not in body and 'File "' not in body
    if r.status_code >= 400:
        assert _content_type(r) == "application/problem+json", (r.status_code, _content_type(r))
        problem = r.json()
        assert set(problem) == PROBLEM_KEYS and problem["status"] == r.status_code and problem["detail"]
        assert problem["errors"] and all(set(e) == {"loc", "msg", "type"} for e in problem["errors"])


def test_the_api_survives_its_own_schema_fuzzed(fuzz_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    cases: Counter = Counter()
    for result in schema.get_all_operations():
        op = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=API_EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy(generation_mode=mode))
            def run(case):
                cases[op.label] += 1
                check_api_response(case.call())

            try:
                run()
            except Unsatisfiable:  # a path with one string parameter has few ways not to fit the schema
                pass
    print("\nschemathesis cases per operation:", dict(cases))
    assert len(cases) >= 9 and all(n >= API_EXAMPLES for op, n in cases.items() if op != "GET /health")


# ---------------------------------------------------------------- hostile values, by hand

LONG = "social " * 400  # 2,800 characters
HOSTILE_GETS = [
    ("/search?q=%FF%FE%00", 200), ("/search?q=a%00b%01c", 200), ("/search?q=x&k=-1", 422),
    ("/search?q=x&k=1000000000", 422), ("/search?q=x&k=99999999999999999999999", 422), ("/search?q=x&k=1.5", 422),
    (f"/search?q={quote(LONG)}", 422), ("/search?q=" + "a" * 9000, 414), ("/search?q=x&date_from=2020-02-30", 422),
    ("/search?q=x&date_to=tomorrow", 422), ("/search?q=x&colour=red&__proto__=1", 422),
    ("/items/%FF%FE", 404), ("/items/" + "a/" * 1500, 414), ("/meetings/%00", 404),
    ("/documents/..%2F..%2Fetc%2Fpasswd/source", 404), ("/items/x?highlight=%00", 404),
    ("/recommendations?limit=0", 422), ("/recommendations?limit=100000", 422), ("/recommendations?q=%00", 422),
    ("/recommendations?discussed=maybe", 422), ("/recommendations/%FF%00", 404),
]


@pytest.mark.parametrize("url, status", HOSTILE_GETS)
def test_hostile_api_requests_get_problem_json(fuzz_app, url, status):
    with TestClient(fuzz_app, raise_server_exceptions=False) as c:
        r = c.get(url)
    assert r.status_code == status, (url, r.status_code, r.text[:200])
    check_api_response(r)


@pytest.mark.parametrize("body, ctype, status", [
    (b"{bad json", "application/json", 422), (b"\xff\xfe\x00", "application/json", 400),
    (b"[]", "application/json", 422), (b'{"question": 5}', "application/json", 422),
    (b'{"question": "x", "k": -1}', "application/json", 422), (b'{"question": "\\u0000hello"}', "application/json", 200),
    (b"question=hello", "application/x-www-form-urlencoded", 422), (b"x" * 30_000, "application/json", 413),
    (b'{"question": "' + b"y" * 19_000 + b'"}', "application/json", 422),
])
def test_hostile_bodies_to_ask(fuzz_app, body, ctype, status):
    with TestClient(fuzz_app, raise_server_exceptions=False) as c:
        r = c.post("/ask", content=body, headers={"Content-Type": ctype})
    assert r.status_code == status, (body[:30], r.status_code, r.text[:200])
    check_api_response(r)


# ---------------------------------------------------------------- the web pages

def check_page(r) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:300])
    assert _content_type(r) == "text/html", (r.request.url, _content_type(r))
    assert "<html" in r.text and "Traceback" not in r.text and "<h1" in r.text


hostile_text = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8", categories=("Cc", "Zs", "Po", "Lo", "So")), max_size=60),
    st.text(alphabet=string.ascii_letters + " ", min_size=1990, max_size=2100),
    st.sampled_from(["", " ", "\x00", "<script>alert(1)</script>", "../../etc/passwd", "%FF", "'; DROP TABLE chunks;--"]),
)
dates = st.one_of(st.none(), st.sampled_from(["", "2020-02-30", "2019-13-01", "yesterday", "0000-00-00", "2020-01-01"]),
                  st.text(max_size=12))


def test_the_web_pages_survive_hostile_input(fuzz_app):
    cases: Counter = Counter()
    with TestClient(fuzz_app, raise_server_exceptions=False) as c:
        @settings(max_examples=HTML_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(q=hostile_text, mode=st.sampled_from(["search", "ask", "", "x" * 50]), date_from=dates, date_to=dates,
               doc_type=st.one_of(st.none(), st.sampled_from(["minutes", "memo", ""])), ident=hostile_text)
        def run(q, mode, date_from, date_to, doc_type, ident):
            # "." and ".." segments are resolved by the client before they are sent, off these routes
            ident = "/".join(seg for seg in ident.split("/") if seg not in (".", "..")) or "x"
            params = {k: v for k, v in {"q": q, "mode": mode, "date_from": date_from, "date_to": date_to,
                                        "doc_type": doc_type}.items() if v is not None}
            for route, r in [
                ("/", c.get("/", params=params)),
                ("/view/recommendations", c.get("/view/recommendations", params={"q": q})),
                ("/view/items/{id}", c.get("/view/items/" + quote(ident, safe="/"), params={"highlight": q})),
                ("/view/meetings/{id}", c.get("/view/meetings/" + quote(ident, safe="/"))),
                ("/view/recommendations/{id}", c.get("/view/recommendations/" + quote(ident, safe="/"))),
                ("POST /member", c.post("/member", data={"token": q})),
            ]:
                cases[route] += 1
                if len(ident) > 1900 and route.startswith("/view/") and "{id}" in route:
                    assert r.status_code in (404, 414)
                check_page(r)

        run()
        for url in ["/view/items/" + "a/" * 1500, "/?q=" + "b" * 9000]:
            r = c.get(url)
            assert r.status_code == 414
            check_page(r)
        r = c.post("/member", content=b"token=" + b"x" * 30_000,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 413
        check_page(r)
    print("\nhypothesis cases per page:", dict(cases))


# ---------------------------------------------------------------- limits and the rate limit

def test_limits_are_documented_in_the_openapi_schema(api_client):
    spec = api_client.get("/openapi.json").json()
    text = spec["info"]["description"]
    for words in ("2,000 characters", "`k` from 1 to 50", "413", "414", "429", "problem+json"):
        assert words in text, words
    q = next(p for p in spec["paths"]["/search"]["get"]["parameters"] if p["name"] == "q")
    assert q["schema"]["maxLength"] == 1999
    k = next(p for p in spec["paths"]["/search"]["get"]["parameters"] if p["name"] == "k")
    assert (k["schema"]["minimum"], k["schema"]["maximum"]) == (1, 50)
    ask = spec["paths"]["/ask"]["post"]["responses"]
    assert "429" in ask and "Retry-After" in ask["429"]["headers"]
    assert set(spec["components"]["schemas"]["Problem"]["properties"]) == PROBLEM_KEYS


def test_ask_is_rate_limited_per_client_with_retry_after(api_index_dir, api_index):
    s = Settings(index_dir=api_index_dir, member_token=API_MEMBER_TOKEN, abstain_threshold=0, ask_rate_limit="2/minute")
    with TestClient(create_app(s, index=api_index)) as c:
        for _ in range(2):
            assert c.post("/ask", json={"question": "libraries"}).status_code == 200
        r = c.post("/ask", json={"question": "libraries"})
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
        assert r.headers["content-type"] == "application/problem+json" and "2/minute" in r.json()["detail"]
        page = c.get("/", params={"q": "libraries", "mode": "ask"})  # the form's ask mode shares the limit
        assert page.status_code == 429 and "Too many questions" in page.text and page.headers["retry-after"]
        assert c.get("/search", params={"q": "libraries"}).status_code == 200  # searching is not limited
