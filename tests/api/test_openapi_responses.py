"""Real responses of every JSON route, valid against the service's own OpenAPI schema (jsonschema,
Draft 2020-12, the dialect of OpenAPI 3.1), errors included; and every model documented with examples."""

from __future__ import annotations

import jsonschema
import pytest

from tests.conftest import API_MEMBER_TOKEN

BOARD = "education-and-childrens-services-scrutiny-board-2"
REC = f"{BOARD}/2019-11-28/minute-25/point-2"

# (method, path template, concrete url, json body): every JSON route, answered for real
CALLS = [
    ("get", "/search", "/search?q=social+worker+retention&k=3", None),
    ("get", "/search", "/search?q=social+worker+retention&k=2&offset=2&sort=date", None),
    ("get", "/search", "/search?q=xqzvbl+blorfen", None),
    ("get", "/search", "/search?q=libraries&bogus=1", None),
    ("get", "/search", "/search?q=libraries&committee=Planning", None),
    ("get", "/search", "/search?k=0", None),
    ("post", "/ask", "/ask", {"question": "What happened to the social worker retention recommendation?"}),
    ("post", "/ask", "/ask", {"question": "what were the libraries opening hours?"}),
    ("post", "/ask", "/ask", {"q": "libraries"}),
    ("get", "/recommendations", "/recommendations?q=social+worker+retention&discussed=true", None),
    ("get", "/recommendations", "/recommendations?limit=0", None),
    ("get", "/recommendations/{rec_id}", f"/recommendations/{REC}", None),
    ("get", "/recommendations/{rec_id}", "/recommendations/nope", None),
    ("get", "/meetings", "/meetings", None),
    ("get", "/meetings", "/meetings?comittee=x", None),
    ("get", "/meetings/{meeting_id}", f"/meetings/{BOARD}/2019-11-28", None),
    ("get", "/items/{item_id}", f"/items/{BOARD}/2019-11-28/minute-25?highlight={BOARD}/2019-11-28/minute-25/0", None),
    ("get", "/items/{item_id}", f"/items/{BOARD}/2020-01-09/item-4", None),
    ("get", "/items/{item_id}", "/items/none/such", None),
    ("get", "/health", "/health", None),
    ("get", "/health", "/health?verbose=1", None),
]


@pytest.fixture
def spec(api_client):
    return api_client.get("/openapi.json").json()


def _schema_for(spec: dict, path: str, method: str, status: int) -> dict:
    op = spec["paths"][path][method]
    resp = op["responses"].get(str(status))
    assert resp is not None, f"{method.upper()} {path}: status {status} is not documented"
    content = resp["content"]
    media = content.get("application/json") or content.get("application/problem+json")
    assert media and media.get("schema"), f"{method.upper()} {path} {status}: no schema"
    # $refs are "#/components/...": resolve them against the spec's components
    return {**media["schema"], "components": spec["components"]}


def test_every_json_route_is_exercised(spec):
    routes = {(m, p) for p, ops in spec["paths"].items() for m in ops
              if p != "/documents/{document_id}/source" and not p.startswith("/feeds/")}  # not JSON
    assert routes == {(m, p) for m, p, _, _ in CALLS}


@pytest.mark.parametrize("method,path,url,body", CALLS, ids=[c[2][:70] for c in CALLS])
def test_real_responses_validate_against_the_openapi_schema(api_client, spec, method, path, url, body):
    r = api_client.request(method.upper(), url, json=body)
    assert r.status_code < 500, r.text[:300]
    status = r.status_code
    if status == 422 and "422" not in spec["paths"][path][method]["responses"]:
        pytest.fail(f"{path} answered 422 but does not document it")
    schema = _schema_for(spec, path, method, status)
    jsonschema.Draft202012Validator(schema).validate(r.json())


def test_a_wrong_response_fails_the_validation(api_client, spec):
    """The check can fail: a result without item_id, or a citation as a string, is not valid."""
    body = api_client.get("/search?q=social+worker+retention&k=1").json()
    schema = _schema_for(spec, "/search", "get", 200)
    bad = {**body, "results": [{k: v for k, v in body["results"][0].items() if k != "item_id"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(bad)
    bad = {**body, "results": [{**body["results"][0], "citation": body["results"][0]["citation"]["text"]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(bad)


MODELS = ("Citation", "Result", "ItemResult", "SearchResponse", "TimelineEntry", "FollowUp", "Recommendation",
          "RecommendationList", "AskResponse", "AskRequest", "Problem", "ErrorItem", "MeetingList", "MeetingOut",
          "ItemOut", "Health")


@pytest.mark.parametrize("name", MODELS)
def test_models_are_described_with_examples_that_validate(spec, name):
    comps = spec["components"]["schemas"]
    model = comps[name]
    assert model.get("properties"), f"{name} is a generic object"
    assert model.get("examples"), f"{name} has no example"
    for example in model["examples"]:
        jsonschema.Draft202012Validator({**model, "components": spec["components"]}).validate(example)


def test_timeline_entries_and_citations_are_models_not_objects(spec):
    comps = spec["components"]["schemas"]
    timeline = comps["AskResponse"]["properties"]["timeline"]
    assert timeline["items"] == {"$ref": "#/components/schemas/TimelineEntry"}
    assert comps["ItemOut"]["properties"]["citation"] == {"$ref": "#/components/schemas/Citation"}
    assert comps["Result"]["properties"]["citation"] == {"$ref": "#/components/schemas/Citation"}
    for name in ("TimelineEntry", "FollowUp", "Recommendation"):
        assert {"$ref": "#/components/schemas/Citation"} in comps[name]["properties"]["citation"]["anyOf"], name


def test_member_responses_validate_too(api_client, spec):
    headers = {"Authorization": f"Bearer {API_MEMBER_TOKEN}"}
    r = api_client.get("/search?q=Zephyrine&k=3", headers=headers)
    assert r.status_code == 200 and r.json()["results"]
    jsonschema.Draft202012Validator(_schema_for(spec, "/search", "get", 200)).validate(r.json())
